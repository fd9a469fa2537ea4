import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, PHONE, WITH_PHONE } from './helper.js'

const auth = bearer(DEFAULT.secret)
const UUID = '33333333-3333-4333-8333-333333333333'

t.test('create, get by id and UUID, update, list, delete', async t => {
  const { app, clock } = await build(t)
  const created = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { uuid: UUID, email: 'P@Example.com', name: 'Pat' } })
  expectStatus(t, created, 201)
  const p = created.json()
  t.match(p, { id: /^p_[A-Za-z0-9]{22}$/, uuid: UUID, email: 'p@example.com', name: 'Pat', phone: null, names: null, metadata: null, createdAt: String, updatedAt: String })

  t.strictSame((await app.inject({ url: `/v1/profiles/${p.id}`, headers: auth })).json(), p, 'by profile id')
  t.strictSame((await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json(), p, 'by UUID')

  clock.advance(5000)
  const patched = await app.inject({ method: 'PATCH', url: `/v1/profiles/${UUID}`, headers: auth, payload: { name: null, metadata: { plan: 'gold' } } })
  expectStatus(t, patched, 200)
  t.match(patched.json(), { name: null, email: 'p@example.com', metadata: { plan: 'gold' } })
  t.not(patched.json().updatedAt, p.updatedAt, 'updatedAt moves with the clock')

  await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: {} })
  const list = (await app.inject({ url: '/v1/profiles', headers: auth })).json()
  t.equal(list.length, 2)
  t.equal(list[0].uuid, UUID, 'oldest first')
  const page2 = (await app.inject({ url: '/v1/profiles?page=2&limit=1', headers: auth })).json()
  t.equal(page2.length, 1)
  t.not(page2[0].uuid, UUID)

  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${p.id}`, headers: auth }), 204)
  expectStatus(t, await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth }), 404, 'gone')
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${p.id}`, headers: auth }), 404, 'second delete')
})

t.test('a taken UUID is 409; a taken email is 422 has already been taken', async t => {
  const { app } = await build(t)
  await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { uuid: UUID, email: 'x@example.com' } })
  const conflict = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { uuid: UUID } })
  expectStatus(t, conflict, 409)
  t.strictSame(conflict.json(), { message: 'Conflict', instruction: 'UUID is not available' })
  const taken = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { email: 'X@example.com' } })
  expectStatus(t, taken, 422)
  t.strictSame(taken.json(), { email: ['has already been taken'] })
})

t.test('profiles are per environment: a UUID may repeat across environments and is never visible across them', async t => {
  const { app } = await build(t, WITH_PHONE)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { uuid: UUID } }), 201)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(PHONE.secret), payload: { uuid: UUID } }), 201)
  const phoneProfiles = (await app.inject({ url: '/v1/profiles', headers: bearer(PHONE.secret) })).json()
  t.equal(phoneProfiles.length, 1)
  const defaultProfile = (await app.inject({ url: `/v1/profiles/${UUID}`, headers: auth })).json()
  expectStatus(t, await app.inject({ url: `/v1/profiles/${defaultProfile.id}`, headers: bearer(PHONE.secret) }), 404, 'by p_ id from the other environment')
})

t.test('validation, 404 and 401', async t => {
  const { app } = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { email: 'nope', names: { first: 'X', full: 'X Y' }, address: { line1: '1 Main St', line2: '', city: 'Dallas', state: 'T', postalCode: '75202', countryCode: 'USA' } } })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), {
    email: ['Email is not a valid email address'],
    'names.last': ["can't be blank"],
    'address.line2': ["can't be blank: leave it out or send null"],
    'address.state': ['is too short (minimum is 2 characters)']
  }, 'names is written whole; Quiltt\'s minimum lengths hold')
  const readOnlyFull = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { names: { first: 'Ada', last: null, full: 'ignored' } } })
  expectStatus(t, readOnlyFull, 201, 'names.full is read-only, so it is ignored, as OpenAPI says of readOnly fields')
  t.strictSame(readOnlyFull.json().names, { full: 'Ada', first: 'Ada', last: null })
  const missing = await app.inject({ url: '/v1/profiles/p_nothere', headers: auth })
  expectStatus(t, missing, 404)
  t.strictSame(missing.json(), { message: 'Not Found', instruction: 'Does Profile with ID `p_nothere` exist in this Environment?' })
  expectStatus(t, await app.inject({ method: 'PATCH', url: '/v1/profiles/p_nothere', headers: auth, payload: { name: 'x' } }), 404)
  expectStatus(t, await app.inject({ url: '/v1/profiles' }), 401)
  expectStatus(t, await app.inject({ url: '/v1/profiles?limit=500', headers: auth }), 422, 'limit above 100')
  t.strictSame((await app.inject({ url: '/v1/profiles?page=0', headers: auth })).json(), { page: ['must be greater than or equal to 1'] })
  // An offset past SQLite's 64-bit integers was a 500 (datatype mismatch).
  for (const page of ['1e18', '4e17', '1e400', '1000000001']) {
    const huge = await app.inject({ url: `/v1/profiles?page=${page}`, headers: auth })
    expectStatus(t, huge, 422, `page=${page}`)
    t.strictSame(huge.json(), { page: ['must be less than or equal to 1000000000'] })
  }
  t.strictSame((await app.inject({ url: '/v1/profiles?page=1000000000&limit=100', headers: auth })).json(), [], 'the last page allowed: empty, past the end')
})
