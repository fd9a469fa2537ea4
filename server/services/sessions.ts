// Sessions: issuing (with the rate limit), checking a session token, revoking, and the session object Quiltt returns.
import { toIso } from '../clock.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { ApiKeyRow, EnvironmentRow } from '../store/environments.js'
import type { ProfileRow } from '../store/profiles.js'
import type { SessionRow } from '../store/sessions.js'
import { decodeUnverified, type SessionClaims, signSessionToken, verifySignature } from '../tokens/jwt.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import { isPlainObject } from './formats.js'
import { parseProfileAttributes, type ProfileService } from './profiles.js'

/** The session object of every 200/201 that carries a token: the legacy fields and the current ones together. */
export interface SessionView {
  id: string
  token: string
  userId: string
  userUuid: string
  environmentId: string
  expiration: number
  expiresAt: string
}

export interface AuthenticatedSession {
  environment: EnvironmentRow
  session: SessionRow
  profile: ProfileRow
  token: string
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
// Quiltt's documented issuing limits, per profile.
export const RATE_LIMITS = [{ windowMs: HOUR_MS, max: 10 }, { windowMs: DAY_MS, max: 20 }] as const
const VERIFIED_TOKENS_MAX = 1024

export function createSessionService (
  { store, clock, ids }: ServiceContext,
  environments: EnvironmentService,
  profiles: ProfileService
) {
  // Tokens whose signature was checked, with the key it was checked against. A token verifies the same
  // way under the same key every time, so only its first request pays for the HMAC; a recreated
  // environment has a new key and misses. Whether the session is still valid is always read from the
  // database. Bounded, oldest out first.
  const verified = new Map<string, { claims: SessionClaims, key: Buffer }>()

  function view (environment: EnvironmentRow, profile: ProfileRow, session: SessionRow, token: string): SessionView {
    return {
      id: session.id,
      token,
      userId: environment.user_id_format === 'profileId' ? profile.id : profile.uuid,
      userUuid: profile.uuid,
      environmentId: environment.id,
      expiration: Math.floor(session.expires_at / 1000),
      expiresAt: toIso(session.expires_at)
    }
  }

  /** Creates a session row and its signed token. Callers run it inside their transaction. */
  function start (environment: EnvironmentRow, profile: ProfileRow, via: SessionRow['via'], apiKey?: ApiKeyRow): SessionView {
    const iat = Math.floor(clock.now() / 1000)
    const exp = iat + environment.session_ttl_seconds
    const session: SessionRow = {
      id: ids.uuid(),
      environment_id: environment.id,
      profile_id: profile.id,
      via,
      issued_at: clock.now(),
      expires_at: exp * 1000,
      revoked_at: null
    }
    store.sessions.insert(session)
    const token = signSessionToken({
      iss: 'auth.quiltt.io',
      aud: 'api.quiltt.io',
      sub: profile.uuid,
      uid: profile.id,
      eid: environment.id,
      cid: environment.client_id,
      did: apiKey?.id ?? environment.client_id,
      ver: 2,
      jti: session.id,
      iat,
      nbf: iat,
      exp
    }, environments.signingKey(environment))
    return view(environment, profile, session, token)
  }

  function isTestIdentity (environment: EnvironmentRow, profile: ProfileRow): boolean {
    const username = environment.auth_strategy === 'email' ? profile.email : profile.phone
    return username !== null && environments.testPasscode(environment.id, username) !== undefined
  }

  /** 10 per hour and 20 per day per profile; revoked sessions give their quota back. */
  function assertWithinRateLimit (environment: EnvironmentRow, profile: ProfileRow): void {
    if (environment.rate_limits === 0 || isTestIdentity(environment, profile)) return
    const now = clock.now()
    const issued = store.sessions.issuedSince(profile.id, now - DAY_MS)
    let retryAfterMs = 0
    for (const { windowMs, max } of RATE_LIMITS) {
      const inWindow = issued.filter(t => t > now - windowMs)
      // Newest first: once the max-th newest leaves the window, one more fits.
      if (inWindow.length >= max) retryAfterMs = Math.max(retryAfterMs, inWindow[max - 1]! + windowMs - now)
    }
    if (retryAfterMs > 0) throw errors.rateLimited(Math.max(1, Math.ceil(retryAfterMs / 1000)))
  }

  return {
    start,

    /** POST /v1/users/sessions: the App Secret flow of the server-side guide. */
    issue (environment: EnvironmentRow, apiKey: ApiKeyRow, rawBody: unknown): SessionView {
      const body = isPlainObject(rawBody) ? rawBody : {}
      const errs = new FieldErrorCollector()
      const patch = parseProfileAttributes(body, errs)
      const userId = body.userId
      let uuid: string | undefined
      if (userId !== undefined && userId !== null) {
        if (typeof userId !== 'string' || userId === '') errs.add('userId', 'must be a profile ID or UUID')
        if (body.uuid !== undefined && body.uuid !== null) errs.add('uuid', 'cannot be combined with userId: a UUID is only assigned to a new profile')
      } else {
        uuid = profiles.parseNewUuid(body, errs)
      }
      errs.throwIfAny()
      return store.transaction(() => {
        let profile: ProfileRow
        if (typeof userId === 'string') {
          profile = profiles.require(environment.id, userId)
          assertWithinRateLimit(environment, profile)
          profile = profiles.update(profile, patch)
        } else {
          profile = profiles.create(environment, uuid, patch)
        }
        return start(environment, profile, 'apiKey', apiKey)
      })
    },

    /**
     * Checks a session token: shape, our exact HS512 header, the signature with its environment's key,
     * the time window, and that the session still exists unrevoked. Any failure is the same 401.
     */
    authenticate (token: string | undefined): AuthenticatedSession {
      if (token === undefined) throw errors.sessionNotAuthenticated()
      const known = verified.get(token)
      const claims = known?.claims ?? decodeUnverified(token)
      if (!claims) throw errors.sessionNotAuthenticated()
      const found = store.sessions.withOwners(claims.jti)
      if (!found || found.environment.id !== claims.eid) throw errors.sessionNotAuthenticated()
      const { environment, session, profile } = found
      const key = environments.signingKey(environment)
      if (known?.key !== key) {
        if (!verifySignature(token, key)) throw errors.sessionNotAuthenticated()
        if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!)
        verified.set(token, { claims, key })
      }
      const now = clock.now()
      if (session.revoked_at !== null || session.expires_at <= now || claims.exp * 1000 <= now || claims.nbf * 1000 > now) {
        throw errors.sessionNotAuthenticated()
      }
      return { environment, session, profile, token }
    },

    view: (a: AuthenticatedSession): SessionView => view(a.environment, a.profile, a.session, a.token),

    /** Revokes only this session; the profile's other sessions stay valid. */
    revoke (a: AuthenticatedSession): void {
      if (!store.sessions.revoke(a.session.id, clock.now())) throw errors.sessionNotAuthenticated()
    }
  }
}

export type SessionService = ReturnType<typeof createSessionService>
