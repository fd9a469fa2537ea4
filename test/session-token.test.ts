import { createHmac } from 'node:crypto'
import t from 'tap'
import { JsonWebTokenParse } from '@quiltt/core/auth'
import { bearer, build, DEFAULT, expectStatus, identify, issue, login, WITH_PHONE } from './helper.js'

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')

t.test('ping and introspect answer 200 with the same session object', async t => {
  const { app } = await build(t)
  const created = (await identify(app, { email: 'p@example.com' })).json()
  const ping = await app.inject({ url: '/v1/users/session', headers: bearer(created.token) })
  expectStatus(t, ping, 200)
  t.strictSame(ping.json(), created)
  const intro = await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(created.token) })
  expectStatus(t, intro, 200)
  t.strictSame(intro.json(), created)
})

t.test('tokens are HS512 JWTs with the documented claims, signed per environment', async t => {
  const { app } = await build(t)
  const s = (await issue(app, {})).json()
  const [header, payload] = s.token.split('.')
  t.strictSame(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'HS512' })
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  t.match(claims, {
    iss: 'auth.quiltt.io',
    aud: 'api.quiltt.io',
    sub: s.userUuid,
    uid: /^p_[A-Za-z0-9]{22}$/,
    eid: DEFAULT.environmentId,
    cid: DEFAULT.clientId,
    did: DEFAULT.apiKeyId,
    ver: 2,
    jti: /^[0-9a-f-]{36}$/,
    iat: Number,
    nbf: Number,
    exp: s.expiration
  })
  t.equal(claims.uid, s.userId, 'uid is the userId of the answer')
  t.equal(claims.exp - claims.iat, 86_400, '24 hours')
  t.equal(claims.nbf, claims.iat)
  t.equal(Buffer.from(s.token.split('.')[2], 'base64url').length, 64, '512-bit signature')
  t.ok(JsonWebTokenParse(s.token), 'the SDK parses it')
})

t.test('missing, malformed, forged, alg:none, expired and revoked tokens are all 401', async t => {
  const { app, clock } = await build(t)
  const { token } = (await issue(app, {})).json()
  const [h, p] = token.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const forgedKey = createHmac('sha512', 'not-the-key').update(`${h}.${p}`).digest('base64url')
  const tampered = `${h}.${b64({ ...claims, exp: claims.exp + 999_999 })}.${token.split('.')[2]}`
  const none = `${b64({ alg: 'none' })}.${p}.`
  const noneSigned = `${b64({ alg: 'none' })}.${p}.${token.split('.')[2]}`
  const hs256 = `${b64({ alg: 'HS256' })}.${p}.${token.split('.')[2]}`
  const bad: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['wrong scheme', { authorization: `Basic ${token}` }],
    ['garbage', bearer('not-a-token')],
    ['two segments', bearer(`${h}.${p}`)],
    ['bad signature', bearer(`${h}.${p}.${forgedKey}`)],
    ['tampered claims', bearer(tampered)],
    ['alg none, empty signature', bearer(none)],
    ['alg none, signature kept', bearer(noneSigned)],
    ['alg HS256 header', bearer(hs256)],
    ['API key secret as a token', bearer(DEFAULT.secret)]
  ]
  for (const route of [{ method: 'GET' as const, url: '/v1/users/session' }, { method: 'POST' as const, url: '/v1/introspect/session_token' }, { method: 'DELETE' as const, url: '/v1/users/session' }]) {
    for (const [what, headers] of bad) {
      const res = await app.inject({ ...route, headers })
      t.equal(res.statusCode, 401, `${route.method} ${route.url}: ${what}`)
      t.equal(res.json().message, 'Not Authenticated')
    }
  }
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(token) }), 200, 'the real token still works')
  clock.advance(86_400_000)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(token) }), 401, 'expired after 24 h')
})

t.test('a token from another environment never works here, even with the same claims shape', async t => {
  const { app } = await build(t, WITH_PHONE)
  const phoneEnv = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer('sk_sandbox_quilttsms1_0000000000000000000000'), payload: {} })
  const token = phoneEnv.json().token as string
  const [h, p, sig] = token.split('.')
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
  const moved = `${h}.${b64({ ...claims, eid: DEFAULT.environmentId })}.${sig}`
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(moved) }), 401)
})

t.test('revoke answers 204, kills only that session, and a second revoke is 401', async t => {
  const { app } = await build(t)
  const a = await login(app, 'r@example.com')
  const b = await login(app, 'r@example.com')
  t.equal(a.userId, b.userId, 'two sessions of one profile')
  const res = await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(a.token) })
  expectStatus(t, res, 204)
  t.equal(res.body, '')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(a.token) }), 401, 'revoked token pings 401')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(a.token) }), 401, 'revoked token introspects 401')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(b.token) }), 200, 'the other session lives')
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(a.token) }), 401, 'second revoke')
})

t.test('revoke with the SDK headers (JSON content type, no body) works', async t => {
  const { app } = await build(t)
  const { token } = (await issue(app, {})).json()
  const res = await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: { ...bearer(token), 'content-type': 'application/json', 'content-length': '0' } })
  expectStatus(t, res, 204)
})

t.test('deleting the profile ends its sessions', async t => {
  const { app } = await build(t)
  const s = (await issue(app, {})).json()
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${s.userUuid}`, headers: bearer(DEFAULT.secret) }), 204)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(s.token) }), 401)
})
