import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authenticate, bearer, build, DEFAULT, expectStatus, identify, issue, jti, passcodes, PHONE, WITH_PHONE } from './helper.js'

const UUID = '11111111-1111-1111-1111-111111111111'

function change (app: FastifyInstance, state: string, params: Record<string, unknown> = {}, action = 'setup') {
  return app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state, params, action } })
}

async function setup (app: FastifyInstance, state: string, params: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const res = await change(app, state, params)
  if (res.statusCode !== 200) throw new Error(`setup "${state}" answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

const ping = (app: FastifyInstance, token: string) => app.inject({ url: '/v1/users/session', headers: bearer(token) })

t.test('an empty state name answers 200 {} and changes nothing', async t => {
  const { app } = await build(t)
  const before = await app.inject({ url: '/emulator/v1/environments' })
  const res = await change(app, '')
  expectStatus(t, res, 200)
  t.strictSame(res.json(), {})
  const after = await app.inject({ url: '/emulator/v1/environments' })
  t.strictSame(after.json(), before.json())
  // Still no profile: a new email is a signup.
  expectStatus(t, await identify(app, { email: 'fresh@example.com' }), 201, 'identify after empty state')
})

t.test('an unknown state is a 400 naming the known ones', async t => {
  const { app } = await build(t)
  const res = await change(app, 'a unicorn exists')
  expectStatus(t, res, 400)
  const body = res.json()
  t.equal(body.message, 'Bad Request')
  t.match(body.instruction, /`a unicorn exists`/)
  for (const name of ['a profile exists', 'a passcode was issued', 'a session exists', 'signups are disabled', 'sessions are in the legacy format', 'the session limit is reached']) {
    t.ok(body.instruction.includes(`\`${name}\``), `names "${name}"`)
  }
})

t.test('a state named like an Object.prototype member is unknown too, not a 500', async t => {
  const { app } = await build(t)
  for (const name of ['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__', 'isPrototypeOf']) {
    const res = await app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state: name, params: { a: { b: 1 } } } })
    expectStatus(t, res, 400, name)
    t.match(res.json(), { message: 'Bad Request', instruction: new RegExp(`\`${name}\``) }, name)
  }
})

t.test('a body that is not a state change is a 422 field map', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state: 'a profile exists', action: 'explode' } })
  expectStatus(t, res, 422)
  t.ok(res.json().action, 'names the action field')
})

t.test('"a profile exists" returns userId and uuid, and the profile is real', async t => {
  const { app } = await build(t)
  const values = await setup(app, 'a profile exists', { uuid: UUID, email: 'joe@example.com', name: 'Joe Exotic' })
  t.equal(values.uuid, UUID)
  t.match(values.profileId, /^p_/)
  t.equal(values.userId, values.profileId, 'userId as the session objects give it: the p_ id')
  t.equal(values.environmentId, DEFAULT.environmentId)
  // The profile exists: issuing for its UUID finds it, and identify by its email is a 202.
  const res = await issue(app, { userId: UUID })
  expectStatus(t, res, 201, 'issue for the existing profile')
  t.equal(res.json().userId, values.userId)
  expectStatus(t, await identify(app, { email: 'joe@example.com' }), 202, 'identify existing email')
  // Setting it up again (several states naming one profile) finds it instead of failing with 409.
  const again = await setup(app, 'a profile exists', { uuid: UUID })
  t.equal(again.profileId, values.profileId)
})

t.test('"a profile exists" with a phone lands in the phone-strategy environment', async t => {
  const { app } = await build(t, WITH_PHONE)
  const values = await setup(app, 'a profile exists', { phone: '+12223334444' })
  t.equal(values.environmentId, PHONE.environmentId)
  const res = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone: '+12223334444' } } })
  expectStatus(t, res, 202, 'identify the existing phone')
})

t.test('bad params are a 422 at params.<field>', async t => {
  const { app } = await build(t)
  const res = await change(app, 'a profile exists', { uuid: 'not-a-uuid', email: 'nope' })
  expectStatus(t, res, 422)
  t.strictSame(Object.keys(res.json()).sort(), ['params.email', 'params.uuid'])
  const missing = await change(app, 'a profile exists', { environmentId: 'env_doesNotExist' })
  expectStatus(t, missing, 404, 'unknown environmentId')
})

t.test('"a passcode was issued" makes that passcode the outstanding one', async t => {
  const { app } = await build(t, WITH_PHONE)
  const values = await setup(app, 'a passcode was issued', { email: 'ann@example.com', passcode: '123456' })
  t.equal(values.passcode, '123456')
  const [latest] = await passcodes(app, 'email=ann@example.com')
  t.equal(latest?.code, '123456')
  t.equal(latest?.state, 'outstanding')
  const res = await authenticate(app, { email: 'ann@example.com', passcode: '123456' })
  expectStatus(t, res, 201, 'authenticate with the issued passcode')
  t.equal(res.json().userUuid, values.uuid)

  const phone = await setup(app, 'a passcode was issued', { phone: '+12223334444', passcode: '654321' })
  t.equal(phone.environmentId, PHONE.environmentId)
  const byPhone = await app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone: '+12223334444', passcode: '654321' } } })
  expectStatus(t, byPhone, 201, 'authenticate by phone')

  expectStatus(t, await change(app, 'a passcode was issued', { email: 'ann@example.com', passcode: '12' }), 422, 'short passcode')
  expectStatus(t, await change(app, 'a passcode was issued', { passcode: '123456' }), 422, 'no username')
})

t.test('"a session exists" returns a live token; "a session was revoked" a dead one', async t => {
  const { app } = await build(t)
  const live = await setup(app, 'a session exists', { uuid: UUID })
  t.match(live.userId, /^p_/)
  t.match(live.sessionId, /^[0-9a-f-]{36}$/)
  const res = await ping(app, live.token!)
  expectStatus(t, res, 200, 'ping the live token')
  t.equal(res.json().userId, live.userId)
  t.equal(res.json().expiresAt, live.expiresAt)
  t.equal(jti(live.token!), live.sessionId)

  const dead = await setup(app, 'a session was revoked', { uuid: UUID })
  t.equal(dead.uuid, UUID, 'the same profile')
  expectStatus(t, await ping(app, dead.token!), 401, 'ping the revoked token')
  expectStatus(t, await ping(app, live.token!), 200, 'the other session stays valid')
})

t.test('"signups are disabled": a new username is a 403 in every fixture environment', async t => {
  const { app } = await build(t, WITH_PHONE)
  t.strictSame(await setup(app, 'signups are disabled'), {})
  expectStatus(t, await identify(app, { email: 'new@example.com' }), 403, 'email environment')
  const phone = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone: '+12223334444' } } })
  expectStatus(t, phone, 403, 'phone environment')
})

t.test('"sessions are in the legacy format": the seed guide\'s object until the teardown', async t => {
  const { app } = await build(t, { ...WITH_PHONE, validateAgainstQuiltt: undefined })
  t.strictSame(await setup(app, 'sessions are in the legacy format'), {})
  const values = await setup(app, 'a session exists', { uuid: UUID })
  t.equal(values.userId, UUID, 'the state values follow the format: userId is the UUID')
  const legacy = (await ping(app, values.token!)).json()
  t.strictSame(legacy, { id: values.sessionId, expiration: legacy.expiration, userId: UUID, token: values.token })
  const phone = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone: '+12223334444' } } })
  t.strictSame(Object.keys(phone.json()), ['id', 'expiration', 'userId', 'token'], 'every fixture environment')
  await app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state: 'sessions are in the legacy format', action: 'teardown' } })
  t.strictSame(Object.keys((await issue(app, {})).json()), ['token', 'userId', 'userUuid', 'environmentId', 'expiration', 'expiresAt'], 'back to the current format')
})

t.test('"the session limit is reached": the next App-Secret session is a 429', async t => {
  const { app } = await build(t)
  const values = await setup(app, 'the session limit is reached', { uuid: UUID })
  t.equal(values.uuid, UUID)
  const res = await issue(app, { userId: UUID })
  expectStatus(t, res, 429)
  t.equal(res.headers['retry-after'], '3600')
  // Other profiles are not limited.
  expectStatus(t, await issue(app, {}), 201, 'another profile')
})

t.test('"no profile exists" removes the profile the params name', async t => {
  const { app } = await build(t)
  await setup(app, 'a profile exists', { email: 'gone@example.com' })
  t.strictSame(await setup(app, 'no profile exists', { email: 'gone@example.com' }), {})
  expectStatus(t, await identify(app, { email: 'gone@example.com' }), 201, 'the email is new again')
})

t.test('teardown resets the fixture environments, whatever the state name', async t => {
  const { app } = await build(t, WITH_PHONE)
  await setup(app, 'signups are disabled')
  await setup(app, 'a profile exists', { uuid: UUID, email: 'joe@example.com' })
  await setup(app, 'a profile exists', { phone: '+12223334444' })
  // A profile made by an interaction itself, not by a state.
  expectStatus(t, await issue(app, { uuid: '22222222-2222-2222-2222-222222222222' }), 201)

  const res = await change(app, '', {}, 'teardown')
  expectStatus(t, res, 200)
  t.strictSame(res.json(), {})

  expectStatus(t, await issue(app, { userId: UUID }), 404, 'the state profile is gone')
  expectStatus(t, await issue(app, { userId: '22222222-2222-2222-2222-222222222222' }), 404, 'the interaction profile is gone')
  expectStatus(t, await identify(app, { email: 'joe@example.com' }), 201, 'signups are back on, the email is new')
  const phone = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone: '+12223334444' } } })
  expectStatus(t, phone, 201, 'the phone environment was reset too')
  // The fixture credentials survive the reset.
  expectStatus(t, await issue(app, {}), 201, 'the App Secret still works')
})

t.test('teardown also clears an environment created later that a state touched, and keeps its credentials', async t => {
  const { app } = await build(t)
  const created = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'Mine' } })
  const env = created.json() as { id: string, apiKey: { secret: string } }
  await setup(app, 'a profile exists', { uuid: UUID, environmentId: env.id })
  expectStatus(t, await issue(app, { userId: UUID }, env.apiKey.secret), 201, 'profile in the created environment')
  await change(app, 'a profile exists', { uuid: UUID, environmentId: env.id }, 'teardown')
  expectStatus(t, await issue(app, { userId: UUID }, env.apiKey.secret), 404, 'emptied')
  expectStatus(t, await issue(app, {}, env.apiKey.secret), 201, 'its secret still works')
})

t.test('teardown puts back what was there before the run: a developer\'s profiles, sessions and settings survive every state', async t => {
  const { app } = await build(t, { ...WITH_PHONE, validateAgainstQuiltt: undefined })
  // The developer's own work, before verify runs: a setting, a profile with a session.
  expectStatus(t, await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { sessionFormat: 'legacy' } }), 200)
  const mine = await issue(app, { uuid: UUID, email: 'dev@example.com' })
  expectStatus(t, mine, 201, 'the developer\'s session')
  const token = mine.json().token as string
  for (let i = 0; i < 2; i++) {
    // Interaction 1 deletes the developer's profile; interaction 2 turns signups off and makes one.
    if (i === 0) await setup(app, 'no profile exists', { email: 'dev@example.com' })
    else { await setup(app, 'signups are disabled'); await setup(app, 'a profile exists', { email: 'state@example.com' }) }
    expectStatus(t, await issue(app, { uuid: '22222222-2222-2222-2222-222222222222' }), 201, 'a profile made by the interaction')
    await change(app, 'no profile exists', {}, 'teardown')
    await change(app, 'no profile exists', {}, 'teardown')
    const env = ((await app.inject({ url: '/emulator/v1/environments' })).json().environments as Array<{ id: string, sessionFormat: string, signupsEnabled: boolean }>).find(e => e.id === DEFAULT.environmentId)!
    t.equal(env.sessionFormat, 'legacy', `interaction ${i + 1}: the PATCHed setting holds`)
    t.equal(env.signupsEnabled, true, `interaction ${i + 1}: signups back on`)
    expectStatus(t, await ping(app, token), 200, `interaction ${i + 1}: the developer's session still works`)
    const list = (await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) })).json() as Array<{ uuid: string, email: string }>
    t.strictSame(list.map(p => p.email), ['dev@example.com'], `interaction ${i + 1}: only the developer's profile is left`)
  }
})

t.test('a misspelt param is a 422 at params.<name> with a "did you mean"; a misspelt state a 400 with one', async t => {
  const { app } = await build(t)
  const res = await change(app, 'a session exists', { emial: 'a@example.com' })
  expectStatus(t, res, 422)
  t.match(res.json()['params.emial'][0], /is not a param of this state \(did you mean "email"\?\); it takes environmentId, uuid, email/)
  const state = await change(app, 'a sesion exists')
  expectStatus(t, state, 400)
  t.match(state.json().instruction, /Unknown provider state `a sesion exists` \(did you mean "a session exists"\?\)\. Known states:/)
})

t.test('"a profile has a connection with accounts": a seeded connection, its ids and a session; verify can then exercise bank data', async t => {
  const { app } = await build(t)
  const values = await setup(app, 'a profile has a connection with accounts', { email: 'bank@example.com', connectionId: 'conn_1FromPact' })
  t.match(values, { profileId: /^p_/, token: String, connectionId: 'conn_1FromPact', accountId: 'acct_1PactChecking00000000', savingsAccountId: /^acct_1/ })
  const gql = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(values.token!), payload: { query: '{ accounts { id name balance { current } } connection(id: "conn_1FromPact") { status } }' } })
  t.strictSame(gql.json().data, { accounts: [{ id: values.accountId, name: 'Everyday Checking', balance: { current: 1520.33 } }, { id: values.savingsAccountId, name: 'High-Yield Savings', balance: { current: 10250 } }], connection: { status: 'SYNCED' } })
  expectStatus(t, await app.inject({ url: `/v1/accounts/${values.accountId}/ach_numbers`, headers: bearer(DEFAULT.secret) }), 200)
  const again = await setup(app, 'a profile has a connection with accounts', { email: 'bank@example.com', connectionId: 'conn_1FromPact' })
  t.equal(again.connectionId, 'conn_1FromPact', 'the same ids again reuse the connection')
  const bad = await app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state: 'a profile has a connection with accounts', params: { connectionId: 7 } } })
  expectStatus(t, bad, 422)
  // Teardown resets the fixture environment: the bank data goes with it.
  await app.inject({ method: 'POST', url: '/emulator/v1/provider-states', payload: { state: 'a profile has a connection with accounts', action: 'teardown' } })
  t.equal((app.emulator.db.prepare('SELECT count(*) AS n FROM connections').get() as { n: number }).n, 0)
})

t.test('a developer\'s bank data survives a state that deletes its profile: teardown puts back every row, transactions too', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const mine = (await issue(app, { email: 'banker@example.com' })).json()
  const seeded = await app.inject({ method: 'POST', url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${mine.userId}/connections`, payload: { generate: { accounts: 2, transactionsPerAccount: 30 } } })
  expectStatus(t, seeded, 201)
  const count = (table: string): number => (app.emulator.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  const before = ['connections', 'accounts', 'balances', 'transactions'].map(count)
  t.ok(before[3]! >= 60, 'transactions seeded')
  await setup(app, 'no profile exists', { email: 'banker@example.com' })
  t.equal(count('transactions'), 0, 'gone with the profile during the interaction')
  await setup(app, 'a profile has a connection with accounts', { email: 'state@example.com' })
  await change(app, '', {}, 'teardown')
  t.strictSame(['connections', 'accounts', 'balances', 'transactions'].map(count), before, 'every row back, none of the state\'s left')
})
