import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { authenticate, build, DEFAULT, expectStatus, identify, issue, passcodes, PHONE, settings, WITH_PHONE } from './helper.js'

async function profileIdOf (app: FastifyInstance, email: string, secret: string = DEFAULT.secret): Promise<string> {
  // Creating the profile through the App Secret flow returns its UUID.
  const res = await issue(app, { email }, secret)
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().userUuid as string
}

t.test('a test identity always receives its fixed passcode, every time, and it logs in', async t => {
  const { app } = await build(t)
  const signup = await identify(app, { email: DEFAULT.testEmail })
  expectStatus(t, signup, 201, 'first identify signs up')
  for (let i = 0; i < 3; i++) {
    expectStatus(t, await identify(app, { email: 'Test@Example.com' }), 202)
    const [latest] = await passcodes(app, `email=${DEFAULT.testEmail}`)
    t.equal(latest!.code, DEFAULT.testPasscode, `passcode ${i + 1} is the fixed one`)
  }
  const messages = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/messages` })).json().messages
  t.match(messages[0], { to: DEFAULT.testEmail, passcode: DEFAULT.testPasscode })
  const res = await authenticate(app, { email: DEFAULT.testEmail, passcode: DEFAULT.testPasscode })
  expectStatus(t, res, 201)
  t.equal(res.json().userUuid, signup.json().userUuid)
  // Single use still holds: the fixed code is spent until the next identify.
  expectStatus(t, await authenticate(app, { email: DEFAULT.testEmail, passcode: DEFAULT.testPasscode }), 401)
})

t.test('phone test identities work the same in a phone environment', async t => {
  const { app } = await build(t, WITH_PHONE)
  const send = (phone: string) => app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone } } })
  await send('+15555550100')
  expectStatus(t, await send('+15555550100'), 202)
  const [latest] = await passcodes(app, 'phone=%2B15555550100', PHONE.environmentId)
  t.equal(latest!.code, '424242')
})

t.test('a test identity is exempt from the issuing rate limit; an ordinary profile is not', async t => {
  const { app } = await build(t)
  const env = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  t.equal(env.rateLimits, true, 'rate limits are on')
  const testUser = await profileIdOf(app, DEFAULT.testEmail)
  for (let i = 0; i < 25; i++) expectStatus(t, await issue(app, { userId: testUser }), 201, `test identity session ${i + 2}`)

  const ordinary = await profileIdOf(app, 'someone@example.com')
  for (let i = 0; i < 9; i++) expectStatus(t, await issue(app, { userId: ordinary }), 201)
  const limited = await issue(app, { userId: ordinary })
  expectStatus(t, limited, 429, 'the ordinary profile hits 10 per hour')
  t.ok(Number(limited.headers['retry-after']) > 0)
})

t.test('test identities added by PATCH get the fixed passcode and the exemption at once', async t => {
  const { app } = await build(t)
  const created = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'QA' } })
  const env = created.json() as { id: string, clientId: string, apiKey: { secret: string } }
  const qa = await profileIdOf(app, 'qa@example.com', env.apiKey.secret)
  for (let i = 0; i < 9; i++) await issue(app, { userId: qa }, env.apiKey.secret)
  expectStatus(t, await issue(app, { userId: qa }, env.apiKey.secret), 429, 'limited before it is a test identity')

  const res = await settings(app, { testIdentities: [{ email: 'qa@example.com', passcode: '000000' }] }, env.id)
  expectStatus(t, res, 200)
  for (let i = 0; i < 15; i++) expectStatus(t, await issue(app, { userId: qa }, env.apiKey.secret), 201, `exempt session ${i + 1}`)

  const ident = () => app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: env.clientId, email: 'qa@example.com' } } })
  expectStatus(t, await ident(), 202)
  const [latest] = await passcodes(app, 'email=qa@example.com', env.id)
  t.equal(latest!.code, '000000')
  const auth = await app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: env.clientId, email: 'qa@example.com', passcode: '000000' } } })
  expectStatus(t, auth, 201)
})
