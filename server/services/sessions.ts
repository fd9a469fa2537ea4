// Sessions: issuing (with the rate limit), checking a session token, revoking, and the session object Quiltt returns.
import { createHash } from 'node:crypto'
import { toIso } from '../clock.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { ApiKeyRow, EnvironmentRow } from '../store/environments.js'
import type { ProfileRow } from '../store/profiles.js'
import type { SessionRow } from '../store/sessions.js'
import { decodeSelfSigned, decodeUnverified, type SessionClaims, signSessionToken, tokenDigest, verifySignature } from '../tokens/jwt.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import { isPlainObject, isUuid } from './formats.js'
import { parseProfileAttributes, type ProfileService } from './profiles.js'

/** Quiltt's UserSession (2026-04-01), exactly: the default `sessionFormat`, "current". */
export interface CurrentSessionView {
  token: string
  userId: string
  userUuid: string
  environmentId: string
  expiration: number
  expiresAt: string
}

/** The seed guide's session object, for environments whose `sessionFormat` is "legacy". */
export interface LegacySessionView {
  id: string
  expiration: number
  userId: string
  token: string
}

/** The session object of every 200/201 that carries a token, in its environment's format. */
export type SessionView = CurrentSessionView | LegacySessionView

/** A session just started: its row, its token and the answer to send. */
export interface StartedSession {
  session: SessionRow
  token: string
  view: SessionView
}

/** A token that passed every check: issued by the emulator (with a session row) or self-signed. */
export interface AuthenticatedSession {
  environment: EnvironmentRow
  profile: ProfileRow
  token: string
  /** The session's id: its row's, or for a self-signed token its `jti` (a UUID made from the token when it has none). */
  sessionId: string
  expiresAtMs: number
  /** Issued tokens only. */
  session?: SessionRow
  /** Self-signed tokens only: what a revocation is recorded under (`jti`, else the token's SHA-256). */
  selfSignedId?: string
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
// Quiltt's documented issuing limits, per profile.
export const RATE_LIMITS = [{ windowMs: HOUR_MS, max: 10 }, { windowMs: DAY_MS, max: 20 }] as const
const VERIFIED_TOKENS_MAX = 1024

/**
 * The session id a self-signed token stands for: its `jti` when that is a UUID, else a UUID made from
 * it, so the legacy format's `id` is always a UUID and the same token always gets the same one.
 */
function sessionIdOf (selfSignedId: string): string {
  if (isUuid(selfSignedId)) return selfSignedId.toLowerCase()
  const h = createHash('sha256').update(selfSignedId).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

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

  function view (environment: EnvironmentRow, profile: ProfileRow, sessionId: string, expiresAtMs: number, token: string): SessionView {
    const expiration = Math.floor(expiresAtMs / 1000)
    if (environment.session_format === 'legacy') return { id: sessionId, expiration, userId: profile.uuid, token }
    return { token, userId: profile.id, userUuid: profile.uuid, environmentId: environment.id, expiration, expiresAt: toIso(expiration * 1000) }
  }

  /**
   * A token the app signed itself with its environment's signing secret. The environment is the one
   * `eid` names, else the one whose profile `uid` names (a UUID may be in several: the first whose
   * secret verifies the signature wins). Any failure is undefined, and so the same 401.
   */
  function authenticateSelfSigned (token: string): AuthenticatedSession | undefined {
    const decoded = decodeSelfSigned(token)
    if (!decoded) return undefined
    const { alg, claims } = decoded
    const candidates = claims.eid !== undefined ? [claims.eid] : store.profiles.environmentsOf(claims.uid)
    for (const environmentId of candidates) {
      const environment = store.environments.byId(environmentId)
      if (!environment || !verifySignature(token, environments.signingKey(environment), alg)) continue
      const profile = profiles.find(environment.id, claims.uid)
      if (!profile) return undefined
      const now = clock.now()
      if (claims.exp * 1000 <= now || (claims.nbf !== undefined && claims.nbf * 1000 > now)) return undefined
      const selfSignedId = claims.jti ?? tokenDigest(token)
      if (store.revokedTokens.isRevoked(environment.id, selfSignedId)) return undefined
      return { environment, profile, token, sessionId: sessionIdOf(selfSignedId), expiresAtMs: claims.exp * 1000, selfSignedId }
    }
    return undefined
  }

  /** Creates a session row and its signed token. Callers run it inside their transaction. */
  function start (environment: EnvironmentRow, profile: ProfileRow, via: SessionRow['via'], apiKey?: ApiKeyRow): StartedSession {
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
    }, environments.issuedKey(environment))
    return { session, token, view: view(environment, profile, session.id, session.expires_at, token) }
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
        return start(environment, profile, 'apiKey', apiKey).view
      })
    },

    /**
     * Checks a session token: shape, our exact HS512 header, the signature with its environment's key,
     * the time window, and that the session still exists unrevoked. A token that names no session of
     * ours may be self-signed (see authenticateSelfSigned). Any failure is the same 401.
     */
    authenticate (token: string | undefined): AuthenticatedSession {
      if (token === undefined) throw errors.sessionNotAuthenticated()
      const known = verified.get(token)
      const claims = known?.claims ?? decodeUnverified(token)
      const found = claims === undefined ? undefined : store.sessions.withOwners(claims.jti)
      const key = found === undefined ? undefined : environments.issuedKey(found.environment)
      const issued = claims !== undefined && found !== undefined && key !== undefined && found.environment.id === claims.eid &&
        (known?.key === key || verifySignature(token, key))
      if (!issued) {
        const selfSigned = authenticateSelfSigned(token)
        if (!selfSigned) throw errors.sessionNotAuthenticated()
        return selfSigned
      }
      const { environment, session, profile } = found
      if (known?.key !== key) {
        if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!)
        verified.set(token, { claims, key })
      }
      const now = clock.now()
      if (session.revoked_at !== null || session.expires_at <= now || claims.exp * 1000 <= now || claims.nbf * 1000 > now) {
        throw errors.sessionNotAuthenticated()
      }
      return { environment, session, profile, token, sessionId: session.id, expiresAtMs: session.expires_at }
    },

    view: (a: AuthenticatedSession): SessionView => view(a.environment, a.profile, a.sessionId, a.expiresAtMs, a.token),

    /** Revokes only this session; the profile's other sessions stay valid. A self-signed token is revoked by its `jti`. */
    revoke (a: AuthenticatedSession): void {
      const now = clock.now()
      const revoked = a.session
        ? store.sessions.revoke(a.session.id, now)
        : store.revokedTokens.revoke(a.environment.id, a.selfSignedId!, now, a.expiresAtMs)
      if (!revoked) throw errors.sessionNotAuthenticated()
    }
  }
}

export type SessionService = ReturnType<typeof createSessionService>
