import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { toIso } from '../server/clock.js'
import { authenticate, bearer, build, DEFAULT, expectStatus, identify, issue, passcodes } from './helper.js'

const START = '2026-01-01T12:00:00Z'
const getClock = async (app: FastifyInstance) => (await app.inject({ url: '/emulator/v1/clock' })).json() as { now: string, offsetSeconds: number }
const setClock = (app: FastifyInstance, payload: unknown) => app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: payload as object })

t.test('GET shows the time and the offset; POST moves it and answers the same shape', async t => {
  const { app, clock } = await build(t)
  t.strictSame(await getClock(app), { now: START, offsetSeconds: 0 })

  const advanced = await setClock(app, { advanceSeconds: 90 })
  expectStatus(t, advanced, 200)
  t.strictSame(advanced.json(), { now: '2026-01-01T12:01:30Z', offsetSeconds: 90 })
  t.strictSame(await getClock(app), advanced.json())

  clock.advance(10_000) // real time goes on under the offset
  t.strictSame(await getClock(app), { now: '2026-01-01T12:01:40Z', offsetSeconds: 90 })

  const back = await setClock(app, { advanceSeconds: -3600 })
  t.strictSame(back.json(), { now: '2026-01-01T11:01:40Z', offsetSeconds: -3510 })

  const jumped = await setClock(app, { now: '2030-06-15T08:30:00Z' })
  t.strictSame(jumped.json(), { now: '2030-06-15T08:30:00Z', offsetSeconds: (Date.UTC(2030, 5, 15, 8, 30) - clock.now()) / 1000 })
  const zoned = await setClock(app, { now: '2030-06-15T10:30:00+02:00' })
  t.equal(zoned.json().now, '2030-06-15T08:30:00Z', 'offsets in the timestamp are honoured')

  const real = await setClock(app, { offsetSeconds: 0 })
  t.strictSame(real.json(), { now: '2026-01-01T12:00:10Z', offsetSeconds: 0 })
  const offset = await setClock(app, { offsetSeconds: 86_400 })
  t.strictSame(offset.json(), { now: '2026-01-02T12:00:10Z', offsetSeconds: 86_400 })
})

t.test('offsetSeconds has millisecond precision: fractional after a jump to `now`, and sending it back restores the clock', async t => {
  const { app, clock } = await build(t)
  clock.advance(250) // real time is 12:00:00.250
  const jumped = await setClock(app, { now: '2030-01-01T00:00:00Z' })
  expectStatus(t, jumped, 200)
  const offset = jumped.json().offsetSeconds as number
  t.equal(offset, (Date.UTC(2030, 0, 1) - Date.UTC(2026, 0, 1, 12, 0, 0, 250)) / 1000, 'the instant minus the real time')
  t.not(offset, Math.round(offset), 'a fraction of a second, as openapi.yaml says')
  t.equal((await getClock(app)).now, '2030-01-01T00:00:00Z', 'now itself is shown in whole seconds')

  await setClock(app, { offsetSeconds: 0 })
  const restored = await setClock(app, { offsetSeconds: offset })
  t.strictSame(restored.json(), { now: '2030-01-01T00:00:00Z', offsetSeconds: offset }, 'the offset read back sets the same clock')

  const half = await setClock(app, { advanceSeconds: 0.5 })
  t.equal(half.json().offsetSeconds, offset + 0.5)
  const fine = await setClock(app, { offsetSeconds: 1.2344 })
  t.equal(fine.json().offsetSeconds, 1.234, 'finer than a millisecond is rounded to the millisecond')
})

t.test('bad clock bodies are a 422 and leave the clock alone', async t => {
  const { app } = await build(t)
  const cases: Array<[unknown, Record<string, string[]>]> = [
    [{}, { base: ['give exactly one of advanceSeconds, now or offsetSeconds'] }],
    [{ advanceSeconds: 1, now: '2030-01-01T00:00:00Z' }, { base: ['give exactly one of advanceSeconds, now or offsetSeconds'] }],
    [{ advanceSeconds: '60' }, { advanceSeconds: ['must be a number of seconds from -3153600000 to 3153600000'] }],
    [{ advanceSeconds: 1e12 }, { advanceSeconds: ['must be a number of seconds from -3153600000 to 3153600000'] }],
    [{ offsetSeconds: null }, { offsetSeconds: ['must be a number of seconds from -3153600000 to 3153600000'] }],
    [{ now: 'tomorrow' }, { now: ['must be an ISO-8601 date-time with a time zone, like 2030-01-01T00:00:00Z'] }],
    [{ now: '2030-01-01T00:00:00' }, { now: ['must be an ISO-8601 date-time with a time zone, like 2030-01-01T00:00:00Z'] }],
    [{ now: '2030-02-30T00:00:00Z' }, { now: ['must be an ISO-8601 date-time with a time zone, like 2030-01-01T00:00:00Z'] }],
    [{ now: 1893456000 }, { now: ['must be an ISO-8601 date-time with a time zone, like 2030-01-01T00:00:00Z'] }]
  ]
  for (const [payload, fields] of cases) {
    const res = await setClock(app, payload)
    expectStatus(t, res, 422, JSON.stringify(payload))
    t.strictSame(res.json(), fields, JSON.stringify(payload))
  }
  t.strictSame(await getClock(app), { now: START, offsetSeconds: 0 })
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: '{', headers: { 'content-type': 'application/json' } }), 400)
})

t.test('session tokens expire on the emulator clock', async t => {
  const { app } = await build(t)
  const session = (await issue(app)).json()
  t.equal(session.expiresAt, '2026-01-02T12:00:00Z', 'timestamps follow the clock')
  await setClock(app, { advanceSeconds: 86_399 })
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(session.token) }), 200, 'one second before expiry')
  await setClock(app, { advanceSeconds: 1 })
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(session.token) }), 401, 'at expiry')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(session.token) }), 401)
  // Moving back makes it valid again: the clock decides, nothing else.
  await setClock(app, { offsetSeconds: 0 })
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(session.token) }), 200)
  // And a token issued in the future is not valid yet (nbf) once the clock goes back.
  await setClock(app, { now: '2027-01-01T00:00:00Z' })
  const future = (await issue(app)).json()
  t.equal(future.expiresAt, '2027-01-02T00:00:00Z')
  await setClock(app, { offsetSeconds: 0 })
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(future.token) }), 401, 'before its nbf')
})

t.test('passcodes expire on the emulator clock', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'clock@example.com' })
  await identify(app, { email: 'clock@example.com' })
  const [code] = await passcodes(app, 'email=clock@example.com')
  t.equal((code as unknown as { expiresAt: string }).expiresAt, '2026-01-01T12:10:00Z')
  await setClock(app, { advanceSeconds: 600 })
  t.equal((await passcodes(app, 'email=clock@example.com'))[0]!.state, 'expired')
  expectStatus(t, await authenticate(app, { email: 'clock@example.com', passcode: code!.code }), 401)

  await identify(app, { email: 'clock@example.com' })
  const [fresh] = await passcodes(app, 'email=clock@example.com')
  t.equal((fresh as unknown as { issuedAt: string }).issuedAt, '2026-01-01T12:10:00Z')
  await setClock(app, { advanceSeconds: 599 })
  expectStatus(t, await authenticate(app, { email: 'clock@example.com', passcode: fresh!.code }), 201, 'still valid one second before')
})

t.test('rate-limit windows slide with the emulator clock', async t => {
  const { app } = await build(t)
  const userId = (await issue(app, { email: 'busy@example.com' })).json().userUuid
  for (let i = 0; i < 9; i++) await issue(app, { userId })
  const limited = await issue(app, { userId })
  expectStatus(t, limited, 429)
  t.equal(limited.headers['retry-after'], '3600')
  await setClock(app, { advanceSeconds: 3599 })
  expectStatus(t, await issue(app, { userId }), 429, 'one second short of the hour')
  await setClock(app, { advanceSeconds: 1 })
  expectStatus(t, await issue(app, { userId }), 201, 'the hour has passed')
})

t.test('profile timestamps follow the emulator clock', async t => {
  const { app } = await build(t)
  await setClock(app, { now: '2031-03-04T05:06:07Z' })
  const created = await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { email: 'ts@example.com' } })
  t.match(created.json(), { createdAt: '2031-03-04T05:06:07Z', updatedAt: '2031-03-04T05:06:07Z' })
  const env = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })
  t.equal(env.json().createdAt, '2031-03-04T05:06:07Z')
})

t.test('a full reset puts the clock back to real time; resetting one environment does not', async t => {
  const { app } = await build(t)
  await setClock(app, { advanceSeconds: 500 })
  await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } })
  t.equal((await getClock(app)).offsetSeconds, 500)
  await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
  t.strictSame(await getClock(app), { now: START, offsetSeconds: 0 })
})

t.test('toIso writes whole seconds without milliseconds, and remembers nothing wrong', async t => {
  const a = Date.UTC(2026, 0, 1, 12, 0, 0, 999)
  const b = Date.UTC(2027, 5, 30, 23, 59, 59)
  t.equal(toIso(a), '2026-01-01T12:00:00Z')
  t.equal(toIso(a), '2026-01-01T12:00:00Z', 'the same instant twice')
  t.equal(toIso(b), '2027-06-30T23:59:59Z', 'another instant right after')
  t.equal(toIso(a), '2026-01-01T12:00:00Z', 'and back')
  t.throws(() => toIso(Number.NaN), RangeError, 'an invalid time is still refused')
})
