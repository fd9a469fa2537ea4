// Pact provider states: what each named state sets up in the emulator.
import { toIso } from '../clock.js'
import { errors, FieldErrorCollector, fieldError } from '../errors.js'
import type { EnvironmentRow, EnvironmentSettings } from '../store/environments.js'
import type { ProfileRow } from '../store/profiles.js'
import type { EnvironmentSnapshot } from '../store/snapshots.js'
import type { ServiceContext } from './context.js'
import type { FixtureDocument } from './fixtures.js'
import { isPlainObject, PASSCODE } from './formats.js'
import type { Services } from './index.js'
import { didYouMean } from './suggest.js'
import { parseProfileAttributes, type ProfilePatch } from './profiles.js'
import { RATE_LIMITS } from './sessions.js'

/** Pact's state-change request: `POST {state, params, action}` before (setup) and after (teardown) each interaction. */
export interface StateChange {
  state?: string
  params?: Record<string, unknown> | null
  action?: 'setup' | 'teardown'
}

/** Values a state hands back for Pact's provider-state injection (`fromProviderState('${token}')`). */
export type StateValues = Record<string, string | number>

type Params = Record<string, unknown>
type Handler = (params: Params) => StateValues

// What a state's params may name: where it acts, and the profile it is about.
const PROFILE_PARAMS = ['environmentId', 'uuid', 'email', 'phone', 'name', 'names', 'dateOfBirth', 'address', 'metadata'] as const

/**
 * Every provider state and the params it reads. `quiltt-mock verify` checks pacts against this before
 * the replay, and a state change naming a param outside it is a 422 with a "did you mean".
 */
export const PROVIDER_STATES: Readonly<Record<string, readonly string[]>> = {
  'a profile exists': PROFILE_PARAMS,
  'no profile exists': PROFILE_PARAMS,
  'a passcode was issued': [...PROFILE_PARAMS, 'passcode'],
  'a session exists': PROFILE_PARAMS,
  'a session was revoked': PROFILE_PARAMS,
  'signups are disabled': ['environmentId'],
  'sessions are in the legacy format': ['environmentId'],
  'the session limit is reached': PROFILE_PARAMS,
  'a profile has a connection with accounts': [...PROFILE_PARAMS, 'connectionId', 'accountId']
}

/** The problems with a state's name and params, each a sentence; none when Pact may set it up. */
export function providerStateProblems (name: string, params: unknown): string[] {
  if (name === '') return []
  if (!Object.hasOwn(PROVIDER_STATES, name)) return [`unknown provider state "${name}"${didYouMean(name, Object.keys(PROVIDER_STATES))}`]
  if (params === undefined || params === null) return []
  if (!isPlainObject(params)) return [`state "${name}": params must be an object`]
  const known = PROVIDER_STATES[name]!
  return Object.keys(params).filter(k => !known.includes(k)).map(k =>
    `state "${name}": unknown param "${k}"${didYouMean(k, known)}; it takes ${known.join(', ')}`)
}

/**
 * The provider states of the public contract (README, contracts/README.md). Their names are an
 * interface: users' pacts name them, so a name never changes once shipped.
 *
 * Every state acts on the fixture environments (or on `params.environmentId`): one whose strategy
 * matches the username given (`phone` picks the first phone-strategy fixture environment), else the
 * first one.
 *
 * verify never changes or deletes what it did not create, so a running emulator a developer uses can be
 * verified: every setup first takes a snapshot of the fixture environments (and of any other one a state
 * is about to touch) unless one is already held, and a teardown puts every snapshotted environment back
 * as it was (its settings, profiles, sessions, passcodes, messages, revocations: every row it owns, see
 * store/snapshots.ts) and drops the snapshots. So each interaction starts from the emulator as it was
 * before the run, settings made before it (a PATCH to the legacy format) hold, and nothing is left behind.
 */
export function createProviderStateService ({ store, clock }: ServiceContext, services: Services, startup: FixtureDocument) {
  const { environments, profiles, sessions, passwordless, connections } = services
  const fixtureIds = startup.environments.map(e => e.input.id!)
  const snapshots = new Map<string, EnvironmentSnapshot>()

  /** Snapshots an environment before a state changes it, unless this interaction's snapshot is held. */
  function protect (id: string): void {
    if (snapshots.has(id) || !store.environments.byId(id)) return
    snapshots.set(id, store.snapshots.take([id]))
  }

  function environmentFor (params: Params, channel?: 'email' | 'phone'): EnvironmentRow {
    let env: EnvironmentRow | undefined
    if (params.environmentId !== undefined) {
      if (typeof params.environmentId !== 'string') throw fieldError('params.environmentId', 'must be a string')
      env = environments.require(params.environmentId)
    } else {
      const candidates = fixtureIds.flatMap(id => store.environments.byId(id) ?? [])
      env = candidates.find(e => e.auth_strategy === channel) ?? candidates[0]
      if (!env) throw errors.badRequest('No fixture environment is loaded. Pass params.environmentId, or reset the emulator.')
    }
    protect(env.id)
    return env
  }

  /** The channel a state's params name: email wins when both are given. */
  const channelOf = (params: Params): 'email' | 'phone' | undefined =>
    params.email !== undefined ? 'email' : params.phone !== undefined ? 'phone' : undefined

  /** The profile's attributes and UUID from a state's params, every bad value reported at `params.<field>`. */
  function readProfileParams (params: Params): { uuid: string | undefined, patch: ProfilePatch } {
    const errs = new FieldErrorCollector()
    const patch = parseProfileAttributes(params, errs, 'params.')
    const uuidErrs = new FieldErrorCollector()
    const uuid = profiles.parseNewUuid(params, uuidErrs)
    for (const m of uuidErrs.fields.uuid ?? []) errs.add('params.uuid', m)
    errs.throwIfAny()
    return { uuid, patch }
  }

  /** A UUID names the profile when given; otherwise its email, then its phone. */
  function findProfile (env: EnvironmentRow, uuid: string | undefined, patch: ProfilePatch): ProfileRow | undefined {
    if (uuid !== undefined) return profiles.find(env.id, uuid)
    return (patch.email ? store.profiles.byUsername(env.id, 'email', patch.email) : undefined) ??
      (patch.phone ? store.profiles.byUsername(env.id, 'phone', patch.phone) : undefined)
  }

  /** Finds the profile the params name and applies the other attributes, or creates it. */
  function ensureProfile (env: EnvironmentRow, params: Params): ProfileRow {
    const { uuid, patch } = readProfileParams(params)
    const existing = findProfile(env, uuid, patch)
    return existing ? profiles.update(existing, patch) : profiles.create(env, uuid, patch)
  }

  const profileValues = (env: EnvironmentRow, p: ProfileRow): StateValues => ({
    // What the environment's session objects call userId: the p_ id, or the UUID in the legacy format.
    userId: env.session_format === 'legacy' ? p.uuid : p.id,
    uuid: p.uuid,
    profileId: p.id,
    environmentId: env.id,
    ...(p.email === null ? {} : { email: p.email }),
    ...(p.phone === null ? {} : { phone: p.phone })
  })

  function sessionState (params: Params, revoked: boolean): StateValues {
    const env = environmentFor(params, channelOf(params))
    const profile = ensureProfile(env, params)
    const { session, token } = sessions.start(env, profile, 'fixture')
    if (revoked) store.sessions.revoke(session.id, clock.now())
    return { ...profileValues(env, profile), token, sessionId: session.id, expiresAt: toIso(session.expires_at) }
  }

  /** Every fixture environment, or the one `params.environmentId` names: what a state about settings changes. */
  function targetsOf (params: Params): EnvironmentRow[] {
    const targets = params.environmentId === undefined ? fixtureIds.flatMap(id => store.environments.byId(id) ?? []) : [environmentFor(params)]
    for (const env of targets) protect(env.id)
    return targets
  }

  /** The row's settings columns, for store.environments.update. */
  function settingsOf (env: EnvironmentRow): EnvironmentSettings {
    /* eslint-disable camelcase -- the store's column names */
    const { id, name, mode, auth_strategy, signups_enabled, rate_limits, session_format, passcode_ttl_seconds, session_ttl_seconds, connector_outcome, connector_auto, webhook_secret } = env
    return { id, name, mode, auth_strategy, signups_enabled, rate_limits, session_format, passcode_ttl_seconds, session_ttl_seconds, connector_outcome, connector_auto, webhook_secret }
    /* eslint-enable camelcase */
  }

  const states: Record<string, Handler> = {
    'a profile exists' (params) {
      const env = environmentFor(params, channelOf(params))
      return profileValues(env, ensureProfile(env, params))
    },

    'no profile exists' (params) {
      const env = environmentFor(params, channelOf(params))
      const { uuid, patch } = readProfileParams(params)
      // Every profile any of the params names: "no profile" holds for each of them.
      const ids = new Set([
        uuid === undefined ? undefined : profiles.find(env.id, uuid),
        patch.email ? store.profiles.byUsername(env.id, 'email', patch.email) : undefined,
        patch.phone ? store.profiles.byUsername(env.id, 'phone', patch.phone) : undefined
      ].flatMap(row => row ? [row.id] : []))
      for (const id of ids) profiles.delete(env.id, id)
      return {}
    },

    'a passcode was issued' (params) {
      const channel = channelOf(params)
      if (channel === undefined) throw fieldError('params.email', "can't be blank: give email or phone")
      if (typeof params.passcode !== 'string' || !PASSCODE.test(params.passcode)) throw fieldError('params.passcode', 'must be a 6-digit number')
      const env = environmentFor(params, channel)
      const profile = ensureProfile(env, params)
      const username = env.auth_strategy === 'email' ? profile.email : profile.phone
      if (username === null) throw fieldError(`params.${env.auth_strategy}`, `can't be blank: this Environment authenticates by ${env.auth_strategy}`)
      passwordless.sendPasscode(env, profile, env.auth_strategy, username, params.passcode)
      return { ...profileValues(env, profile), passcode: params.passcode }
    },

    'a session exists': params => sessionState(params, false),

    'a session was revoked': params => sessionState(params, true),

    // Bank data (docs/bank-data.md): the profile (made as 'a profile exists' makes it) with one SYNCED
    // MOCK connection holding a verified checking account and a savings account, each with a few
    // transactions; a session for GraphQL. `connectionId` and `accountId` choose their ids (a pact may
    // hard-code them); the same ids again reuse the connection.
    'a profile has a connection with accounts' (params) {
      const env = environmentFor(params, channelOf(params))
      const profile = ensureProfile(env, params)
      for (const key of ['connectionId', 'accountId'] as const) {
        if (params[key] !== undefined && typeof params[key] !== 'string') throw fieldError(`params.${key}`, 'must be a string')
      }
      const connectionId = (params.connectionId as string | undefined) ?? 'conn_1PactConnection0000000'
      const accountId = (params.accountId as string | undefined) ?? 'acct_1PactChecking00000000'
      const existing = connections.find(env.id, profile.id, connectionId)
      const connection = existing ?? connections.create(env.id, profile.id, {
        id: connectionId,
        institution: { name: 'First Platypus Bank' },
        accounts: [
          {
            id: accountId,
            name: 'Everyday Checking',
            accountNumber: '30930901',
            balance: { current: 1520.33, available: 1490.1 },
            transactions: [
              { date: '2026-01-02', amount: -4.75, description: 'Corner Bean Coffee' },
              { date: '2026-01-01', amount: 2500, description: 'Payroll Deposit - Acme Widgets Inc' }
            ]
          },
          { name: 'High-Yield Savings', balance: { current: 10250 }, transactions: [{ date: '2026-01-01', amount: 12.5, description: 'Interest Payment' }] }
        ]
      })
      const { session, token } = sessions.start(env, profile, 'fixture')
      return {
        ...profileValues(env, profile),
        token,
        sessionId: session.id,
        connectionId: connection.id,
        accountId: connection.accounts[0]!.id,
        ...(connection.accounts[1] ? { savingsAccountId: connection.accounts[1].id } : {})
      }
    },

    'signups are disabled' (params) {
      for (const env of targetsOf(params)) store.environments.update({ ...settingsOf(env), signups_enabled: 0 })
      return {}
    },

    // For pacts written from the seed guides: their session objects are {id, expiration, userId, token}.
    'sessions are in the legacy format' (params) {
      for (const env of targetsOf(params)) store.environments.update({ ...settingsOf(env), session_format: 'legacy' })
      return {}
    },

    'the session limit is reached' (params) {
      const env = environmentFor(params, channelOf(params))
      const profile = ensureProfile(env, params)
      const { windowMs, max } = RATE_LIMITS[0]
      if (env.rate_limits === 0) store.environments.update({ ...settingsOf(env), rate_limits: 1 })
      const apiKey = store.environments.apiKeyOf(env.id)
      const used = store.sessions.issuedSince(profile.id, clock.now() - windowMs).length
      for (let i = used; i < max; i++) sessions.start(env, profile, 'apiKey', apiKey)
      return profileValues(env, profile)
    }
  }

  return {
    /** Applies one state change; setup returns the state's values, teardown returns `{}`. */
    change (raw: unknown): StateValues {
      const body: StateChange = isPlainObject(raw) ? raw : {}
      const params: Params = isPlainObject(body.params) ? body.params : {}
      const name = body.state ?? ''
      if (body.action === 'teardown') {
        // Pact tears down after every interaction (once per state, or with "" for none): the first
        // puts everything back, the others find nothing held.
        store.transaction(() => { for (const snapshot of snapshots.values()) store.snapshots.restore(snapshot) })
        snapshots.clear()
        return {}
      }
      // Pact sets up "" for an interaction without a state: its requests change the fixture
      // environments too, so they are snapshotted all the same.
      store.transaction(() => { for (const id of fixtureIds) protect(id) })
      if (name === '') return {}
      // Own keys only: a state named `valueOf` or `constructor` must not find Object.prototype's.
      const handler = Object.hasOwn(states, name) ? states[name] : undefined
      if (!handler) throw errors.unknownProviderState(name, Object.keys(states), didYouMean(name, Object.keys(states)))
      const known = PROVIDER_STATES[name]!
      const errs = new FieldErrorCollector()
      for (const k of Object.keys(params)) if (!known.includes(k)) errs.add(`params.${k}`, `is not a param of this state${didYouMean(k, known)}; it takes ${known.join(', ')}`)
      errs.throwIfAny()
      return store.transaction(() => handler(params))
    }
  }
}

export type ProviderStateService = ReturnType<typeof createProviderStateService>
