import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, issue, passcodes, settings } from './helper.js'

const patch = settings

const identifyIn = (app: FastifyInstance, clientId: string, session: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId, ...session } } })

/** A fresh environment of its own, so each test starts from the defaults. */
async function newEnvironment (app: FastifyInstance, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: body })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string, clientId: string, apiKey: { secret: string } }
}

t.test('PATCH answers 200 with the whole environment, and only the fields sent change', async t => {
  const { app } = await build(t)
  const before = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  const res = await patch(app, { signupsEnabled: false, passcodeTtlSeconds: 120 })
  expectStatus(t, res, 200)
  t.strictSame(res.json(), { ...before, signupsEnabled: false, passcodeTtlSeconds: 120 })
  const after = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  t.strictSame(after, res.json(), 'the list shows the change')
  const empty = await patch(app, {})
  expectStatus(t, empty, 200, 'an empty PATCH changes nothing')
  t.strictSame(empty.json(), after)
})

t.test('signupsEnabled: false makes identify of an unknown username a 403, known ones still log in', async t => {
  const { app } = await build(t)
  const env = await newEnvironment(app)
  expectStatus(t, await identifyIn(app, env.clientId, { email: 'early@example.com' }), 201)
  await patch(app, { signupsEnabled: false }, env.id)
  const denied = await identifyIn(app, env.clientId, { email: 'late@example.com' })
  expectStatus(t, denied, 403)
  t.match(denied.json(), { message: 'Forbidden' })
  expectStatus(t, await identifyIn(app, env.clientId, { email: 'early@example.com' }), 202)
  await patch(app, { signupsEnabled: true }, env.id)
  expectStatus(t, await identifyIn(app, env.clientId, { email: 'late@example.com' }), 201)
})

t.test('authStrategy switches the username identify accepts', async t => {
  const { app } = await build(t)
  const env = await newEnvironment(app)
  expectStatus(t, await identifyIn(app, env.clientId, { phone: '+15555550111' }), 422, 'email environment refuses a phone')
  const res = await patch(app, { authStrategy: 'phone' }, env.id)
  t.equal(res.json().authStrategy, 'phone')
  expectStatus(t, await identifyIn(app, env.clientId, { phone: '+15555550111' }), 201)
  const email = await identifyIn(app, env.clientId, { email: 'a@example.com' })
  expectStatus(t, email, 422)
  t.strictSame(email.json(), { email: ['is not allowed: this Environment authenticates by phone'], phone: ["can't be blank"] })
})

t.test('rateLimits: false lifts the issuing limit, true brings it back', async t => {
  const { app } = await build(t)
  const env = await newEnvironment(app)
  const first = await issue(app, {}, env.apiKey.secret)
  const userId = first.json().userId as string
  for (let i = 1; i < 10; i++) expectStatus(t, await issue(app, { userId }, env.apiKey.secret), 201, `session ${i + 1}`)
  expectStatus(t, await issue(app, { userId }, env.apiKey.secret), 429, 'the 11th in an hour')
  await patch(app, { rateLimits: false }, env.id)
  for (let i = 0; i < 15; i++) expectStatus(t, await issue(app, { userId }, env.apiKey.secret), 201, `unlimited ${i + 1}`)
  await patch(app, { rateLimits: true }, env.id)
  expectStatus(t, await issue(app, { userId }, env.apiKey.secret), 429, 'limited again')
})

t.test('sessionFormat: a switch applies to older tokens too; issue and /v1/profiles/{id} find a profile by either id', async t => {
  // The legacy answers are off Quiltt's current contract on purpose.
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const env = await newEnvironment(app)
  const before = (await issue(app, {}, env.apiKey.secret)).json()
  t.match(before.userId, /^p_[A-Za-z0-9]{22}$/, 'the p_ id by default')
  const res = await patch(app, { sessionFormat: 'legacy' }, env.id)
  t.equal(res.json().sessionFormat, 'legacy')

  const session = (await issue(app, { userId: before.userId }, env.apiKey.secret)).json()
  t.equal(session.userId, before.userUuid, 'legacy: userId is the UUID')
  const again = await issue(app, { userId: session.userId }, env.apiKey.secret)
  expectStatus(t, again, 201, 'issue finds the profile by its UUID')
  for (const id of [before.userId, before.userUuid]) {
    const profile = await app.inject({ url: `/v1/profiles/${id}`, headers: bearer(env.apiKey.secret) })
    expectStatus(t, profile, 200)
    t.strictSame([profile.json().id, profile.json().uuid], [before.userId, before.userUuid])
  }
  // Older tokens of the same profile answer in the new format too.
  const ping = await app.inject({ url: '/v1/users/session', headers: bearer(before.token) })
  t.strictSame(Object.keys(ping.json()), ['id', 'expiration', 'userId', 'token'])
  const signup = await identifyIn(app, env.clientId, { email: 'new@example.com' })
  t.match(signup.json().userId, /^[0-9a-f-]{36}$/)
})

t.test('passcodeTtlSeconds and sessionTtlSeconds apply to what is issued afterwards', async t => {
  const { app, clock } = await build(t)
  const env = await newEnvironment(app)
  await patch(app, { passcodeTtlSeconds: 30, sessionTtlSeconds: 90 }, env.id)
  const signup = await identifyIn(app, env.clientId, { email: 'ttl@example.com' })
  t.equal(signup.json().expiration - Math.floor(clock.now() / 1000), 90)
  expectStatus(t, await identifyIn(app, env.clientId, { email: 'ttl@example.com' }), 202)
  const [code] = await passcodes(app, 'email=ttl@example.com', env.id)
  t.equal(Date.parse((code as unknown as { expiresAt: string }).expiresAt) - clock.now(), 30_000)
  const messages = (await app.inject({ url: `/emulator/v1/environments/${env.id}/messages` })).json().messages
  t.match(messages[0].text, /expires in 1 minutes/)
  clock.advance(31_000)
  const late = await app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: env.clientId, email: 'ttl@example.com', passcode: code!.code } } })
  expectStatus(t, late, 401, 'the passcode expired after 30 s')
  clock.advance(60_000)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(signup.json().token) }), 401, 'the session expired after 90 s')
})

t.test('testIdentities replaces the list; the new ones get their fixed passcode', async t => {
  const { app } = await build(t)
  const res = await patch(app, { testIdentities: [{ email: 'QA@Example.com', passcode: '000000' }] })
  expectStatus(t, res, 200)
  t.strictSame(res.json().testIdentities, [{ email: 'qa@example.com', passcode: '000000' }], 'replaced, not added; email normalized')
  await identifyIn(app, DEFAULT.clientId, { email: 'qa@example.com' })
  expectStatus(t, await identifyIn(app, DEFAULT.clientId, { email: 'qa@example.com' }), 202)
  const [qa] = await passcodes(app, 'email=qa@example.com')
  t.equal(qa!.code, '000000')
  // The old test identity is an ordinary user now: a random passcode.
  await identifyIn(app, DEFAULT.clientId, { email: DEFAULT.testEmail })
  const codes = new Set<string>()
  for (let i = 0; i < 3; i++) {
    await identifyIn(app, DEFAULT.clientId, { email: DEFAULT.testEmail })
    codes.add((await passcodes(app, `email=${DEFAULT.testEmail}`))[0]!.code)
  }
  t.ok(codes.size > 1 || !codes.has(DEFAULT.testPasscode), 'no longer always 424242')
  const cleared = await patch(app, { testIdentities: [] })
  t.strictSame(cleared.json().testIdentities, [])
})

t.test('bad settings are a 422 for every bad field, and nothing changes', async t => {
  const { app } = await build(t)
  const before = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  const res = await patch(app, {
    authStrategy: 'fax',
    sessionFormat: 'int',
    mode: 'LIVE',
    sessionTtlSeconds: 0,
    passcodeTtlSeconds: 1.5,
    name: ' ',
    testIdentities: [{ email: 'a@example.com', phone: '+15555550100', passcode: '123456' }, { phone: '+15555550100', passcode: 'abcdef' }],
    clientId: 'other',
    apiKey: { secret: 'sk_other_secret' },
    id: 'env_other',
    signupEnabled: false
  })
  expectStatus(t, res, 422)
  t.strictSame(res.json(), {
    clientId: ['cannot be changed: create another environment for other credentials'],
    apiKey: ['cannot be changed: create another environment for other credentials'],
    id: ['cannot be changed: create another environment for other credentials'],
    signupEnabled: ['is not a known field'],
    name: ['must be a non-empty string of at most 200 characters'],
    mode: ['must be one of: TEST, SANDBOX, PRODUCTION'],
    authStrategy: ['must be one of: email, phone'],
    sessionFormat: ['must be one of: current, legacy'],
    passcodeTtlSeconds: ['must be a whole number of seconds from 1 to 31536000'],
    sessionTtlSeconds: ['must be a whole number of seconds from 1 to 31536000'],
    'testIdentities.0': ['must have exactly one of email or phone'],
    'testIdentities.1.passcode': ['must be a 6-digit number']
  })
  const types = await patch(app, { signupsEnabled: 'no', rateLimits: 1 })
  expectStatus(t, types, 422)
  t.strictSame(types.json(), { signupsEnabled: ['must be a boolean'], rateLimits: ['must be a boolean'] })
  const after = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  t.strictSame(after, before)
})

t.test('PATCH of an unknown environment is a 404; a bad body is a 400 or 415', async t => {
  const { app } = await build(t)
  const missing = await patch(app, { rateLimits: false }, 'env_nope')
  expectStatus(t, missing, 404)
  t.match(missing.json(), { message: 'Not Found', instruction: /env_nope/ })
  const bad = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: '{', headers: { 'content-type': 'application/json' } })
  expectStatus(t, bad, 400)
  const text = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: 'x', headers: { 'content-type': 'text/plain' } })
  expectStatus(t, text, 415)
})

t.test('keys named like Object.prototype members are unknown fields, not a 500', async t => {
  const { app } = await build(t)
  const body = '{"toString":1,"constructor":{"a":1},"hasOwnProperty":"x","valueOf":[]}'
  const expected = { toString: ['is not a known field'], constructor: ['is not a known field'], hasOwnProperty: ['is not a known field'], valueOf: ['is not a known field'] }
  const headers = { 'content-type': 'application/json' }
  const created = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: body, headers })
  expectStatus(t, created, 422, 'POST')
  // Compared as text: tap reads an own `constructor` key as the object's class.
  t.equal(created.body, JSON.stringify(expected))
  const patched = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: body, headers })
  expectStatus(t, patched, 422, 'PATCH')
  t.equal(patched.body, JSON.stringify(expected))
  t.equal((await app.inject({ url: '/emulator/v1/environments' })).json().environments.length, 1, 'nothing created')
})
