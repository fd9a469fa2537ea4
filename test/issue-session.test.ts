import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, issue, PHONE, settings, WITH_PHONE } from './helper.js'

const UUID = '11111111-1111-1111-1111-111111111111'
const auth = bearer(DEFAULT.secret)

t.test('{} creates a profile with a random UUID (seed: new user without attributes)', async t => {
  const { app } = await build(t)
  const res = await issue(app, {})
  expectStatus(t, res, 201)
  const s = res.json()
  t.match(s, { token: /^eyJ/, userId: /^p_[0-9A-Za-z]{22}$/, userUuid: /^[0-9a-f-]{36}$/, environmentId: DEFAULT.environmentId, expiration: Number, expiresAt: String })
  t.strictSame(Object.keys(s), ['token', 'userId', 'userUuid', 'environmentId', 'expiration', 'expiresAt'], 'Quiltt\'s UserSession, exactly')
  t.notOk(res.headers.authorization, 'server-side issuance returns the token in the body only')
  const profile = await app.inject({ url: `/v1/profiles/${s.userId}`, headers: auth })
  expectStatus(t, profile, 200, 'the profile exists')
})

t.test('a request with no body at all is the same as {}', async t => {
  const { app } = await build(t)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: auth }), 201)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { ...auth, 'content-type': 'application/json' } }), 201)
})

t.test('{uuid} creates a profile with that UUID; a taken UUID is 409 UUID is not available', async t => {
  const { app } = await build(t)
  const res = await issue(app, { uuid: UUID })
  expectStatus(t, res, 201)
  t.equal(res.json().userUuid, UUID)
  const again = await issue(app, { uuid: UUID })
  expectStatus(t, again, 409)
  t.strictSame(again.json(), { message: 'Conflict', instruction: 'UUID is not available' })
  expectStatus(t, await issue(app, { uuid: 'not-a-uuid' }), 422)
})

t.test('profile attributes are written to the new profile (seed: with profile attributes)', async t => {
  const { app } = await build(t)
  const res = await issue(app, {
    email: 'JoeExotic@TigerKing.com',
    phone: '+12223334444',
    name: 'Joe',
    names: { first: 'Joe', last: 'Exotic' },
    dateOfBirth: '1963-03-05',
    address: { line1: '1 Zoo Rd', city: 'Wynnewood', state: 'OK', postalCode: '73098', countryCode: 'USA' },
    metadata: { firebaseId: 'Xk3D12aB4zO7QW5z8s9Y' }
  })
  expectStatus(t, res, 201)
  const profile = (await app.inject({ url: `/v1/profiles/${res.json().userId}`, headers: auth })).json()
  t.match(profile, {
    email: 'joeexotic@tigerking.com',
    phone: '+12223334444',
    name: 'Joe',
    names: { first: 'Joe', last: 'Exotic', full: 'Joe Exotic' },
    dateOfBirth: '1963-03-05',
    address: { line1: '1 Zoo Rd', line2: null, city: 'Wynnewood', state: 'OK', postalCode: '73098', countryCode: 'USA' },
    metadata: { firebaseId: 'Xk3D12aB4zO7QW5z8s9Y' }
  })
})

t.test('{userId} finds the profile by UUID or profile ID and applies attributes (seed: existing user, with update)', async t => {
  const { app } = await build(t)
  const created = (await issue(app, { uuid: UUID })).json()
  const byUuid = await issue(app, { userId: UUID })
  expectStatus(t, byUuid, 201)
  t.strictSame([byUuid.json().userId, byUuid.json().userUuid], [created.userId, UUID])
  t.not(byUuid.json().token, created.token, 'a new session')
  const profileId = (await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json().id
  t.equal(profileId, created.userId, 'userId is the p_ id the Profiles API shows')
  const updated = await issue(app, { userId: profileId, name: 'Carole', phone: '+12223334444' })
  expectStatus(t, updated, 201)
  t.equal(updated.json().userUuid, UUID)
  const profile = (await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json()
  t.match(profile, { name: 'Carole', phone: '+12223334444' })
  expectStatus(t, await issue(app, { userId: UUID.toUpperCase() }), 201, 'UUIDs match case-insensitively')
})

t.test('{userId} that matches no profile is 404, and never across environments', async t => {
  const { app } = await build(t, WITH_PHONE)
  const res = await issue(app, { userId: '22222222-2222-2222-2222-222222222222' })
  expectStatus(t, res, 404)
  t.equal(res.json().message, 'Not Found')
  const other = (await issue(app, {}, PHONE.secret)).json()
  expectStatus(t, await issue(app, { userId: other.userUuid }), 404, 'a UUID from another environment')
  expectStatus(t, await issue(app, { userId: 'p_doesNotExist' }), 404, 'an unknown profile id')
})

t.test('a failed update writes nothing', async t => {
  const { app } = await build(t)
  await issue(app, { uuid: UUID, name: 'Before' })
  const res = await issue(app, { userId: UUID, name: 'After', email: 'broken' })
  expectStatus(t, res, 422)
  t.equal((await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json().name, 'Before')
})

t.test('attributes are validated as in Quiltt\'s spec: 422 field map', async t => {
  const { app } = await build(t)
  const res = await issue(app, {
    email: 'nope',
    phone: '555-1234',
    name: '',
    dateOfBirth: '1999-02-30',
    address: { line1: 'x', countryCode: 'CAN' },
    metadata: {}
  })
  expectStatus(t, res, 422)
  t.strictSame(res.json(), {
    email: ['Email is not a valid email address'],
    phone: ['is invalid'],
    name: ["can't be blank"],
    dateOfBirth: ['must be a date as YYYY-MM-DD'],
    'address.line1': ['is too short (minimum is 2 characters)'],
    'address.city': ["can't be blank"],
    'address.state': ["can't be blank"],
    'address.postalCode': ["can't be blank"],
    'address.countryCode': ['is not included in the list'],
    metadata: ['must have between 1 and 50 keys']
  })
  const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))
  t.strictSame((await issue(app, { metadata: tooMany })).json(), { metadata: ['must have between 1 and 50 keys'] })
  t.strictSame((await issue(app, { email: 7 })).json(), { email: ['must be a string'] })
  t.strictSame((await issue(app, { uuid: UUID, userId: UUID })).json(), { uuid: ['cannot be combined with userId: a UUID is only assigned to a new profile'] })
  const list = (await app.inject({ url: '/v1/profiles', headers: auth })).json()
  t.strictSame(list, [], 'nothing was created')
})

t.test('wrong or missing App Secret, or a session token as secret, is 401', async t => {
  const { app } = await build(t)
  const { token } = (await issue(app, {})).json()
  for (const [what, headers] of [['missing', {}], ['wrong', bearer('sk_wrong')], ['session token', bearer(token)], ['basic scheme', { authorization: `Basic ${DEFAULT.secret}` }]] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers, payload: {} })
    t.equal(res.statusCode, 401, what)
    t.strictSame(res.json(), { message: 'Not Authenticated', instruction: 'Are you sending a valid API Key secret in the `Authorization` header?' }, what)
  }
})

t.test('rate limit: 10 per hour per profile, then 429 with Retry-After; revoked sessions free quota', async t => {
  const { app, clock } = await build(t)
  await issue(app, { uuid: UUID })
  clock.advance(60_000)
  const tokens: string[] = []
  for (let i = 0; i < 9; i++) tokens.push((await issue(app, { userId: UUID })).json().token)
  const limited = await issue(app, { userId: UUID })
  expectStatus(t, limited, 429)
  t.equal(limited.headers['retry-after'], String(3600 - 60), 'until the oldest session leaves the hour')
  t.match(limited.json(), { message: 'Too Many Requests', instruction: /10 per hour and 20 per day/ })
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(tokens[0]!) }), 204)
  expectStatus(t, await issue(app, { userId: UUID }), 201, 'a revoked session gives its quota back')
  expectStatus(t, await issue(app, { userId: UUID }), 429)
  expectStatus(t, await issue(app, {}), 201, 'other profiles are not limited')
})

t.test('rate limit: 20 per day per profile', async t => {
  const { app, clock } = await build(t)
  await issue(app, { uuid: UUID })
  for (let i = 0; i < 19; i++) {
    if (i % 9 === 8) clock.advance(3_600_000)
    expectStatus(t, await issue(app, { userId: UUID }), 201, `session ${i + 2}`)
  }
  clock.advance(3_600_000)
  const limited = await issue(app, { userId: UUID })
  expectStatus(t, limited, 429, 'the 21st in a day')
  t.ok(Number(limited.headers['retry-after']) > 3600, 'the day window decides')
  clock.advance(Number(limited.headers['retry-after']) * 1000)
  expectStatus(t, await issue(app, { userId: UUID }), 201, 'after Retry-After')
})

t.test('rate limit is switchable per environment', async t => {
  const { app } = await build(t)
  expectStatus(t, await settings(app, { rateLimits: false }), 200)
  await issue(app, { uuid: UUID })
  for (let i = 0; i < 25; i++) expectStatus(t, await issue(app, { userId: UUID }), 201, `session ${i + 2}`)
})

t.test('the legacy format: the seed guide\'s object for every issue, {userId} by UUID or p_ id alike', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  expectStatus(t, await settings(app, { sessionFormat: 'legacy' }), 200)
  const s = (await issue(app, { uuid: UUID })).json()
  t.strictSame(Object.keys(s), ['id', 'expiration', 'userId', 'token'])
  t.equal(s.userId, UUID)
  const profileId = (await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json().id
  const again = await issue(app, { userId: profileId })
  expectStatus(t, again, 201, 'findable by the p_ id')
  t.equal(again.json().userId, UUID)
  t.not(again.json().id, s.id, 'each session has its own id')
  t.equal((await app.inject({ url: '/v1/users/session', headers: bearer(s.token) })).json().id, s.id, 'ping agrees')
})
