import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { bearer, build, DEFAULT, expectStatus } from './helper.js'

interface Loaded {
  environments: Array<{
    id: string,
    clientId: string,
    apiKey: { id: string, secret: string },
    signingSecret: string,
    webhookSecret: string,
    profiles: Array<{ id: string, uuid: string, sessions: Array<{ id: string, token: string }> }>
  }>
}

const load = (app: Awaited<ReturnType<typeof build>>['app'], payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: payload as object, headers })

const environmentIds = async (app: Awaited<ReturnType<typeof build>>['app']): Promise<string[]> =>
  ((await app.inject({ url: '/emulator/v1/environments' })).json() as { environments: Array<{ id: string }> }).environments.map(e => e.id)

t.test('POST /emulator/v1/fixtures answers 201 with exactly what it made, and all of it works', async t => {
  // Worker 1 answers in the legacy session format, off Quiltt's current contract on purpose.
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const res = await load(app, {
    environments: [
      {
        id: 'env_worker1',
        name: 'Worker 1',
        authStrategy: 'email',
        signupsEnabled: false,
        clientId: 'worker1',
        apiKey: { secret: 'sk_sandbox_worker1_secret_000' },
        rateLimits: false,
        sessionFormat: 'legacy',
        passcodeTtlSeconds: 60,
        sessionTtlSeconds: 3600,
        testIdentities: [{ email: 'qa@example.com', passcode: '111111' }],
        profiles: [
          { uuid: '2b0c5c1e-5c4f-4f7e-9a51-1b1f7d4d9a10', email: 'Alice@Example.com', name: 'Alice', names: { first: 'Alice', last: 'Liddell' }, dateOfBirth: '1990-02-03', metadata: { plan: 'gold' }, sessions: 2 },
          { email: 'qa@example.com' }
        ]
      },
      { name: 'Worker 2', authStrategy: 'phone', profiles: [{ phone: '+15555550123', sessions: 1 }] }
    ]
  })
  expectStatus(t, res, 201)
  const body = res.json() as Loaded
  t.equal(body.environments.length, 2)
  const [w1, w2] = body.environments as [Loaded['environments'][0], Loaded['environments'][0]]
  t.strictSame(Object.keys(body), ['environments'])
  t.strictSame(Object.keys(w1).sort(), ['apiKey', 'clientId', 'id', 'profiles', 'signingSecret', 'webhookSecret'])
    t.match(w1.webhookSecret, /^whsec_[0-9A-Za-z]{40}$/, 'the webhook secret made for it')
  t.match(w1.signingSecret, /^[0-9A-Za-z]{64}$/, 'the signing secret made for it')
  t.match(w1, { id: 'env_worker1', clientId: 'worker1', apiKey: { id: /^api_/, secret: 'sk_sandbox_worker1_secret_000' } })
  t.equal(w1.profiles.length, 2)
  t.strictSame(Object.keys(w1.profiles[0]!).sort(), ['id', 'sessions', 'uuid'])
  t.equal(w1.profiles[0]!.uuid, '2b0c5c1e-5c4f-4f7e-9a51-1b1f7d4d9a10')
  t.match(w1.profiles[0]!.id, /^p_/)
  t.equal(w1.profiles[0]!.sessions.length, 2)
  t.strictSame(Object.keys(w1.profiles[0]!.sessions[0]!).sort(), ['id', 'token'])
  t.strictSame(w1.profiles[1]!.sessions, [])
  t.match(w2, { id: /^env_/, clientId: /^[a-z0-9]+$/, apiKey: { secret: /^sk_sandbox_/ } })

  // The sessions are real: ping answers with the profile, in the environment's session format.
  for (const s of w1.profiles[0]!.sessions) {
    const ping = await app.inject({ url: '/v1/users/session', headers: bearer(s.token) })
    expectStatus(t, ping, 200, 'ping a seeded token')
    t.strictSame(ping.json(), { id: s.id, expiration: ping.json().expiration, userId: w1.profiles[0]!.uuid, token: s.token }, 'legacy')
  }
  const ping2 = await app.inject({ url: '/v1/users/session', headers: bearer(w2.profiles[0]!.sessions[0]!.token) })
  t.match(ping2.json(), { userId: w2.profiles[0]!.id, userUuid: w2.profiles[0]!.uuid, environmentId: w2.id }, 'current')

  // The settings and the profile attributes landed as given.
  const env = (await app.inject({ url: '/emulator/v1/environments' })).json().environments.find((e: { id: string }) => e.id === 'env_worker1')
  t.match(env, { signupsEnabled: false, rateLimits: false, sessionFormat: 'legacy', passcodeTtlSeconds: 60, sessionTtlSeconds: 3600, testIdentities: [{ email: 'qa@example.com', passcode: '111111' }] })
  const profile = await app.inject({ url: `/v1/profiles/${w1.profiles[0]!.id}`, headers: bearer(w1.apiKey.secret) })
  expectStatus(t, profile, 200)
  t.match(profile.json(), { email: 'alice@example.com', name: 'Alice', names: { first: 'Alice', last: 'Liddell', full: 'Alice Liddell' }, dateOfBirth: '1990-02-03', metadata: { plan: 'gold' } })

  // And the seeded profile logs in through the passwordless flow of its environment (signups are off, it exists).
  const identify = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: 'worker1', email: 'qa@example.com' } } })
  expectStatus(t, identify, 202)
  const auth = await app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: 'worker1', email: 'qa@example.com', passcode: '111111' } } })
  expectStatus(t, auth, 201)
  t.equal(auth.json().userId, w1.profiles[1]!.uuid)
})

t.test('an invalid document is a 422 naming the path of every bad value, and nothing is written', async t => {
  const { app } = await build(t)
  const before = await environmentIds(app)
  const res = await load(app, {
    environments: [
      { name: 'Fine', clientId: 'fine1' },
      {
        name: 'Broken',
        authStrategy: 'fax',
        signupEnabled: false,
        passcodeTtlSeconds: 0,
        testIdentities: [{ email: 'not-an-email', passcode: '12' }],
        profiles: [{ email: 'ok@example.com' }, { email: 'bad' }, { uuid: 'nope', sessions: 1001, phone: '555', nickname: 'x' }, 'not an object']
      }
    ]
  })
  expectStatus(t, res, 422)
  t.strictSame(res.json(), {
    'environments.1.authStrategy': ['must be one of: email, phone'],
    'environments.1.passcodeTtlSeconds': ['must be a whole number of seconds from 1 to 31536000'],
    'environments.1.testIdentities.0.email': ['is invalid'],
    'environments.1.testIdentities.0.passcode': ['must be a 6-digit number'],
    'environments.1.signupEnabled': ['is not a known field; did you mean signupsEnabled?'],
    'environments.1.profiles.1.email': ['Email is not a valid email address'],
    'environments.1.profiles.2.nickname': ['is not a known field'],
    'environments.1.profiles.2.uuid': ['is not a valid UUID'],
    'environments.1.profiles.2.sessions': ['must be a whole number from 0 to 1000'],
    'environments.1.profiles.2.phone': ['is invalid'],
    'environments.1.profiles.3': ['must be an object']
  })
  const sessionsObject = await load(app, { environments: [{ profiles: [{ sessions: { toString: 1 } }, { sessions: { valueOf: {}, toString: {} } }] }] })
  expectStatus(t, sessionsObject, 422, 'sessions as an object that cannot become a number')
  t.strictSame(sessionsObject.json(), {
    'environments.0.profiles.0.sessions': ['must be a whole number from 0 to 1000'],
    'environments.0.profiles.1.sessions': ['must be a whole number from 0 to 1000']
  })
  t.strictSame(await environmentIds(app), before, 'the valid first environment was not created either')
  const fine = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: 'fine1', email: 'a@example.com' } } })
  t.equal(fine.statusCode, 422, 'its clientId is unknown')
})

t.test('conflicts found while loading are a 422 at the item, and roll back everything before it', async t => {
  const { app } = await build(t)
  const before = await environmentIds(app)
  const clash = await load(app, { environments: [{ name: 'New', clientId: 'brandnew' }, { name: 'Dup', clientId: DEFAULT.clientId }] })
  expectStatus(t, clash, 422)
  t.strictSame(Object.keys(clash.json()), ['environments.1'])
  t.match(clash.json()['environments.1'][0], /clientId `quilttmock` is already used/)
  t.strictSame(await environmentIds(app), before)

  const dupEmail = await load(app, { environments: [{ name: 'E', profiles: [{ email: 'same@example.com', sessions: 3 }, { email: 'SAME@example.com' }] }] })
  expectStatus(t, dupEmail, 422)
  t.strictSame(dupEmail.json(), { 'environments.0.profiles.1.email': ['has already been taken'] })
  t.strictSame(await environmentIds(app), before)

  const dupTest = await load(app, { environments: [{ name: 'T', testIdentities: [{ email: 'a@example.com', passcode: '111111' }, { email: 'A@example.com', passcode: '222222' }] }] })
  expectStatus(t, dupTest, 422)
  t.strictSame(dupTest.json(), { 'environments.0.testIdentities.1.email': ['is listed twice'] })
})

t.test('the document must be an object with an environments array', async t => {
  const { app } = await build(t)
  for (const payload of [{}, { environments: 'x' }, { environments: [], extra: 1 }]) {
    const res = await load(app, payload)
    expectStatus(t, res, 422, JSON.stringify(payload))
  }
  t.strictSame((await load(app, { environments: [], extra: 1 })).json(), { extra: ['is not a known field'] })
  const empty = await load(app, { environments: [] })
  expectStatus(t, empty, 201)
  t.strictSame(empty.json(), { environments: [] })
  const notJson = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: '{"environments": [', headers: { 'content-type': 'application/json' } })
  expectStatus(t, notJson, 400)
  const text = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: 'environments: []', headers: { 'content-type': 'text/plain' } })
  expectStatus(t, text, 415)
})

t.test('YAML bodies are accepted for fixtures, and only for fixtures', async t => {
  const { app } = await build(t)
  const yaml = [
    'environments:',
    '  - name: From YAML',
    '    clientId: yamlenv',
    '    profiles:',
    '      - email: yaml@example.com',
    '        sessions: 1'
  ].join('\n')
  const res = await load(app, yaml, { 'content-type': 'application/yaml' })
  expectStatus(t, res, 201)
  const [env] = (res.json() as Loaded).environments
  t.equal(env!.clientId, 'yamlenv')
  const ping = await app.inject({ url: '/v1/users/session', headers: bearer(env!.profiles[0]!.sessions[0]!.token) })
  expectStatus(t, ping, 200)

  const bad = await load(app, 'environments:\n  - name: [unclosed', { 'content-type': 'text/yaml' })
  expectStatus(t, bad, 400)
  t.match(bad.json(), { message: 'Bad Request', instruction: /valid YAML/ })
  const invalid = await load(app, 'environments:\n  - authStrategy: fax\n', { 'content-type': 'application/x-yaml' })
  expectStatus(t, invalid, 422)
  t.strictSame(invalid.json(), { 'environments.0.authStrategy': ['must be one of: email, phone'] })
  const proto = await load(app, 'environments: []\n__proto__:\n  polluted: true\n', { 'content-type': 'application/yaml' })
  expectStatus(t, proto, 400, 'a __proto__ key is refused as in JSON')
  t.equal(({} as Record<string, unknown>).polluted, undefined)

  const elsewhere = await app.inject({ method: 'POST', url: '/v1/users/session', payload: 'session:\n  clientId: quilttmock\n  email: a@example.com\n', headers: { 'content-type': 'application/yaml' } })
  expectStatus(t, elsewhere, 415, 'the Quiltt API stays JSON-only')
})

t.test('fixture bodies may be larger than the 1 MiB limit of other routes', async t => {
  const { app } = await build(t)
  const profiles = Array.from({ length: 12_000 }, (_, i) => ({ email: `user${i}@example.com`, name: `User number ${i}`, metadata: { team: `team-${i % 10}-of-the-seeding-test` } }))
  const payload = JSON.stringify({ environments: [{ name: 'Big', profiles }] })
  t.ok(payload.length > 1024 * 1024, 'the document is over 1 MiB')
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload, headers: { 'content-type': 'application/json' } })
  expectStatus(t, res, 201)
  t.equal((res.json() as Loaded).environments[0]!.profiles.length, 12_000)
  const list = await app.inject({ url: '/v1/profiles?limit=100&page=120', headers: bearer((res.json() as Loaded).environments[0]!.apiKey.secret) })
  t.equal(list.json().length, 100, 'the last page of 12,000 profiles is full')

  const elsewhere = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload, headers: { 'content-type': 'application/json' } })
  expectStatus(t, elsewhere, 413)
  t.match(elsewhere.json(), { instruction: 'Request bodies are limited to 1 MiB.' })
})

t.test('--fixtures files use the same format and the same validation', async t => {
  const dir = t.testdir()
  const good = join(dir, 'good.yaml')
  writeFileSync(good, 'environments:\n  - id: env_fromfile\n    name: From file\n    clientId: fromfile\n    profiles:\n      - email: file@example.com\n')
  const app = await buildApp({ db: ':memory:', fixtures: good })
  t.teardown(() => app.close())
  const envs = (await app.inject({ url: '/emulator/v1/environments' })).json().environments
  t.strictSame(envs.map((e: { id: string }) => e.id), ['env_fromfile'])

  const bad = join(dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({ environments: [{ name: 'X', profiles: [{ email: 'bad' }] }] }))
  const failure = await buildApp({ db: ':memory:', fixtures: bad }).then(() => undefined, (err: unknown) => err)
  t.match(failure, { statusCode: 422, fields: { 'environments.0.profiles.0.email': ['Email is not a valid email address'] } })
})
