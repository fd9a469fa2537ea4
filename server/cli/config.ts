// The CLI's flags and environment variables: parsing, defaults, --help text and the warning for an exposed emulator.
import { resolve } from 'node:path'
import { FixtureFileError, readFixturesOption } from '../services/fixtures.js'
import { DEFAULT_JOURNAL_SIZE, MAX_JOURNAL_SIZE } from '../services/journal.js'
import { isLoopbackHost } from '../drop-in/loopback.js'
import { readFlags } from './args.js'

export interface Config {
  port: number
  host: string
  corsOrigins: string[]
  logFormat: 'auto' | 'pretty' | 'json'
  db: string
  /** The fixture document `--fixtures` names, read and parsed (its content is checked at start). */
  fixtures: Record<string, unknown> | undefined
  logLevel: string
  journalSize: number
  adminToken: string | undefined
  /** Hosts besides loopback that webhook subscriptions may target; `*` for any. */
  webhookHosts: string[]
}

interface FlagSpec {
  key: keyof Config
  flag: string
  env: string
  default: string
  /** How --help shows the default, when the raw default ('' for "none given") would say nothing useful. */
  shownDefault?: string
  help: string
  parse: (v: string) => Config[keyof Config]
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

function parseOrigins (v: string): string[] {
  const list = v.split(',').map(o => o.trim()).filter(o => o !== '')
  if (list.length === 0) throw new ConfigError('--cors-origin needs * or at least one origin such as http://localhost:5173')
  for (const o of list) {
    if (o === '*') continue
    let url: URL | undefined
    try { url = new URL(o) } catch { url = undefined }
    // An origin is scheme://host[:port] and nothing more; a browser's Origin header never has a path.
    const bare = url !== undefined && url.pathname === '/' && url.search === '' && url.hash === '' && url.username === ''
    if (!url || !/^https?:$/.test(url.protocol) || !bare) {
      throw new ConfigError(`--cors-origin takes origins like http://localhost:5173 (scheme, host and port, no path), got "${o}"`)
    }
  }
  return list.map(o => o === '*' ? o : new URL(o).origin)
}

export const FLAGS: FlagSpec[] = [
  {
    key: 'port',
    flag: '--port',
    env: 'PORT',
    default: '4000',
    help: 'TCP port; 0 picks a free one',
    parse: v => {
      const n = Number(v)
      if (!/^\d+$/.test(v) || n > 65535) throw new ConfigError(`--port must be a whole number from 0 to 65535, got "${v}"`)
      return n
    }
  },
  {
    key: 'host',
    flag: '--host',
    env: 'HOST',
    default: '127.0.0.1',
    help: 'interface to bind',
    parse: v => { if (v.trim() === '') throw new ConfigError('--host must not be empty'); return v }
  },
  {
    key: 'corsOrigins',
    flag: '--cors-origin',
    env: 'QUILTT_MOCK_CORS_ORIGIN',
    default: '*',
    help: 'origins browsers may call from, comma-separated (e.g. http://localhost:5173); * for any',
    parse: parseOrigins
  },
  {
    key: 'logFormat',
    flag: '--log-format',
    env: 'QUILTT_MOCK_LOG_FORMAT',
    default: 'auto',
    help: 'auto (pretty on a terminal, JSON otherwise)|pretty|json',
    parse: v => {
      if (v !== 'auto' && v !== 'pretty' && v !== 'json') throw new ConfigError(`--log-format must be one of auto, pretty, json, got "${v}"`)
      return v
    }
  },
  {
    key: 'db',
    flag: '--db',
    env: 'QUILTT_MOCK_DB',
    default: '.quiltt-mock/quiltt-mock.db',
    help: 'SQLite file, or :memory:',
    parse: v => { if (v.trim() === '') throw new ConfigError('--db must be a file path or :memory:'); return v === ':memory:' ? v : resolve(v) }
  },
  {
    key: 'fixtures',
    flag: '--fixtures',
    env: 'QUILTT_MOCK_FIXTURES',
    default: '',
    shownDefault: 'the bundled fixtures/default.json',
    help: 'fixture file (JSON or YAML) loaded at start; `email-and-phone` names the bundled one that adds a phone-login environment',
    parse: v => {
      if (v === '') return undefined
      try {
        return readFixturesOption(v)
      } catch (err) {
        throw err instanceof FixtureFileError ? new ConfigError(`--fixtures ${err.message}`) : err
      }
    }
  },
  {
    key: 'adminToken',
    flag: '--admin-token',
    env: 'QUILTT_MOCK_ADMIN_TOKEN',
    default: '',
    help: 'require Authorization: Bearer <token> on /emulator/ endpoints (all but health)',
    parse: v => {
      if (v === '') return undefined
      if (!/^[\x21-\x7e]+$/.test(v)) throw new ConfigError('--admin-token must be printable characters without spaces (it is sent in an Authorization header)')
      return v
    }
  },
  {
    key: 'webhookHosts', flag: '--webhook-hosts', env: 'QUILTT_MOCK_WEBHOOK_HOSTS', default: '', shownDefault: 'none (loopback only)',
    help: 'hosts besides this machine that webhook subscriptions may deliver to, comma-separated (e.g. app,receiver.internal); * for any',
    parse: v => {
      const list = v.split(',').map(h => h.trim().toLowerCase()).filter(h => h !== '')
      for (const h of list) {
        // A host name or address, no scheme, port or path: the subscription's URL gives those.
        if (h !== '*' && !/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|[0-9a-f:]+)$/.test(h)) {
          throw new ConfigError(`--webhook-hosts takes host names such as receiver.internal (no scheme, port or path), or *, got "${h}"`)
        }
      }
      return list.map(h => h.replace(/^\[(.*)\]$/, '$1'))
    }
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'QUILTT_MOCK_LOG_LEVEL',
    default: 'info',
    help: LOG_LEVELS.join('|'),
    parse: v => { if (!LOG_LEVELS.includes(v)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`); return v }
  },
  {
    key: 'journalSize',
    flag: '--journal-size',
    env: 'QUILTT_MOCK_JOURNAL_SIZE',
    default: String(DEFAULT_JOURNAL_SIZE),
    help: 'Quiltt API requests kept in the request journal; 0 turns it off',
    parse: v => {
      const n = Number(v)
      if (!/^\d+$/.test(v) || n > MAX_JOURNAL_SIZE) throw new ConfigError(`--journal-size must be a whole number from 0 to ${MAX_JOURNAL_SIZE}, got "${v}"`)
      return n
    }
  }
]

/** The warning printed when the control API is reachable from other machines without a token, if it is. */
/** An environment whose credentials are published (in this package's bundled fixtures and its docs). */
export interface PublishedCredentials { clientId: string, secrets: string[] }

/**
 * What a listener beyond this machine exposes: without --admin-token, the whole emulator API; with
 * it, still any environment whose App Secret or signing secret is the published one (the bundled
 * fixtures', printed in the README), with which anyone who can reach the port mints sessions.
 */
export function exposureWarning (config: Pick<Config, 'host' | 'adminToken'>, published: PublishedCredentials[] = []): string | undefined {
  if (isLoopbackHost(config.host)) return undefined
  const lines: string[] = []
  if (config.adminToken === undefined) {
    lines.push(`quiltt-mock: WARNING: listening on ${config.host} without --admin-token. Anyone who can reach this port can read ` +
      'passcodes, list API key secrets and reset the emulator through /emulator/. Set --admin-token (or QUILTT_MOCK_ADMIN_TOKEN), ' +
      'or bind --host 127.0.0.1.')
  }
  if (published.length > 0) {
    lines.push(`quiltt-mock: WARNING: listening on ${config.host} with published credentials: ` +
      published.map(p => `clientId ${p.clientId} (${p.secrets.join(', ')})`).join('; ') +
      '. They are in this package\'s bundled fixtures and README, so anyone who can reach this port can issue sessions with them. ' +
      'Replace them: start with --fixtures <your file>, giving each environment its own apiKey.secret and signingSecret ' +
      '(or leave them out to have them generated), or bind --host 127.0.0.1.')
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

/** Flags win over environment variables, which win over defaults. */
export function readConfig (argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values: given } = readFlags(argv, FLAGS, { allowPositionals: false, helpCommand: 'quiltt-mock', fail: m => new ConfigError(m) })
  const config = {} as Record<keyof Config, unknown>
  for (const spec of FLAGS) {
    config[spec.key] = spec.parse((given.get(spec.flag) as string | undefined) ?? env[spec.env] ?? spec.default)
  }
  return config as unknown as Config
}

export function helpText (): string {
  const rows = FLAGS.map(f => `  ${`${f.flag} <value>`.padEnd(22)} ${f.help}\n  ${''.padEnd(22)} env ${f.env}, default ${f.shownDefault ?? (f.default === '' ? '(none)' : f.default)}`)
  return [
    'quiltt-mock: a local emulator of Quiltt\'s authentication API',
    '',
    'Usage: quiltt-mock [options]',
    '',
    'Options:',
    ...rows,
    `  ${'--help'.padEnd(22)} this text`,
    `  ${'--version'.padEnd(22)} the version`,
    ''
  ].join('\n')
}

/** Pretty logs for a person at a terminal; JSON lines for everything that reads logs with a program. */
export function usePrettyLogs (format: Config['logFormat'], isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY)
}
