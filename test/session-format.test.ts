import t, { type Test } from 'tap'
import { authenticate, bearer, build, DEFAULT, expectStatus, identify, issue, passcodes, settings } from './helper.js'

const CURRENT_KEYS = ['token', 'userId', 'userUuid', 'environmentId', 'expiration', 'expiresAt']
const LEGACY_KEYS = ['id', 'expiration', 'userId', 'token']

/** Every answer that carries a session, for one fresh email: identify 201, authenticate 201, issue 201, ping 200, introspect 200. */
async function everySessionAnswer (t: Test, app: Awaited<ReturnType<typeof build>>['app'], email: string) {
  const signup = await identify(app, { email })
  expectStatus(t, signup, 201)
  expectStatus(t, await identify(app, { email }), 202)
  const [code] = await passcodes(app, `email=${encodeURIComponent(email)}`)
  const login = await authenticate(app, { email, passcode: code!.code })
  const issued = await issue(app, { userId: signup.json().userUuid ?? signup.json().userId })
  const ping = await app.inject({ url: '/v1/users/session', headers: bearer(login.json().token) })
  const intro = await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(issued.json().token) })
  return { signup, login, issued, ping, intro }
}

t.test('by default every session answer is exactly Quiltt\'s UserSession: userId the p_ id', async t => {
  const { app } = await build(t)
  const answers = await everySessionAnswer(t, app, 'current@example.com')
  const profile = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles?search=current@example.com` })).json().profiles[0]
  for (const [what, res] of Object.entries(answers)) {
    const body = res.json()
    t.strictSame(Object.keys(body), CURRENT_KEYS, `${what}: exactly the six fields, in Quiltt's order`)
    t.equal(body.userId, profile.id, `${what}: userId is the p_ id`)
    t.equal(body.userUuid, profile.uuid)
    t.equal(body.environmentId, DEFAULT.environmentId)
    t.equal(new Date(body.expiresAt).getTime(), body.expiration * 1000, `${what}: expiresAt and expiration agree`)
    t.match(body.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'without milliseconds')
  }
  t.equal(answers.signup.headers.authorization, `Bearer ${answers.signup.json().token}`, 'the 201 still carries the token as a header too')
})

t.test('sessionFormat legacy answers the seed guide\'s {id, expiration, userId (UUID), token} everywhere', async t => {
  // Off Quiltt's current contract on purpose: only the check against openapi.yaml applies.
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const patched = await settings(app, { sessionFormat: 'legacy' })
  expectStatus(t, patched, 200)
  t.equal(patched.json().sessionFormat, 'legacy')
  const answers = await everySessionAnswer(t, app, 'legacy@example.com')
  const profile = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles?search=legacy@example.com` })).json().profiles[0]
  for (const [what, res] of Object.entries(answers)) {
    const body = res.json()
    t.strictSame(Object.keys(body), LEGACY_KEYS, `${what}: the seed guide's four fields`)
    t.equal(body.userId, profile.uuid, `${what}: userId is the UUID`)
    const jti = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString()).jti
    t.equal(body.id, jti, `${what}: id is the session's id`)
  }
  t.equal(answers.ping.json().id, answers.login.json().id, 'ping names the session it pinged')
  t.not(answers.issued.json().id, answers.login.json().id)

  expectStatus(t, await settings(app, { sessionFormat: 'current' }), 200)
  const back = await app.inject({ url: '/v1/users/session', headers: bearer(answers.login.json().token) })
  t.strictSame(Object.keys(back.json()), CURRENT_KEYS, 'switching back applies to sessions made before')
})

t.test('sessionFormat from fixtures, in the environment list, and refused values', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const loaded = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ name: 'Old guide', sessionFormat: 'legacy', profiles: [{ sessions: 1 }] }] } })
  expectStatus(t, loaded, 201)
  const { id, profiles } = loaded.json().environments[0]
  const env = (await app.inject({ url: '/emulator/v1/environments' })).json().environments.find((e: { id: string }) => e.id === id)
  t.equal(env.sessionFormat, 'legacy')
  const ping = await app.inject({ url: '/v1/users/session', headers: bearer(profiles[0].sessions[0].token) })
  t.strictSame(Object.keys(ping.json()), LEGACY_KEYS)
  t.equal(ping.json().userId, profiles[0].uuid)

  const defaults = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
  t.equal(defaults.sessionFormat, 'current', 'the default fixture answers Quiltt\'s current shape')

  const bad = await settings(app, { sessionFormat: 'v1' })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), { sessionFormat: ['must be one of: current, legacy'] })
  for (const send of [
    () => settings(app, { userIdFormat: 'profileId' }),
    () => app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { userIdFormat: 'uuid' } })
  ]) {
    const old = await send()
    expectStatus(t, old, 422, 'the retired userIdFormat')
    t.match(old.json().userIdFormat, [/was replaced by sessionFormat/])
    t.equal(Object.keys(old.json()).length, 1, 'one message, not also "not a known field"')
  }
  const fixture = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ userIdFormat: 'uuid' }] } })
  expectStatus(t, fixture, 422)
  t.match(fixture.json(), { 'environments.0.userIdFormat': [/was replaced by sessionFormat/] })
})
