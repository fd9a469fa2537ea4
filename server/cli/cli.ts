// The quiltt-mock command: flags to buildApp, the logger, listening, the banner, signals; `verify` is loaded only when asked for.
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import { buildApp, VERSION } from '../app.js'
import { type Config, ConfigError, exposureWarning, helpText, type PublishedCredentials, readConfig, usePrettyLogs } from './config.js'
import { DEFAULT_FIXTURES_PATH, EMAIL_AND_PHONE_FIXTURES_PATH } from '../paths.js'
import { readFixtureFile } from '../services/fixtures.js'
import { InvalidFixturesError } from '../errors.js'
import { stdoutByTurn } from '../http/logging.js'

function loggerFor (config: Config): FastifyServerOptions['logger'] {
  // JSON lines (a file, a pipe, a CI log): the lines of an event-loop turn go out in one write.
  if (!usePrettyLogs(config.logFormat, process.stdout.isTTY === true)) return { level: config.logLevel, stream: stdoutByTurn() }
  // In the main thread (not a pino transport worker): nothing to resolve at run time, nothing lost at exit.
  // Loaded only for a terminal: it was an eighth of the module loading at start.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty')
  const stream = pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId,req,res,method,url,statusCode,responseTime', sync: true })
  return { level: config.logLevel, stream }
}

/** Where a browser on this machine reaches a server bound to `host`. */
function browsableHost (host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * The parent to outlive no longer, when this is this project's own `npm start`: a SIGTERM to npm ends
 * npm and its shell but not the emulator (npm 10 and 11 do not pass it on), which would run on,
 * orphaned, holding its port, and the next `npm start` of a test suite fails with EADDRINUSE. Only
 * there: an emulator a user's script starts in the background (`quiltt-mock &`) must outlive it.
 * Read first thing, before the shell it came through can be gone.
 */
const startedBy = process.env.npm_lifecycle_event === 'start' && process.env.npm_package_name === 'quiltt-mock' ? process.ppid : undefined

const BANNER_ENVIRONMENTS = 5

/** The environments still using a credential of the bundled fixtures (published in the README). */
function publishedCredentials (environments: Array<{ clientId: string, apiKey: { secret: string }, signingSecret: string }>): PublishedCredentials[] {
  const known = new Set<string>()
  for (const file of [DEFAULT_FIXTURES_PATH, EMAIL_AND_PHONE_FIXTURES_PATH]) {
    const doc = readFixtureFile(file) as { environments?: Array<{ apiKey?: { secret?: string }, signingSecret?: string }> }
    for (const env of doc.environments ?? []) for (const secret of [env.apiKey?.secret, env.signingSecret]) if (secret) known.add(secret)
  }
  return environments.flatMap(env => {
    const secrets = [
      ...(known.has(env.apiKey.secret) ? [`App Secret ${env.apiKey.secret}`] : []),
      ...(known.has(env.signingSecret) ? [`signing secret ${env.signingSecret}`] : [])
    ]
    return secrets.length > 0 ? [{ clientId: env.clientId, secrets }] : []
  })
}

async function main (argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\nCommands:\n  verify <pacts...>        verify consumer pacts against the emulator (quiltt-mock verify --help)\n`)
    return
  }
  if (argv.includes('--version')) { process.stdout.write(`${VERSION}\n`); return }

  const config = readConfig(argv, process.env)
  const app = await buildApp({
    db: config.db,
    ...(config.fixtures ? { fixtures: config.fixtures } : {}),
    ...(config.adminToken !== undefined ? { adminToken: config.adminToken } : {}),
    logger: loggerFor(config),
    corsOrigins: config.corsOrigins,
    journalSize: config.journalSize,
    webhookHosts: config.webhookHosts
  })
  let closing = false
  const close = (reason: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal: reason }, 'closing')
    app.close().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1) })
  }
  process.on('SIGTERM', () => close('SIGTERM'))
  process.on('SIGINT', () => close('SIGINT'))
  if (startedBy !== undefined) setInterval(() => { if (process.ppid !== startedBy) close('npm start exited') }, 250).unref()

  // Off a terminal, programs read stdout for the URL: the banner must come first, so Fastify's own
  // "Server listening at" line is left out there (the JSON 'ready' line after the banner says the same).
  const pretty = usePrettyLogs(config.logFormat, process.stdout.isTTY === true)
  const level = app.log.level
  if (!pretty && ['info', 'debug', 'trace'].includes(level)) app.log.level = 'warn'
  try {
    await app.listen({ port: config.port, host: config.host })
  } finally {
    app.log.level = level
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const browse = `http://${browsableHost(config.host)}:${port}`
  const environments = app.emulator.services.environments.list()
  const cors = config.corsOrigins.includes('*') ? 'any origin' : config.corsOrigins.join(', ')
  const lines = [
    `quiltt-mock ${VERSION} listening on ${url}`,
    `  inspector  ${browse}/`,
    `  API docs   ${browse}/docs`,
    `  database   ${config.db}`,
    // Every environment a user may log in to (quilttsms1 of email-and-phone too), up to a screenful.
    ...environments.slice(0, BANNER_ENVIRONMENTS).flatMap(env => [`  clientId   ${env.clientId}    (environment ${env.id}, ${env.authStrategy} login)`, `  secret     ${env.apiKey.secret}`, `  signing    ${env.signingSecret}   (signs self-signed session tokens, HS256 or HS512)`, `  webhooks   ${env.webhookSecret}   (signs webhook deliveries: Quiltt-Signature)`]),
    ...(environments.length > BANNER_ENVIRONMENTS ? [`  ...        ${environments.length - BANNER_ENVIRONMENTS} more environments: GET ${browse}/emulator/v1/environments`] : []),
    ...(config.webhookHosts.length > 0 ? [`  webhooks   delivered to loopback hosts and ${config.webhookHosts.includes('*') ? 'any host' : config.webhookHosts.join(', ')}`] : []),
    ...(config.adminToken !== undefined ? ['  admin      /emulator/ endpoints (but health) need Authorization: Bearer <admin token>'] : []),
    `  CORS       ${cors}`,
    `  SDK        QUILTT_API_DOMAIN=localhost:${port} QUILTT_API_INSECURE=true   (Node: node --import quiltt-mock/register app.js)`
  ]
  process.stdout.write(lines.join('\n') + '\n')
  // The banner is for people; programs reading JSON logs get the same facts as one line.
  if (!pretty) {
    app.log.info({ url, inspector: `${browse}/`, docs: `${browse}/docs`, clientId: environments[0]?.clientId, clientIds: environments.map(e => e.clientId) }, 'ready')
  }
  const warning = exposureWarning(config, publishedCredentials(environments))
  if (warning) process.stderr.write(`${warning}\n`)
}

/** `quiltt-mock verify ...`: loaded only when asked for, so serving never loads the Pact Verifier. */
async function verify (argv: string[]): Promise<void> {
  // Pact's usage telemetry is opt-out; an offline emulator should not phone home unless asked to.
  process.env.PACT_DO_NOT_TRACK ??= 'true'
  const { runVerify } = await import('./verify.js')
  process.exitCode = await runVerify(argv, { out: s => process.stdout.write(s), err: s => process.stderr.write(s) })
}

const args = process.argv.slice(2)
const run = args[0] === 'verify' ? verify(args.slice(1)) : main(args)
run.catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`quiltt-mock: ${err.message}\n`)
    process.exit(2)
  }
  if (err instanceof InvalidFixturesError) {
    process.stderr.write(`quiltt-mock: ${err.message}\n`)
    process.exit(2)
  }
  const e = err as { code?: string, message?: string }
  if (e.code === 'EADDRINUSE') process.stderr.write(`quiltt-mock: ${e.message ?? 'address in use'}. Pick another --port (0 picks a free one).\n`)
  else process.stderr.write(`quiltt-mock: ${e.message ?? String(err)}\n`)
  process.exit(1)
})
