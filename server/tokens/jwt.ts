// Session tokens: HS512 JWTs, signed and checked with an environment's key.
import { createHmac, timingSafeEqual } from 'node:crypto'

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

const HEADER = Buffer.from('{"alg":"HS512"}').toString('base64url')

const signature = (key: Buffer, signingInput: string): Buffer =>
  createHmac('sha512', key).update(signingInput).digest()

export function signSessionToken (claims: SessionClaims, key: Buffer): string {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
  return `${input}.${signature(key, input).toString('base64url')}`
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Reads the claims without trusting them; `undefined` when the token is not an HS512 JWT we could have made. */
export function decodeUnverified (token: string): SessionClaims | undefined {
  if (token.length > 4096 || !TOKEN_SHAPE.test(token)) return undefined
  const [header, payload] = token.split('.') as [string, string, string]
  // Only our exact header: this refuses `alg: none` and every algorithm confusion.
  if (header !== HEADER) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    if (typeof claims !== 'object' || claims === null) return undefined
    const c = claims as Partial<SessionClaims>
    if (typeof c.eid !== 'string' || typeof c.jti !== 'string' || typeof c.exp !== 'number' || typeof c.nbf !== 'number') return undefined
    return c as SessionClaims
  } catch {
    return undefined
  }
}

export function verifySignature (token: string, key: Buffer): boolean {
  const dot = token.lastIndexOf('.')
  const expected = signature(key, token.slice(0, dot))
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
