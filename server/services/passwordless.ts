// The passwordless flow: identify (a passcode is issued) and authenticate (a passcode is exchanged for a session).
import { errors, FieldErrorCollector, ValidationError } from '../errors.js'
import { safeEqual } from '../secrets.js'
import type { EnvironmentRow } from '../store/environments.js'
import type { ProfileRow } from '../store/profiles.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import { EMAIL_INVALID, isE164, isEmail, isPlainObject, normalizeEmail, PASSCODE } from './formats.js'
import type { ProfileService } from './profiles.js'
import type { SessionService, SessionView } from './sessions.js'

export const MAX_PASSCODE_ATTEMPTS = 5

interface Credentials {
  environment: EnvironmentRow
  channel: 'email' | 'phone'
  username: string
  passcode?: string
}

/** A passcode just sent, for the terminal: Firebase's emulator prints its codes too. */
export interface IssuedPasscode { code: string, username: string, environmentId: string, clientId: string }

export type IdentifyResult = { status: 201, session: SessionView } | { status: 202, passcode: IssuedPasscode }

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== ''

/**
 * Reads the passwordless body in any of the forms clients have sent over the years: the SDK's
 * `{"session":{"clientId",...}}`, the flat form of the 2022 guide, and `deploymentId` for `clientId`.
 */
function readCredentials (rawBody: unknown, environments: EnvironmentService, withPasscode: boolean): Credentials {
  const body = isPlainObject(rawBody) ? rawBody : {}
  const src = isPlainObject(body.session) ? body.session : body
  const errs = new FieldErrorCollector()
  const clientId = src.clientId ?? src.deploymentId
  const environment = typeof clientId === 'string' && clientId !== '' ? environments.byClientId(clientId) : undefined
  if (!present(clientId)) errs.add('clientId', "can't be blank")
  else if (!environment) errs.add('clientId', 'is invalid')
  if (withPasscode) {
    if (!present(src.passcode)) errs.add('passcode', "can't be blank")
    else if (typeof src.passcode !== 'string' || !PASSCODE.test(src.passcode)) errs.add('passcode', 'must be a 6-digit number')
  }
  if (!environment) throw new ValidationError(errs.fields)

  // The environment's strategy decides which username is allowed.
  const channel = environment.auth_strategy
  const other = channel === 'email' ? 'phone' : 'email'
  if (present(src[other])) errs.add(other, `is not allowed: this Environment authenticates by ${channel}`)
  const raw = src[channel]
  let username = ''
  if (!present(raw)) errs.add(channel, "can't be blank")
  else if (typeof raw !== 'string') errs.add(channel, 'must be a string')
  else if (channel === 'email') {
    username = normalizeEmail(raw)
    if (!isEmail(username)) errs.add('email', EMAIL_INVALID)
  } else {
    username = raw.trim()
    if (!isE164(username)) errs.add('phone', 'is invalid')
  }
  errs.throwIfAny()
  return { environment, channel, username, ...(withPasscode ? { passcode: src.passcode as string } : {}) }
}

export function createPasswordlessService (
  { store, clock, ids }: ServiceContext,
  environments: EnvironmentService,
  profiles: ProfileService,
  sessions: SessionService
) {
  /**
   * A new passcode replaces any outstanding one, and the message that would carry it goes to the outbox.
   * `code` fixes the digits (provider states); otherwise a test identity's passcode, or random ones.
   */
  function sendPasscode (environment: EnvironmentRow, profile: ProfileRow, channel: 'email' | 'phone', username: string, code?: string): IssuedPasscode {
    const now = clock.now()
    code ??= environments.testPasscode(environment.id, username) ?? ids.passcode()
    store.passcodes.replaceOutstanding(environment.id, username, now)
    store.passcodes.insert({
      environment_id: environment.id,
      profile_id: profile.id,
      channel,
      username,
      code,
      issued_at: now,
      expires_at: now + environment.passcode_ttl_seconds * 1000
    })
    const minutes = Math.max(1, Math.round(environment.passcode_ttl_seconds / 60))
    store.messages.insert({
      environment_id: environment.id,
      channel: channel === 'email' ? 'email' : 'sms',
      recipient: username,
      subject: channel === 'email' ? `Your ${environment.name} passcode` : null,
      text: channel === 'email'
        ? `Your passcode is ${code}. It expires in ${minutes} minutes. If you did not ask to log in, you can ignore this email.`
        : `Your passcode is ${code}. It expires in ${minutes} minutes.`,
      passcode: code,
      sent_at: now
    })
    return { code, username, environmentId: environment.id, clientId: environment.client_id }
  }

  return {
    sendPasscode,

    /** POST /v1/users/session: 201 and a session for a new username, 202 and a passcode for a known one. */
    identify (body: unknown): IdentifyResult {
      const { environment, channel, username } = readCredentials(body, environments, false)
      return store.transaction((): IdentifyResult => {
        const existing = store.profiles.byUsername(environment.id, channel, username)
        if (existing) {
          return { status: 202, passcode: sendPasscode(environment, existing, channel, username) }
        }
        if (environment.signups_enabled === 0) throw errors.signupsDisabled()
        const profile = profiles.create(environment, undefined, { [channel]: username })
        return { status: 201, session: sessions.start(environment, profile, 'passwordless').view }
      })
    },

    /** PUT /v1/users/session: the outstanding passcode, once, before it expires, within 5 tries. */
    authenticate (body: unknown): SessionView {
      const { environment, channel, username, passcode } = readCredentials(body, environments, true)
      const outcome = store.transaction((): SessionView | undefined => {
        const profile = store.profiles.byUsername(environment.id, channel, username)
        const open = store.passcodes.latestOpen(environment.id, username)
        const now = clock.now()
        if (!profile || !open || open.expires_at <= now) return undefined
        if (passcode === undefined || !safeEqual(open.code, passcode)) {
          store.passcodes.fail(open.id, MAX_PASSCODE_ATTEMPTS, now)
          return undefined
        }
        if (!store.passcodes.consume(open.id, passcode, now)) return undefined
        return sessions.start(environment, profile, 'passwordless').view
      })
      // Thrown outside the transaction so the counted wrong try is kept.
      if (!outcome) throw errors.passcodeNotAuthenticated()
      return outcome
    }
  }
}
