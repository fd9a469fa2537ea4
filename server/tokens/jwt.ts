// Session tokens: HS512 JWTs the emulator issues, and self-signed ones (HS256 or HS512), signed and checked with an environment's signing secret.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * HS512 session tokens as Quiltt issues them: header `{"alg":"HS512"}` (no `typ`), the claim superset
 * of current docs (`did`, `uid`, `ver: 2`) and of the SDK's types (`eid`, `cid`, `sub`).
 *
 * Invariant: claim values never contain `>`, `?` or `~`. The SDK decodes the payload with `atob`,
 * which rejects the `-`/`_` that base64url produces for those characters.
 */
export interface SessionClaims {
  iss: 'auth.quiltt.io'
  aud: 'api.quiltt.io'
  sub: string
  uid: string
  eid: string
  cid: string
  did: string
  ver: 2
  jti: string
  iat: number
  nbf: number
  exp: number
}

/**
 * A self-signed session token (seed 002: "We also support self-signed sessions"): signed by the app
 * with its environment's signing secret, HS256 or HS512. `uid` names the profile (its `p_` id or
 * UUID) and `exp` ends it; the rest is optional. Quiltt publishes this format only on request; these
 * are the emulator's choices, written in the README and openapi.yaml.
 */
export interface SelfSignedClaims {
  uid: string
  exp: number
  iat?: number
  nbf?: number
  jti?: string
  eid?: string
}

export type HmacAlgorithm = 'HS256' | 'HS512'
const HASHES: Record<HmacAlgorithm, string> = { HS256: 'sha256', HS512: 'sha512' }

const HEADER = Buffer.from('{"alg":"HS512"}').toString('base64url')

const signature = (key: Buffer, signingInput: string, alg: HmacAlgorithm = 'HS512'): Buffer =>
  createHmac(HASHES[alg], key).update(signingInput).digest()

export function signSessionToken (claims: SessionClaims, key: Buffer): string {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
  return `${input}.${signature(key, input).toString('base64url')}`
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_TOKEN_LENGTH = 4096

function parsePart (part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** Reads the claims without trusting them; `undefined` when the token is not an HS512 JWT we could have made. */
export function decodeUnverified (token: string): SessionClaims | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return undefined
  const [header, payload] = token.split('.') as [string, string, string]
  // Only our exact header: this refuses `alg: none` and every algorithm confusion.
  if (header !== HEADER) return undefined
  const c = parsePart(payload) as Partial<SessionClaims> | undefined
  if (!c || typeof c.eid !== 'string' || typeof c.jti !== 'string' || typeof c.exp !== 'number' || typeof c.nbf !== 'number') return undefined
  return c as SessionClaims
}

const HEADER_KEYS = new Set(['alg', 'typ', 'kid'])
// A NumericDate a date can be written for: up to 9999-12-31T23:59:59Z (`exp: 1e308` must be a 401, not a 500).
const MAX_NUMERIC_DATE = 253_402_300_799
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_NUMERIC_DATE
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v)
const isShortString = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 256

/**
 * Reads a self-signed token without trusting it: an HMAC algorithm we accept (never `none`, never a
 * public-key algorithm), and claims of the right types. `undefined` for anything else.
 */
export function decodeSelfSigned (token: string): { alg: HmacAlgorithm, claims: SelfSignedClaims } | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return undefined
  const [headerPart, payloadPart] = token.split('.') as [string, string, string]
  const header = parsePart(headerPart)
  if (!header || !Object.keys(header).every(k => HEADER_KEYS.has(k))) return undefined
  const alg = header.alg
  if (alg !== 'HS256' && alg !== 'HS512') return undefined
  // RFC 7519 recommends "JWT" in upper case and says the value is case-insensitive.
  if (!optional(header.typ, v => typeof v === 'string' && v.toUpperCase() === 'JWT')) return undefined
  const c = parsePart(payloadPart)
  if (!c || !isShortString(c.uid) || !isNumber(c.exp)) return undefined
  if (!optional(c.iat, isNumber) || !optional(c.nbf, isNumber) || !optional(c.jti, isShortString) || !optional(c.eid, isShortString)) return undefined
  return { alg, claims: c as unknown as SelfSignedClaims }
}

export function verifySignature (token: string, key: Buffer, alg: HmacAlgorithm = 'HS512'): boolean {
  const dot = token.lastIndexOf('.')
  const expected = signature(key, token.slice(0, dot), alg)
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * A token's fingerprint, for revoking a self-signed token that carries no `jti`: by what it means, not
 * how it is written. The signature part is taken as the bytes it decodes to: the last base64url
 * character carries bits a decoder ignores, so one signature has several spellings, and a revoked
 * token spelt another way was accepted again. (The header and payload are signed as written, so
 * another spelling of those fails the signature.)
 */
export function tokenDigest (token: string): string {
  const dot = token.lastIndexOf('.')
  const canonical = `${token.slice(0, dot + 1)}${Buffer.from(token.slice(dot + 1), 'base64url').toString('base64url')}`
  return createHash('sha256').update(canonical).digest('hex')
}
