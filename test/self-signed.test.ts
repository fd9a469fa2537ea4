import { createHmac } from 'node:crypto'
import t from 'tap'
import { JsonWebTokenParse } from '@quiltt/core/auth'
import { bearer, build, DEFAULT, expectStatus, issue, settings } from './helper.js'

// The default fixture's signing secret, as the README documents it.
const SECRET = 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000'
const NOW = Math.floor(Date.UTC(2026, 0, 1, 12) / 1000)

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')

/** A self-signed token as an app would make it (what jsonwebtoken's sign() writes). */
function sign (claims: Record<string, unknown>, { secret = SECRET, alg = 'HS256', header }: { secret?: string, alg?: 'HS256' | 'HS512', header?: Record<string, unknown> } = {}): string {
  const input = `${b64(header ?? { alg, typ: 'JWT' })}.${b64(claims)}`
  return `${input}.${createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret).update(input).digest('base64url')}`
}

const ping = (app: Parameters<typeof issue>[0], token: string) => app.inject({ url: '/v1/users/session', headers: bearer(token) })

t.test('a token signed with the signing secret is a session token for ping and introspection, HS256 and HS512, by p_ id or UUID', async t => {
  const { app } = await build(t)
  const profile = (await issue(app, {})).json()
  for (const alg of ['HS256', 'HS512'] as const) {
    for (const uid of [profile.userId, profile.userUuid]) {
      const token = sign({ uid, exp: NOW + 3600, iat: NOW }, { alg })
      const res = await ping(app, token)
      expectStatus(t, res, 200, `${alg} uid ${uid}`)
      t.strictSame(res.json(), {
        token,
        userId: profile.userId,
        userUuid: profile.userUuid,
        environmentId: DEFAULT.environmentId,
        expiration: NOW + 3600,
        expiresAt: new Date((NOW + 3600) * 1000).toISOString().replace('.000Z', 'Z')
      })
      const intro = await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(token) })
      t.strictSame(intro.json(), res.json(), 'introspection gives the same session')
    }
  }
  t.ok(JsonWebTokenParse(sign({ uid: profile.userId, exp: NOW + 60 })), 'the SDK parses a self-signed token too')
  const lowerTyp = sign({ uid: profile.userId, exp: NOW + 60 }, { header: { alg: 'HS256', typ: 'jwt' } })
  expectStatus(t, await ping(app, lowerTyp), 200, 'typ is case-insensitive (RFC 7519)')
})

t.test('issued tokens are signed with a key derived from the secret, so none can pass as self-signed', async t => {
  const { app } = await build(t)
  const env = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  t.equal(env.signingSecret, SECRET, 'the default fixture\'s documented secret')
  const { token } = (await issue(app, {})).json()
  const [h, p, sig] = token.split('.')
  const derived = createHmac('sha512', SECRET).update('quiltt-mock issued session tokens').digest()
  t.equal(createHmac('sha512', derived).update(`${h}.${p}`).digest('base64url'), sig, 'HS512 with the derived key')
  t.not(createHmac('sha512', SECRET).update(`${h}.${p}`).digest('base64url'), sig, 'not with the secret itself')
})

t.test('a revoked issued token stays revoked after its session row is gone (reset, re-seeded profile)', async t => {
  const { app } = await build(t)
  const url = `/emulator/v1/environments/${DEFAULT.environmentId}/profiles`
  const token = (await app.inject({ method: 'POST', url, payload: { id: 'p_TutorialUser1', sessions: 1 } })).json().sessions[0].token
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(token) }), 204)
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset' }), 200)
  expectStatus(t, await app.inject({ method: 'POST', url, payload: { id: 'p_TutorialUser1' } }), 201)
  for (const route of [{ method: 'GET' as const, url: '/v1/users/session' }, { method: 'POST' as const, url: '/v1/introspect/session_token' }]) {
    expectStatus(t, await app.inject({ ...route, headers: bearer(token) }), 401, `${route.method} ${route.url}`)
  }
  // Nor does a live issued token of a deleted profile come back when the id is seeded again.
  const live = (await app.inject({ method: 'POST', url, payload: { id: 'p_TutorialUser2', sessions: 1 } })).json().sessions[0].token
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/profiles/p_TutorialUser2', headers: bearer(DEFAULT.secret) }), 204)
  expectStatus(t, await app.inject({ method: 'POST', url, payload: { id: 'p_TutorialUser2' } }), 201)
  expectStatus(t, await ping(app, live), 401, 'the deleted profile\'s token')
})

t.test('eid names the environment; a uid of another environment, or of no profile, is a 401', async t => {
  const { app } = await build(t)
  const profile = (await issue(app, {})).json()
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { signingSecret: 'x'.repeat(40) } })).json()
  expectStatus(t, await ping(app, sign({ uid: profile.userId, exp: NOW + 60, eid: DEFAULT.environmentId })), 200, 'eid of its environment')
  expectStatus(t, await ping(app, sign({ uid: profile.userId, exp: NOW + 60, eid: other.id })), 401, 'eid of another environment')
  expectStatus(t, await ping(app, sign({ uid: profile.userId, exp: NOW + 60 }, { secret: 'x'.repeat(40) })), 401, 'signed with another environment\'s secret')
  expectStatus(t, await ping(app, sign({ uid: 'p_nobodyHasThisId', exp: NOW + 60 })), 401, 'no such profile')
  expectStatus(t, await ping(app, sign({ uid: '11111111-1111-1111-1111-111111111111', exp: NOW + 60, eid: DEFAULT.environmentId })), 401, 'no such UUID')
  expectStatus(t, await ping(app, sign({ uid: profile.userId, exp: NOW + 60, eid: 'env_nope' })), 401, 'unknown eid')
})

t.test('expired, not yet valid, forged, alg none, other algorithms and malformed claims are 401 in Quiltt\'s shape', async t => {
  const { app, clock } = await build(t)
  const { userId } = (await issue(app, {})).json()
  const good = sign({ uid: userId, exp: NOW + 60 })
  const [h, p] = good.split('.')
  const cases: Array<[string, string]> = [
    ['expired', sign({ uid: userId, exp: NOW })],
    ['not yet valid', sign({ uid: userId, exp: NOW + 60, nbf: NOW + 30 })],
    ['forged', sign({ uid: userId, exp: NOW + 60 }, { secret: 'not-the-secret-but-long-enough-to-be-one' })],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['alg none with a signature', `${b64({ alg: 'none' })}.${p}.${good.split('.')[2]}`],
    ['RS256 header', `${b64({ alg: 'RS256', typ: 'JWT' })}.${p}.${good.split('.')[2]}`],
    ['header changed after signing', `${b64({ alg: 'HS512', typ: 'JWT' })}.${p}.${good.split('.')[2]}`],
    ['claims changed after signing', `${h}.${b64({ uid: userId, exp: NOW + 999_999 })}.${good.split('.')[2]}`],
    ['no exp', sign({ uid: userId })],
    ['exp as text', sign({ uid: userId, exp: String(NOW + 60) })],
    ['exp past the year 9999', sign({ uid: userId, exp: 1e308 })],
    ['no uid', sign({ exp: NOW + 60 })],
    ['uid a number', sign({ uid: 42, exp: NOW + 60 })],
    ['nbf as text', sign({ uid: userId, exp: NOW + 60, nbf: 'soon' })],
    ['an unknown header field', sign({ uid: userId, exp: NOW + 60 }, { header: { alg: 'HS256', typ: 'JWT', crit: ['x'] } })],
    ['the signing secret itself', SECRET]
  ]
  for (const [what, token] of cases) {
    for (const route of [{ method: 'GET' as const, url: '/v1/users/session' }, { method: 'POST' as const, url: '/v1/introspect/session_token' }, { method: 'DELETE' as const, url: '/v1/users/session' }]) {
      const res = await app.inject({ ...route, headers: bearer(token) })
      expectStatus(t, res, 401, `${what}, ${route.method} ${route.url}`)
      t.strictSame(res.json(), { message: 'Not Authenticated', instruction: 'Are you sending a valid and unexpired Session token in the `Authorization` header?' })
    }
  }
  expectStatus(t, await ping(app, good), 200, 'the good token still works')
  clock.advance(60_000)
  expectStatus(t, await ping(app, good), 401, 'and expires at exp')
})

t.test('revoke: by jti, or by the token itself when it has none; other tokens of the profile stay valid', async t => {
  const { app } = await build(t)
  const { userId, token: issued } = (await issue(app, {})).json()
  const withJti = sign({ uid: userId, exp: NOW + 600, jti: 'logout-me' })
  const sameJti = sign({ uid: userId, exp: NOW + 900, jti: 'logout-me', iat: NOW })
  const noJti = sign({ uid: userId, exp: NOW + 600 })
  const otherNoJti = sign({ uid: userId, exp: NOW + 601 })

  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(withJti) }), 204)
  expectStatus(t, await ping(app, withJti), 401, 'revoked')
  expectStatus(t, await ping(app, sameJti), 401, 'another token with the revoked jti')
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(withJti) }), 401, 'revoking twice')

  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(noJti) }), 204)
  expectStatus(t, await ping(app, noJti), 401, 'revoked by the token itself')
  expectStatus(t, await ping(app, otherNoJti), 200, 'a different token without jti is not')
  expectStatus(t, await ping(app, issued), 200, 'the issued session is untouched')
})

t.test('legacy format: the seed guide\'s object, with jti as id (a UUID made from the token when jti is not one)', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const { userId, userUuid } = (await issue(app, {})).json()
  expectStatus(t, await settings(app, { sessionFormat: 'legacy' }), 200)
  const jti = '0b4a6a36-2d6c-4a2c-9f3a-6f5d2b1c9e11'
  const a = sign({ uid: userId, exp: NOW + 60, jti })
  t.strictSame((await ping(app, a)).json(), { id: jti, expiration: NOW + 60, userId: userUuid, token: a })
  const b = sign({ uid: userId, exp: NOW + 60 })
  const first = (await ping(app, b)).json()
  t.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal((await ping(app, b)).json().id, first.id, 'the same token, the same id')
  t.not((await ping(app, sign({ uid: userId, exp: NOW + 61 }))).json().id, first.id, 'another token, another id')
})

t.test('signingSecret: generated per environment, chosen at creation (32 to 512 characters), fixed afterwards', async t => {
  const { app } = await build(t)
  const made = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })).json()
  t.match(made.signingSecret, /^[0-9A-Za-z]{64}$/)
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })).json()
  t.not(other.signingSecret, made.signingSecret)
  const chosen = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { signingSecret: 'my-own-signing-secret-of-32-chars!' } })
  expectStatus(t, chosen, 201)
  t.equal(chosen.json().signingSecret, 'my-own-signing-secret-of-32-chars!')
  const short = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { signingSecret: 'too short' } })
  expectStatus(t, short, 422)
  t.strictSame(short.json(), { signingSecret: ['must be 32 to 512 printable characters without spaces'] })
  const patch = await settings(app, { signingSecret: 'y'.repeat(40) })
  expectStatus(t, patch, 422)
  t.strictSame(patch.json(), { signingSecret: ['cannot be changed: create another environment for other credentials'] })
})

t.test('revocation by meaning: a revoked token without jti stays revoked whatever the spelling of its signature', async t => {
  const { app } = await build(t)
  const profile = (await issue(app, {})).json()
  const token = sign({ uid: profile.userId, exp: NOW + 3600 }, { alg: 'HS512' })
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(token) }), 204)
  // The last character of an HS512 signature carries 2 bits; the other 4 are ignored by decoders.
  const last = token.at(-1)!
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const value = alphabet.indexOf(last)
  const twins = [...alphabet].filter(c => c !== last && (alphabet.indexOf(c) & 0b110000) === (value & 0b110000))
  t.equal(twins.length, 15, 'fifteen other spellings of the same signature')
  for (const twin of twins) {
    const spelt = `${token.slice(0, -1)}${twin}`
    t.ok(Buffer.from(spelt.split('.')[2]!, 'base64url').equals(Buffer.from(token.split('.')[2]!, 'base64url')), `${twin}: the same bytes`)
    expectStatus(t, await ping(app, spelt), 401, `spelt with ${twin}: still revoked`)
  }
})

t.test('a revocation outlives clock moves: past the token\'s expiry and back, it is still revoked', async t => {
  const { app } = await build(t)
  const profile = (await issue(app, {})).json()
  const token = sign({ uid: profile.userId, exp: NOW + 3600, jti: 'kept-revoked' })
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(token) }), 204)
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { advanceSeconds: 2 * 3600 } }), 200)
  // Revocations made then prune what has expired.
  for (let i = 0; i < 64; i++) {
    const other = sign({ uid: profile.userId, exp: NOW + 4 * 3600, jti: `other-${i}` })
    expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(other) }), 204)
  }
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { offsetSeconds: 0 } }), 200)
  expectStatus(t, await ping(app, token), 401, 'back before its expiry, still revoked')
})
