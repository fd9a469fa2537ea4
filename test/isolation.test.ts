import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, DEFAULT, expectStatus } from './helper.js'

interface Env { id: string, clientId: string, apiKey: { id: string, secret: string } }

async function createEnvironment (app: FastifyInstance, body: Record<string, unknown> = {}): Promise<Env> {
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: body })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json()
}
const identifyIn = (app: FastifyInstance, env: Env, email: string) =>
  app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: env.clientId, email } } })
const authenticateIn = (app: FastifyInstance, env: Env, email: string, passcode: string) =>
  app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: env.clientId, email, passcode } } })
async function latestCode (app: FastifyInstance, env: Env, email: string): Promise<string> {
  const res = await app.inject({ url: `/emulator/v1/environments/${env.id}/passcodes?email=${encodeURIComponent(email)}` })
  return res.json().passcodes[0].code
}

t.test('each created environment has its own clientId, secret and API key', async t => {
  const { app } = await build(t)
  const a = await createEnvironment(app, { name: 'Worker A' })
  const b = await createEnvironment(app, { name: 'Worker B' })
  t.not(a.id, b.id)
  t.not(a.clientId, b.clientId)
  t.not(a.apiKey.secret, b.apiKey.secret)
  t.not(a.apiKey.id, b.apiKey.id)
  for (const env of [a, b]) {
    const res = await app.inject({ method: 'POST', url: '/v1/introspect/api_key', headers: bearer(env.apiKey.secret) })
    expectStatus(t, res, 200)
    t.equal(res.json().environment.id, env.id, 'a secret introspects as its own environment')
  }
})

t.test('the same email is two unrelated profiles in two environments', async t => {
  const { app } = await build(t)
  const a = await createEnvironment(app)
  const b = await createEnvironment(app)
  const inA = await identifyIn(app, a, 'shared@example.com')
  expectStatus(t, inA, 201, 'signs up in A')
  const inB = await identifyIn(app, b, 'shared@example.com')
  expectStatus(t, inB, 201, 'signs up in B too: A\'s profile is not visible there')
  t.not(inA.json().userUuid, inB.json().userUuid)
  t.equal(inA.json().environmentId, a.id)
  t.equal(inB.json().environmentId, b.id)
  const listA = (await app.inject({ url: '/v1/profiles', headers: bearer(a.apiKey.secret) })).json()
  const listB = (await app.inject({ url: '/v1/profiles', headers: bearer(b.apiKey.secret) })).json()
  t.strictSame(listA.map((p: { uuid: string }) => p.uuid), [inA.json().userUuid])
  t.strictSame(listB.map((p: { uuid: string }) => p.uuid), [inB.json().userUuid])
  const defaults = (await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) })).json()
  t.strictSame(defaults, [], 'the default environment sees neither')
})

t.test('a secret never reaches another environment\'s profiles', async t => {
  const { app } = await build(t)
  const a = await createEnvironment(app)
  const b = await createEnvironment(app)
  const profile = (await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(a.apiKey.secret), payload: { email: 'p@example.com' } })).json()
  for (const path of [`/v1/profiles/${profile.id}`, `/v1/profiles/${profile.uuid}`]) {
    expectStatus(t, await app.inject({ url: path, headers: bearer(b.apiKey.secret) }), 404, `GET ${path} with B's secret`)
    expectStatus(t, await app.inject({ method: 'PATCH', url: path, headers: bearer(b.apiKey.secret), payload: { name: 'x' } }), 404)
    expectStatus(t, await app.inject({ method: 'DELETE', url: path, headers: bearer(b.apiKey.secret) }), 404)
    expectStatus(t, await app.inject({ url: path, headers: bearer(a.apiKey.secret) }), 200, 'still there for A')
  }
  const issued = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(b.apiKey.secret), payload: { userId: profile.uuid } })
  expectStatus(t, issued, 404, 'B cannot issue a session for A\'s profile')
  // Even a UUID taken in A is free in B.
  const sameUuid = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(b.apiKey.secret), payload: { uuid: profile.uuid } })
  expectStatus(t, sameUuid, 201)
  t.equal(sameUuid.json().environmentId, b.id)
})

t.test('a passcode issued in one environment never logs in to another', async t => {
  const { app } = await build(t)
  const a = await createEnvironment(app)
  const b = await createEnvironment(app)
  for (const env of [a, b]) {
    await identifyIn(app, env, 'otp@example.com')
    expectStatus(t, await identifyIn(app, env, 'otp@example.com'), 202)
  }
  const codeA = await latestCode(app, a, 'otp@example.com')
  // Random codes could coincide (one in a million); ask B for a new one until they differ.
  while (codeA === await latestCode(app, b, 'otp@example.com')) await identifyIn(app, b, 'otp@example.com')
  expectStatus(t, await authenticateIn(app, b, 'otp@example.com', codeA), 401, 'A\'s code in B')
  // A's code stays good in A (B's wrong try did not touch it), and B's own code works in B.
  expectStatus(t, await authenticateIn(app, a, 'otp@example.com', codeA), 201)
  const codeB = await latestCode(app, b, 'otp@example.com')
  expectStatus(t, await authenticateIn(app, b, 'otp@example.com', codeB), 201)
  t.strictSame((await app.inject({ url: `/emulator/v1/environments/${a.id}/passcodes` })).json().passcodes.map((p: { attempts: number }) => p.attempts), [0])
})

t.test('tokens carry their environment: each answers as its own, and a secret is no token', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const a = await createEnvironment(app, { sessionTtlSeconds: 100 })
  const b = await createEnvironment(app, { sessionFormat: 'legacy' })
  const ta = (await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(a.apiKey.secret), payload: {} })).json()
  const tb = (await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(b.apiKey.secret), payload: {} })).json()
  t.match((await app.inject({ url: '/v1/users/session', headers: bearer(ta.token) })).json(), { environmentId: a.id, userId: ta.userId })
  t.strictSame(Object.keys((await app.inject({ url: '/v1/users/session', headers: bearer(tb.token) })).json()), ['id', 'expiration', 'userId', 'token'], 'B answers in its own (legacy) format')
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(ta.token) }), 401, 'a session token is not an API key')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(a.apiKey.secret) }), 401, 'an API key is not a session token')
  // A token re-signed for another environment's id does not verify: signing keys are per environment.
  const [h, p, s] = ta.token.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, eid: b.id })).toString('base64url')}.${s}`
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(forged) }), 401, 'A\'s token claiming B')
})

t.test('deleting an environment deletes its data; its secret, tokens and clientId stop working', async t => {
  const { app } = await build(t)
  const a = await createEnvironment(app)
  const b = await createEnvironment(app)
  const sa = (await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(a.apiKey.secret), payload: { email: 'gone@example.com' } })).json()
  const sb = (await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(b.apiKey.secret), payload: { email: 'gone@example.com' } })).json()
  await identifyIn(app, a, 'gone@example.com')

  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${a.id}` }), 204)
  const secret = await app.inject({ url: '/v1/profiles', headers: bearer(a.apiKey.secret) })
  expectStatus(t, secret, 401, 'the secret')
  t.strictSame(secret.json(), { message: 'Not Authenticated', instruction: 'Are you sending a valid API Key secret in the `Authorization` header?' })
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(a.apiKey.secret), payload: {} }), 401)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/introspect/api_key', headers: bearer(a.apiKey.secret) }), 401)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(sa.token) }), 401, 'the token')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(sa.token) }), 401)
  const ident = await identifyIn(app, a, 'gone@example.com')
  expectStatus(t, ident, 422, 'the clientId')
  t.strictSame(ident.json(), { clientId: ['is invalid'] })
  expectStatus(t, await app.inject({ url: `/emulator/v1/environments/${a.id}/passcodes` }), 404, 'its passcodes went with it')
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${a.id}` }), 404, 'deleting twice')

  // B is untouched.
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(sb.token) }), 200)
  expectStatus(t, await app.inject({ url: `/v1/profiles/${sb.userUuid}`, headers: bearer(b.apiKey.secret) }), 200)
  // A new environment may take the freed clientId, and A's old token still fails there.
  const again = await createEnvironment(app, { clientId: a.clientId, id: a.id })
  t.equal(again.id, a.id)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(sa.token) }), 401, 'a recreated environment has a new signing key')
})
