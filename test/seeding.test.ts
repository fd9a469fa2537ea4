import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, issue } from './helper.js'

// The profile id Quiltt's authentication tutorial hard-codes is of this form; any p_ + base62 will do.
const PROFILE_ID = 'p_1hyoxpVVFib1HngGwKAzIr'
const UUID = '174ec567-2492-4498-a706-504a79437235'
const seedUrl = (environmentId: string = DEFAULT.environmentId) => `/emulator/v1/environments/${environmentId}/profiles`

t.test('POST /emulator/v1/environments/{id}/profiles adds a profile with a chosen p_ id and UUID to the default environment', async t => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: seedUrl(),
    payload: { id: PROFILE_ID, uuid: UUID, email: 'Elon@Example.com', name: 'Elon', names: { first: 'Elon', last: 'Musk' }, metadata: { plan: 'pro' }, sessions: 2 }
  })
  expectStatus(t, res, 201)
  const body = res.json()
  t.match(body, {
    id: PROFILE_ID,
    uuid: UUID,
    email: 'elon@example.com',
    name: 'Elon',
    names: { full: 'Elon Musk', first: 'Elon', last: 'Musk' },
    metadata: { plan: 'pro' },
    at: String,
    createdAt: String,
    updatedAt: String
  })
  t.equal(body.sessions.length, 2)

  for (const id of [PROFILE_ID, UUID]) {
    const got = await app.inject({ url: `/v1/profiles/${id}`, headers: bearer(DEFAULT.secret) })
    expectStatus(t, got, 200, `GET /v1/profiles/${id}`)
    const { sessions, ...profile } = body
    t.strictSame(got.json(), profile, 'the Profiles API shows what the seeding answered')
  }
  for (const search of [PROFILE_ID, UUID]) {
    const listed = (await app.inject({ url: `${seedUrl()}?search=${search}` })).json()
    t.strictSame(listed.profiles.map((p: { id: string }) => p.id), [PROFILE_ID], `the inspector's search finds it by ${search}`)
    t.equal(listed.profiles[0].sessions.length, 2)
  }
  for (const s of body.sessions) {
    const ping = await app.inject({ url: '/v1/users/session', headers: bearer(s.token) })
    expectStatus(t, ping, 200, 'a seeded session is live')
    t.equal(ping.json().userId, PROFILE_ID)
  }
  const login = await issue(app, { userId: PROFILE_ID })
  expectStatus(t, login, 201, 'an app logs in with the p_ id it hard-codes')
  t.match(login.json(), { userId: PROFILE_ID, userUuid: UUID })
})

t.test('a taken id (in any environment), uuid, email or phone is a 409, and nothing is written', async t => {
  const { app } = await build(t)
  expectStatus(t, await app.inject({ method: 'POST', url: seedUrl(), payload: { id: PROFILE_ID, uuid: UUID, email: 'a@example.com', phone: '+14155552671' } }), 201)
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })).json()
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['id, same environment', seedUrl(), { id: PROFILE_ID }, 'Profile ID is not available'],
    ['id, another environment', seedUrl(other.id), { id: PROFILE_ID }, 'Profile ID is not available'],
    ['uuid', seedUrl(), { uuid: UUID.toUpperCase() }, 'UUID is not available'],
    ['email', seedUrl(), { email: 'A@example.com' }, 'Email is not available: another Profile of this Environment has it'],
    ['phone', seedUrl(), { phone: '+14155552671' }, 'Phone is not available: another Profile of this Environment has it']
  ]
  for (const [what, url, payload, instruction] of cases) {
    const res = await app.inject({ method: 'POST', url, payload: { ...payload, sessions: 3 } })
    expectStatus(t, res, 409, what)
    t.strictSame(res.json(), { message: 'Conflict', instruction })
  }
  const twice = await app.inject({ method: 'POST', url: seedUrl(), payload: { id: PROFILE_ID, uuid: UUID, email: 'a@example.com', phone: '+14155552671' } })
  t.strictSame(twice.json(), { message: 'Conflict', instruction: 'Profile ID is not available' }, 'the same profile seeded twice: the id is named first')
  for (const env of [DEFAULT.environmentId, other.id]) {
    const { total } = (await app.inject({ url: seedUrl(env) })).json()
    t.equal(total, env === DEFAULT.environmentId ? 1 : 0, 'no profile was added by a refused request')
  }
  expectStatus(t, await app.inject({ method: 'POST', url: seedUrl(other.id), payload: { uuid: UUID, email: 'a@example.com' } }), 201,
    'a UUID and an email are only taken within their environment')
})

t.test('bad input is a 422 naming every field; an unknown environment a 404', async t => {
  const { app } = await build(t)
  const bad = await app.inject({
    method: 'POST',
    url: seedUrl(),
    payload: { id: 'user_42', uuid: 'not-a-uuid', email: 'nope', sessions: -1, nickname: 'x', address: { line1: 'A' } }
  })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), {
    nickname: ['is not a known field'],
    uuid: ['is not a valid UUID'],
    id: ['must be p_ followed by 1 to 64 letters and digits, as Quiltt\'s profile ids are'],
    sessions: ['must be a whole number from 0 to 1000'],
    email: ['Email is not a valid email address'],
    'address.line1': ['is too short (minimum is 2 characters)'],
    'address.city': ["can't be blank"],
    'address.state': ["can't be blank"],
    'address.postalCode': ["can't be blank"],
    'address.countryCode': ["can't be blank"]
  })
  for (const id of ['p_', 'p_with-dash', `p_${'a'.repeat(65)}`, 'P_abc']) {
    const res = await app.inject({ method: 'POST', url: seedUrl(), payload: { id } })
    expectStatus(t, res, 422, `id ${id}`)
  }
  t.equal((await app.inject({ url: seedUrl() })).json().total, 0, 'nothing was written')
  const missing = await app.inject({ method: 'POST', url: seedUrl('env_nope'), payload: {} })
  expectStatus(t, missing, 404)
  t.equal(missing.json().message, 'Not Found')
  const empty = await app.inject({ method: 'POST', url: seedUrl() })
  expectStatus(t, empty, 201, 'no body: a profile with generated ids')
  t.match(empty.json(), { id: /^p_[0-9A-Za-z]{22}$/, sessions: [] })
})

t.test('fixture profiles may name their id too, and a reset brings the same ids back', async t => {
  const { app } = await build(t, {
    fixtures: {
      environments: [{ id: DEFAULT.environmentId, clientId: DEFAULT.clientId, apiKey: { secret: DEFAULT.secret }, profiles: [{ id: PROFILE_ID, uuid: UUID, email: 'tutorial@example.com' }] }]
    }
  })
  const got = await app.inject({ url: `/v1/profiles/${PROFILE_ID}`, headers: bearer(DEFAULT.secret) })
  expectStatus(t, got, 200)
  t.equal(got.json().uuid, UUID)
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset' }), 200)
  expectStatus(t, await app.inject({ url: `/v1/profiles/${PROFILE_ID}`, headers: bearer(DEFAULT.secret) }), 200, 'after a reset')
  const twice = await app.inject({
    method: 'POST',
    url: '/emulator/v1/fixtures',
    payload: { environments: [{ profiles: [{ id: PROFILE_ID }] }] }
  })
  expectStatus(t, twice, 422, 'a fixture naming a taken id')
  t.strictSame(twice.json(), { 'environments.0.profiles.0': ['Profile ID is not available'] })
})
