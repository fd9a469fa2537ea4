// Environments, their settings, connectors and API keys, as Quiltt and the emulator API see them.
import { createHmac } from 'node:crypto'
import { toIso } from '../clock.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { ApiKeyRow, EnvironmentRow } from '../store/environments.js'
import type { ServiceContext } from './context.js'
import { has, isE164, isEmail, isPlainObject, normalizeEmail, PASSCODE } from './formats.js'

export const DEFAULT_PASSCODE_TTL_SECONDS = 600
export const DEFAULT_SESSION_TTL_SECONDS = 86_400
const MODES = ['TEST', 'SANDBOX', 'PRODUCTION'] as const
const STRATEGIES = ['email', 'phone'] as const
const SESSION_FORMATS = ['current', 'legacy'] as const
export const CONNECTOR_OUTCOMES = ['success', 'abort', 'error'] as const

/** How the Connector stand-in ends a flow (`outcome`), and whether it finishes by itself right after `loaded` (`auto`). */
export interface ConnectorSettings { outcome: EnvironmentRow['connector_outcome'], auto: boolean }

export interface TestIdentity { email?: string, phone?: string, passcode: string }

export interface EnvironmentView {
  id: string
  name: string
  mode: EnvironmentRow['mode']
  authStrategy: EnvironmentRow['auth_strategy']
  signupsEnabled: boolean
  clientId: string
  apiKey: { id: string, secret: string }
  signingSecret: string
  webhookSecret: string
  sessionFormat: EnvironmentRow['session_format']
  rateLimits: boolean
  passcodeTtlSeconds: number
  sessionTtlSeconds: number
  testIdentities: TestIdentity[]
  connector: ConnectorSettings
  createdAt: string
}

/** Validated environment input, the same for fixtures, POST and PATCH. */
export interface EnvironmentInput {
  id?: string
  name?: string
  mode?: EnvironmentRow['mode']
  authStrategy?: EnvironmentRow['auth_strategy']
  signupsEnabled?: boolean
  clientId?: string
  apiKey?: { id?: string, secret?: string }
  signingSecret?: string
  webhookSecret?: string
  sessionFormat?: EnvironmentRow['session_format']
  rateLimits?: boolean
  passcodeTtlSeconds?: number
  sessionTtlSeconds?: number
  testIdentities?: Array<{ username: string, passcode: string }>
  connector?: Partial<ConnectorSettings>
}

// What PATCH may change, and what identifies an environment and so never changes.
const SETTINGS_FIELDS = ['name', 'mode', 'authStrategy', 'signupsEnabled', 'rateLimits', 'sessionFormat',
  'passcodeTtlSeconds', 'sessionTtlSeconds', 'testIdentities', 'connector', 'webhookSecret']
const FIXED_FIELDS = ['id', 'clientId', 'apiKey', 'signingSecret', 'createdAt']
// Settings that were renamed: named, they get a 422 that says what replaced them, not "not a known field".
const RETIRED_FIELDS: Record<string, string> = {
  userIdFormat: 'was replaced by sessionFormat: "current" (the default: userId is the profile\'s p_ id, as Quiltt documents today) or "legacy" (the seed guide\'s {id, expiration, userId, token} with userId the UUID)'
}
/** Every field of an environment in a fixture document, besides its `profiles`. */
export const ENVIRONMENT_INPUT_FIELDS = [...SETTINGS_FIELDS, 'id', 'clientId', 'apiKey', 'signingSecret', ...Object.keys(RETIRED_FIELDS)]

const SLUG = /^[A-Za-z0-9_-]{1,64}$/
const SECRET = /^[\x21-\x7e]{8,256}$/
// RFC 7518 wants an HMAC key at least as long as the hash: 32 bytes for HS256 (64 for HS512).
const SIGNING_SECRET = /^[\x21-\x7e]{32,512}$/
// Quiltt does not publish its webhook secrets' format; any printable key of a useful length signs.
const WEBHOOK_SECRET = /^[\x21-\x7e]{16,512}$/

/**
 * Checks an environment document and reports every bad value at its path (`prefix` + field),
 * so a fixture file can say `environments.0.authStrategy`.
 */
export function parseEnvironmentInput (raw: unknown, errs: FieldErrorCollector, prefix = ''): EnvironmentInput {
  const out: EnvironmentInput = {}
  if (!isPlainObject(raw)) { errs.add(prefix.replace(/\.$/, '') || 'base', 'must be an object'); return out }
  const at = (k: string): string => `${prefix}${k}`
  const str = (k: string, re: RegExp, msg: string): string | undefined => {
    if (!has(raw, k) || raw[k] === undefined) return undefined
    const v = raw[k]
    if (typeof v !== 'string') { errs.add(at(k), 'must be a string'); return undefined }
    if (!re.test(v)) { errs.add(at(k), msg); return undefined }
    return v
  }
  const oneOf = <T extends string>(k: string, allowed: readonly T[]): T | undefined => {
    if (!has(raw, k) || raw[k] === undefined) return undefined
    if (!allowed.includes(raw[k] as T)) { errs.add(at(k), `must be one of: ${allowed.join(', ')}`); return undefined }
    return raw[k] as T
  }
  const bool = (k: string): boolean | undefined => {
    if (!has(raw, k) || raw[k] === undefined) return undefined
    if (typeof raw[k] !== 'boolean') { errs.add(at(k), 'must be a boolean'); return undefined }
    return raw[k] as boolean
  }
  const seconds = (k: string, min: number, max: number): number | undefined => {
    if (!has(raw, k) || raw[k] === undefined) return undefined
    const v = raw[k]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      errs.add(at(k), `must be a whole number of seconds from ${min} to ${max}`); return undefined
    }
    return v
  }

  const id = str('id', /^env_[A-Za-z0-9]{1,64}$/, 'must look like env_ followed by letters and digits')
  if (id !== undefined) out.id = id
  if (has(raw, 'name') && raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 200) errs.add(at('name'), 'must be a non-empty string of at most 200 characters')
    else out.name = raw.name
  }
  const mode = oneOf('mode', MODES); if (mode) out.mode = mode
  const strategy = oneOf('authStrategy', STRATEGIES); if (strategy) out.authStrategy = strategy
  const signups = bool('signupsEnabled'); if (signups !== undefined) out.signupsEnabled = signups
  const clientId = str('clientId', SLUG, 'must be 1 to 64 letters, digits, - or _'); if (clientId) out.clientId = clientId
  if (has(raw, 'apiKey') && raw.apiKey !== undefined) {
    if (!isPlainObject(raw.apiKey)) errs.add(at('apiKey'), 'must be an object')
    else {
      out.apiKey = {}
      if (raw.apiKey.id !== undefined) {
        if (typeof raw.apiKey.id !== 'string' || !/^api_[A-Za-z0-9]{1,64}$/.test(raw.apiKey.id)) errs.add(at('apiKey.id'), 'must look like api_ followed by letters and digits')
        else out.apiKey.id = raw.apiKey.id
      }
      if (raw.apiKey.secret !== undefined) {
        if (typeof raw.apiKey.secret !== 'string' || !SECRET.test(raw.apiKey.secret)) errs.add(at('apiKey.secret'), 'must be 8 to 256 printable characters without spaces')
        else out.apiKey.secret = raw.apiKey.secret
      }
    }
  }
  const signingSecret = str('signingSecret', SIGNING_SECRET, 'must be 32 to 512 printable characters without spaces')
  if (signingSecret !== undefined) out.signingSecret = signingSecret
  const webhookSecret = str('webhookSecret', WEBHOOK_SECRET, 'must be 16 to 512 printable characters without spaces')
  if (webhookSecret !== undefined) out.webhookSecret = webhookSecret
  const rateLimits = bool('rateLimits'); if (rateLimits !== undefined) out.rateLimits = rateLimits
  const fmt = oneOf('sessionFormat', SESSION_FORMATS); if (fmt) out.sessionFormat = fmt
  for (const [k, message] of Object.entries(RETIRED_FIELDS)) if (has(raw, k)) errs.add(at(k), message)
  const pttl = seconds('passcodeTtlSeconds', 1, 31_536_000); if (pttl !== undefined) out.passcodeTtlSeconds = pttl
  const sttl = seconds('sessionTtlSeconds', 1, 31_536_000); if (sttl !== undefined) out.sessionTtlSeconds = sttl
  if (has(raw, 'connector') && raw.connector !== undefined) {
    const c = raw.connector
    if (!isPlainObject(c)) errs.add(at('connector'), 'must be an object: {"outcome": "success" | "abort" | "error", "auto": true | false}')
    else {
      out.connector = {}
      for (const k of Object.keys(c)) if (k !== 'outcome' && k !== 'auto') errs.add(at(`connector.${k}`), 'is not a known field (outcome, auto)')
      if (c.outcome !== undefined) {
        if (!CONNECTOR_OUTCOMES.includes(c.outcome as ConnectorSettings['outcome'])) errs.add(at('connector.outcome'), `must be one of: ${CONNECTOR_OUTCOMES.join(', ')}`)
        else out.connector.outcome = c.outcome as ConnectorSettings['outcome']
      }
      if (c.auto !== undefined) {
        if (typeof c.auto !== 'boolean') errs.add(at('connector.auto'), 'must be a boolean')
        else out.connector.auto = c.auto
      }
    }
  }
  if (has(raw, 'testIdentities') && raw.testIdentities !== undefined) {
    if (!Array.isArray(raw.testIdentities)) errs.add(at('testIdentities'), 'must be an array')
    else {
      // One passcode per username: a repeat would break the table's key, so it is a 422 here.
      const seen = new Set<string>()
      out.testIdentities = raw.testIdentities.flatMap((ti, i) => parseTestIdentity(ti, errs, at(`testIdentities.${i}`)).filter(t => {
        if (!seen.has(t.username)) { seen.add(t.username); return true }
        errs.add(at(`testIdentities.${i}.${t.username.startsWith('+') ? 'phone' : 'email'}`), 'is listed twice')
        return false
      }))
    }
  }
  return out
}

function parseTestIdentity (raw: unknown, errs: FieldErrorCollector, path: string): Array<{ username: string, passcode: string }> {
  if (!isPlainObject(raw)) { errs.add(path, 'must be an object'); return [] }
  const { email, phone, passcode } = raw
  let username: string | undefined
  if ((email === undefined) === (phone === undefined)) errs.add(path, 'must have exactly one of email or phone')
  else if (email !== undefined) {
    if (typeof email !== 'string' || !isEmail(normalizeEmail(email))) errs.add(`${path}.email`, 'is invalid')
    else username = normalizeEmail(email)
  } else if (typeof phone !== 'string' || !isE164(phone)) errs.add(`${path}.phone`, 'is invalid')
  else username = phone
  if (typeof passcode !== 'string' || !PASSCODE.test(passcode)) { errs.add(`${path}.passcode`, 'must be a 6-digit number'); return [] }
  return username === undefined ? [] : [{ username, passcode }]
}

export function createEnvironmentService ({ store, clock, ids }: ServiceContext) {
  // Both keys of a signing secret, made once per secret (a recreated environment never sees a stale one).
  const keys = new Map<string, { selfSigned: Buffer, issued: Buffer }>()
  function keysOf (secret: string): { selfSigned: Buffer, issued: Buffer } {
    let found = keys.get(secret)
    if (!found) {
      const selfSigned = Buffer.from(secret, 'utf8')
      found = { selfSigned, issued: createHmac('sha512', selfSigned).update('quiltt-mock issued session tokens').digest() }
      keys.set(secret, found)
    }
    return found
  }

  function view (row: EnvironmentRow, apiKey: ApiKeyRow | undefined = store.environments.apiKeyOf(row.id)): EnvironmentView {
    return {
      id: row.id,
      name: row.name,
      mode: row.mode,
      authStrategy: row.auth_strategy,
      signupsEnabled: row.signups_enabled === 1,
      clientId: row.client_id,
      apiKey: { id: apiKey?.id ?? '', secret: apiKey?.secret ?? '' },
      signingSecret: row.signing_secret,
      webhookSecret: row.webhook_secret,
      sessionFormat: row.session_format,
      rateLimits: row.rate_limits === 1,
      passcodeTtlSeconds: row.passcode_ttl_seconds,
      sessionTtlSeconds: row.session_ttl_seconds,
      testIdentities: store.environments.testIdentities(row.id).map(t =>
        t.username.startsWith('+') ? { phone: t.username, passcode: t.passcode } : { email: t.username, passcode: t.passcode }),
      connector: { outcome: row.connector_outcome, auto: row.connector_auto === 1 },
      createdAt: toIso(row.created_at)
    }
  }

  function require (id: string): EnvironmentRow {
    const row = store.environments.byId(id)
    if (!row) throw errors.environmentNotFound(id)
    return row
  }

  return {
    view,
    require,
    list: (): EnvironmentView[] => store.environments.list().map(r => view(r)),
    get: (id: string): EnvironmentView => view(require(id)),

    /** Creates an environment with its API key; runs inside the caller's transaction when there is one. */
    create (input: EnvironmentInput): EnvironmentRow {
      const now = clock.now()
      const row: Omit<EnvironmentRow, 'seq'> = {
        id: input.id ?? ids.environmentId(),
        name: input.name ?? 'Sandbox',
        mode: input.mode ?? 'SANDBOX',
        auth_strategy: input.authStrategy ?? 'email',
        signups_enabled: input.signupsEnabled === false ? 0 : 1,
        client_id: input.clientId ?? ids.clientId(),
        signing_secret: input.signingSecret ?? ids.signingSecret(),
        webhook_secret: input.webhookSecret ?? ids.webhookSecret(),
        rate_limits: input.rateLimits === false ? 0 : 1,
        session_format: input.sessionFormat ?? 'current',
        passcode_ttl_seconds: input.passcodeTtlSeconds ?? DEFAULT_PASSCODE_TTL_SECONDS,
        session_ttl_seconds: input.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
        connector_outcome: input.connector?.outcome ?? 'success',
        connector_auto: input.connector?.auto === true ? 1 : 0,
        created_at: now
      }
      if (store.environments.byId(row.id)) throw errors.environmentConflict(`Environment id \`${row.id}\``)
      if (store.environments.byClientId(row.client_id)) throw errors.environmentConflict(`clientId \`${row.client_id}\``)
      const secret = input.apiKey?.secret ?? ids.secret()
      if (store.environments.apiKeyBySecret(secret)) throw errors.environmentConflict('That API key secret')
      if (input.apiKey?.id !== undefined && store.environments.apiKeyById(input.apiKey.id)) throw errors.environmentConflict(`API key id \`${input.apiKey.id}\``)
      store.environments.insert(row)
      store.environments.insertApiKey({ id: input.apiKey?.id ?? ids.apiKeyId(), environment_id: row.id, name: `${row.name} API Key`, secret, created_at: now })
      store.environments.replaceTestIdentities(row.id, input.testIdentities ?? [])
      return { ...row, seq: 0 }
    },

    /** POST /emulator/v1/environments. */
    createFromBody (raw: unknown): EnvironmentView {
      const errs = new FieldErrorCollector()
      // As PATCH and fixtures do: a misspelt setting would otherwise be left at its default without a word.
      if (isPlainObject(raw)) for (const k of Object.keys(raw)) if (!ENVIRONMENT_INPUT_FIELDS.includes(k)) errs.add(k, 'is not a known field')
      const input = parseEnvironmentInput(raw ?? {}, errs)
      errs.throwIfAny()
      return view(store.transaction(() => this.create(input)))
    },

    /** PATCH /emulator/v1/environments/{id}: the settings sent change, the rest stays; ids and credentials never change. */
    updateFromBody (id: string, raw: unknown): EnvironmentView {
      const row = require(id)
      const body = isPlainObject(raw) ? raw : {}
      const errs = new FieldErrorCollector()
      for (const k of Object.keys(body)) {
        if (FIXED_FIELDS.includes(k)) errs.add(k, 'cannot be changed: create another environment for other credentials')
        else if (!SETTINGS_FIELDS.includes(k) && !Object.hasOwn(RETIRED_FIELDS, k)) errs.add(k, 'is not a known field')
      }
      const settings = Object.entries(body).filter(([k]) => SETTINGS_FIELDS.includes(k) || Object.hasOwn(RETIRED_FIELDS, k))
      const input = parseEnvironmentInput(Object.fromEntries(settings), errs)
      errs.throwIfAny()
      store.transaction(() => {
        store.environments.update({
          id: row.id,
          name: input.name ?? row.name,
          mode: input.mode ?? row.mode,
          auth_strategy: input.authStrategy ?? row.auth_strategy,
          signups_enabled: input.signupsEnabled === undefined ? row.signups_enabled : Number(input.signupsEnabled),
          rate_limits: input.rateLimits === undefined ? row.rate_limits : Number(input.rateLimits),
          session_format: input.sessionFormat ?? row.session_format,
          passcode_ttl_seconds: input.passcodeTtlSeconds ?? row.passcode_ttl_seconds,
          session_ttl_seconds: input.sessionTtlSeconds ?? row.session_ttl_seconds,
          // Only the connector fields sent change: {"connector": {"auto": true}} keeps the outcome.
          connector_outcome: input.connector?.outcome ?? row.connector_outcome,
          connector_auto: input.connector?.auto === undefined ? row.connector_auto : Number(input.connector.auto),
          webhook_secret: input.webhookSecret ?? row.webhook_secret
        })
        if (input.testIdentities !== undefined) store.environments.replaceTestIdentities(row.id, input.testIdentities)
      })
      return view(require(id))
    },

    delete (id: string): void {
      if (!store.environments.delete(id)) throw errors.environmentNotFound(id)
    },

    byClientId: (clientId: string) => store.environments.byClientId(clientId),

    /** The App Secret check. Unknown secrets, session tokens and deleted environments all get the same 401. */
    authenticateApiKey (secret: string | undefined): { environment: EnvironmentRow, apiKey: ApiKeyRow } {
      const found = secret === undefined ? undefined : store.environments.apiKeyAndEnvironment(secret)
      if (!found) throw errors.apiKeyNotAuthenticated()
      return found
    },

    /** The HMAC key of self-signed session tokens: the environment's signing secret, its UTF-8 bytes. */
    signingKey (row: EnvironmentRow): Buffer {
      return keysOf(row.signing_secret).selfSigned
    },

    /**
     * The HMAC key of the session tokens the emulator issues: derived from the signing secret, and never
     * the secret itself, so that an issued token can never pass as a self-signed one (a revoked one
     * whose session row a reset removed would otherwise come back to life).
     */
    issuedKey (row: EnvironmentRow): Buffer {
      return keysOf(row.signing_secret).issued
    },

    testPasscode: (environmentId: string, username: string): string | undefined =>
      store.environments.testIdentity(environmentId, username)?.passcode
  }
}

export type EnvironmentService = ReturnType<typeof createEnvironmentService>
