import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, identify, issue, settings } from './helper.js'

t.test('a full reset returns to the startup fixtures and clears the clock, faults and journal', async t => {
  const { app } = await build(t)
  const startup = (await app.inject({ url: '/emulator/v1/environments' })).json()

  const seeded = (await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ name: 'Seeded', profiles: [{ email: 's@example.com', sessions: 1 }] }] } })).json()
  const created = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'Made' } })).json()
  const session = (await issue(app, { email: 'since@example.com' })).json()
  await settings(app, { rateLimits: false, signupsEnabled: false })
  await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { advanceSeconds: 3600 } })
  await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'GET', path: '/v1/profiles', status: 500 } })
  t.ok((await app.inject({ url: '/emulator/v1/requests' })).json().requests.length > 0)

  const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
  expectStatus(t, res, 200)
  t.strictSame(res.json(), startup, 'the environments are the startup ones, with their startup settings')
  t.strictSame((await app.inject({ url: '/emulator/v1/environments' })).json(), startup)
  t.strictSame((await app.inject({ url: '/emulator/v1/clock' })).json(), { now: '2026-01-01T12:00:00Z', offsetSeconds: 0 })
  t.strictSame((await app.inject({ url: '/emulator/v1/faults' })).json(), { faults: [] })
  t.strictSame((await app.inject({ url: '/emulator/v1/requests' })).json(), { requests: [] })

  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(seeded.environments[0].apiKey.secret) }), 401, 'seeded environment gone')
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(created.apiKey.secret) }), 401, 'created environment gone')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(session.token) }), 401, 'sessions made since start gone')
  const profiles = await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) })
  expectStatus(t, profiles, 200, 'no fault left on /v1/profiles')
  t.strictSame(profiles.json(), [])
  expectStatus(t, await identify(app, { email: 'since@example.com' }), 201, 'signups are on again and the profile is new')
})

t.test('resetting one environment leaves the others, the clock, faults and journal alone', async t => {
  const { app } = await build(t)
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'Other', rateLimits: false } })).json()
  const keep = (await issue(app, {}, other.apiKey.secret)).json()
  const drop = (await issue(app, { email: 'drop@example.com' })).json()
  await settings(app, { signupsEnabled: false })
  await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { advanceSeconds: 60 } })
  await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'GET', path: '/v1/nothing', status: 500 } })

  const before = (await app.inject({ url: '/emulator/v1/environments' })).json().environments.map((e: { id: string }) => e.id)
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } })
  expectStatus(t, res, 200)
  t.strictSame(res.json().environments.map((e: { id: string }) => e.id), before, 're-created, it keeps its place: the default stays first')
  t.equal(before[0], DEFAULT.environmentId)
  const env = res.json().environments.find((e: { id: string }) => e.id === DEFAULT.environmentId)
  t.equal(env.signupsEnabled, true, 'the fixture environment is back to its fixture settings')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(drop.token) }), 401, 'its sessions are gone')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(keep.token) }), 200, 'the other environment kept its session')
  t.equal((await app.inject({ url: '/emulator/v1/clock' })).json().offsetSeconds, 60)
  t.equal((await app.inject({ url: '/emulator/v1/faults' })).json().faults.length, 1)
  t.ok((await app.inject({ url: '/emulator/v1/requests' })).json().requests.length >= 3)

  // A created environment is emptied but keeps its credentials and settings.
  const emptied = await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: other.id } })
  const after = emptied.json().environments.find((e: { id: string }) => e.id === other.id)
  t.match(after, { clientId: other.clientId, apiKey: other.apiKey, rateLimits: false })
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(keep.token) }), 401)
  t.strictSame((await app.inject({ url: '/v1/profiles', headers: bearer(other.apiKey.secret) })).json(), [])

  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: 'env_missing' } }), 404)
})

t.test('a startup environment keeps the credentials it was given on every reset, the generated ones too', async t => {
  const { app } = await build(t, { fixtures: { environments: [{ name: 'Mine' }] } })
  const credentials = async () => {
    const [env] = (await app.inject({ url: '/emulator/v1/environments' })).json().environments
    return { id: env.id, clientId: env.clientId, apiKey: env.apiKey, signingSecret: env.signingSecret }
  }
  const before = await credentials()
  t.match(before, { clientId: /\S/, apiKey: { id: /^api_/, secret: /^sk_/ }, signingSecret: /^[0-9A-Za-z]{64}$/ })
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset' }), 200)
  t.strictSame(await credentials(), before, 'a full reset')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: before.id } }), 200)
  t.strictSame(await credentials(), before, 'a reset of that environment')
  expectStatus(t, await issue(app, {}, before.apiKey.secret), 201, 'the secret a test read before the resets still works')
})
