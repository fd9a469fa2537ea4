import t from 'tap'
import { loadSpec } from '../server/openapi/spec.js'
import { authenticate, bearer, build, DEFAULT, expectStatus, identify, issue, passcodes, WITH_PHONE } from './helper.js'

t.test('health answers 200 once the store is open and fixtures are loaded', async t => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/emulator/v1/health' })
  expectStatus(t, res, 200)
  t.match(res.json(), { status: 'ok', version: /^\d+\.\d+\.\d+/ })
})

t.test('the default fixture: one email environment with fixed clientId and secret', async t => {
  const { app } = await build(t)
  const { environments } = (await app.inject({ url: '/emulator/v1/environments' })).json()
  t.equal(environments.length, 1, 'one environment, as DESIGN.md says')
  t.match(environments[0], {
    id: DEFAULT.environmentId,
    name: 'Sandbox',
    authStrategy: 'email',
    signupsEnabled: true,
    clientId: DEFAULT.clientId,
    apiKey: { id: DEFAULT.apiKeyId, secret: DEFAULT.secret },
    rateLimits: true,
    sessionFormat: 'current',
    signingSecret: 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000',
    passcodeTtlSeconds: 600,
    sessionTtlSeconds: 86400,
    testIdentities: [{ email: DEFAULT.testEmail, passcode: DEFAULT.testPasscode }]
  })
  const both = await build(t, WITH_PHONE)
  const two = (await both.app.inject({ url: '/emulator/v1/environments' })).json().environments
  t.strictSame(two[0], environments[0], 'fixtures/email-and-phone.json: the same default first...')
  t.match(two[1], { authStrategy: 'phone', clientId: 'quilttsms1' }, '...and a phone-login one')
  t.equal(two.length, 2)
})

t.test('POST creates an isolated environment; DELETE removes it and its secret stops working', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'Worker 1', signupsEnabled: true } })
  expectStatus(t, res, 201)
  const env = res.json()
  t.match(env, { id: /^env_[A-Za-z0-9]{22}$/, name: 'Worker 1', authStrategy: 'email', clientId: /^[a-z0-9]{10}$/, apiKey: { id: /^api_/, secret: /^sk_sandbox_/ } })
  const session = await identify(app, { clientId: env.clientId, email: 'w@example.com' })
  expectStatus(t, session, 201)
  t.equal(session.json().environmentId, env.id)
  t.strictSame(await passcodes(app, 'email=w@example.com'), [], 'nothing leaks into the default environment')
  expectStatus(t, await issue(app, {}, env.apiKey.secret), 201, 'its own secret works')

  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${env.id}` }), 204)
  expectStatus(t, await issue(app, {}, env.apiKey.secret), 401, 'secret of a deleted environment')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(session.json().token) }), 401, 'token of a deleted environment')
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${env.id}` }), 404, 'second delete')
})

t.test('POST environment input is validated, and clashes are 409', async t => {
  const { app } = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { authStrategy: 'sms', passcodeTtlSeconds: -1, testIdentities: [{ email: 'x', passcode: '1' }] } })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), {
    authStrategy: ['must be one of: email, phone'],
    passcodeTtlSeconds: ['must be a whole number of seconds from 1 to 31536000'],
    'testIdentities.0.email': ['is invalid'],
    'testIdentities.0.passcode': ['must be a 6-digit number']
  })
  const misspelt = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { signupEnabled: false, rateLimit: false, name: 'Typo' } })
  expectStatus(t, misspelt, 422, 'a misspelt setting is not silently left at its default')
  t.strictSame(misspelt.json(), { signupEnabled: ['is not a known field'], rateLimit: ['is not a known field'] })
  const clash = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { clientId: DEFAULT.clientId } })
  expectStatus(t, clash, 409)
  t.match(clash.json(), { message: 'Conflict', instruction: /clientId/ })
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { apiKey: { secret: DEFAULT.secret } } }), 409)
  const envs = (await app.inject({ url: '/emulator/v1/environments' })).json().environments
  t.equal(envs.length, 1, 'nothing half-created')
})

t.test('passcodes: newest first, filtered by email, with all fields; 404 for an unknown environment', async t => {
  const { app, clock } = await build(t)
  await identify(app, { email: 'a@example.com' })
  await identify(app, { email: 'a@example.com' })
  clock.advance(1000)
  await identify(app, { email: 'b@example.com' })
  await identify(app, { email: 'b@example.com' })
  const all = await passcodes(app, '')
  t.equal(all.length, 2)
  t.equal(all[0]!.email, 'b@example.com', 'newest first')
  const onlyA = await passcodes(app, 'email=A@example.com')
  t.equal(onlyA.length, 1, 'filter is case-insensitive')
  t.match(onlyA[0], { email: 'a@example.com', code: /^\d{6}$/, issuedAt: '2026-01-01T12:00:00Z', expiresAt: '2026-01-01T12:10:00Z', attempts: 0, consumedAt: null, state: 'outstanding' })
  expectStatus(t, await app.inject({ url: '/emulator/v1/environments/env_nope/passcodes' }), 404)
  await identify(app, { email: 'a+tag@example.com' })
  await identify(app, { email: 'a+tag@example.com' })
  t.equal((await passcodes(app, 'email=a+tag@example.com')).length, 1, 'an unencoded + in the email filter still matches')
  expectStatus(t, await app.inject({ url: '/emulator/v1/environments/env_nope/messages' }), 404)
})

t.test('passcodes carry the profileId they log in to and invalidatedAt, as openapi.yaml requires', async t => {
  const { app, clock } = await build(t)
  const schema = (loadSpec().document as { components: { schemas: Record<string, { required: string[] }> } }).components.schemas.Passcode!
  t.ok(schema.required.includes('profileId') && schema.required.includes('invalidatedAt'), 'documented and required in openapi.yaml')

  await identify(app, { email: 'carol@example.com' })
  const profiles = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles?search=carol` })).json().profiles as Array<{ id: string }>
  t.equal(profiles.length, 1)
  const profileId = profiles[0]!.id
  t.match(profileId, /^p_/)

  await identify(app, { email: 'carol@example.com' })
  const [first] = await passcodes(app, 'email=carol@example.com')
  t.match(first, { profileId, invalidatedAt: null, state: 'outstanding' })

  clock.advance(5000)
  await identify(app, { email: 'carol@example.com' })
  const [second, replaced] = await passcodes(app, 'email=carol@example.com')
  t.match(replaced, { code: first!.code, profileId, invalidatedAt: '2026-01-01T12:00:05Z', state: 'replaced' }, 'replaced when the next one was issued')
  t.match(second, { profileId, invalidatedAt: null })

  const wrong = second!.code === '000000' ? '111111' : '000000'
  for (let i = 0; i < 5; i++) await authenticate(app, { email: 'carol@example.com', passcode: wrong })
  const [locked] = await passcodes(app, 'email=carol@example.com')
  t.match(locked, { profileId, attempts: 5, invalidatedAt: '2026-01-01T12:00:05Z', state: 'locked' }, 'locked after 5 wrong tries')

  await identify(app, { email: 'carol@example.com' })
  const [latest] = await passcodes(app, 'email=carol@example.com')
  expectStatus(t, await authenticate(app, { email: 'carol@example.com', passcode: latest!.code }), 201)
  t.match((await passcodes(app, 'email=carol@example.com'))[0], { profileId, invalidatedAt: null, consumedAt: '2026-01-01T12:00:05Z', state: 'used' }, 'a used one is consumed, not invalidated')
})

t.test('reset returns to the loaded fixtures', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'gone@example.com' })
  const { token } = (await issue(app, {})).json()
  await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'temp' } })
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
  expectStatus(t, res, 200)
  t.equal(res.json().environments.length, 1)
  t.strictSame((await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) })).json(), [], 'profiles gone')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(token) }), 401, 'sessions gone')
  expectStatus(t, await identify(app, { email: 'gone@example.com' }), 201, 'the username is new again')
  expectStatus(t, await issue(app, {}), 201, 'the fixed secret still works')
})

t.test('reset of one environment leaves the others alone', async t => {
  const { app } = await build(t, WITH_PHONE)
  await identify(app, { email: 'keep@example.com' })
  const other = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer('sk_sandbox_quilttsms1_0000000000000000000000'), payload: {} })
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } })
  expectStatus(t, res, 200)
  expectStatus(t, await identify(app, { email: 'keep@example.com' }), 201, 'default environment is fresh')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(other.json().token) }), 200, 'phone environment kept its session')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: 'env_nope' } }), 404)
})
