import t from 'tap'
import { bearer, build, DEFAULT, expectStatus } from './helper.js'

const isRestError = (body: unknown): boolean => {
  const b = body as Record<string, unknown>
  return typeof b.message === 'string' && typeof b.instruction === 'string'
}

t.test('malformed JSON is 400 in the Quiltt envelope', async t => {
  const { app } = await build(t)
  for (const payload of ['{"session":', '{bad json}', '[1,2', 'nul']) {
    const res = await app.inject({ method: 'POST', url: '/v1/users/session', headers: { 'content-type': 'application/json' }, payload })
    t.equal(res.statusCode, 400, payload)
    t.ok(isRestError(res.json()), payload)
    t.equal(res.json().message, 'Bad Request')
  }
})

t.test('prototype-pollution keys are refused with 400', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { ...bearer(DEFAULT.secret), 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true}}' })
  expectStatus(t, res, 400)
  t.ok(isRestError(res.json()))
  t.equal(({} as Record<string, unknown>).admin, undefined)
})

t.test('a body that is not JSON is 415', async t => {
  const { app } = await build(t)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
    const res = await app.inject({ method: 'POST', url: '/v1/users/session', headers: { 'content-type': type }, payload: 'email=a@b.co' })
    t.equal(res.statusCode, 415, type)
    t.ok(isRestError(res.json()), type)
    t.equal(res.json().message, 'Unsupported Media Type')
  }
})

t.test('a body over 1 MiB is 413', async t => {
  const { app } = await build(t)
  const payload = JSON.stringify({ session: { clientId: DEFAULT.clientId, email: 'a@b.co', pad: 'x'.repeat(1024 * 1024) } })
  const res = await app.inject({ method: 'POST', url: '/v1/users/session', headers: { 'content-type': 'application/json' }, payload })
  expectStatus(t, res, 413)
  t.ok(isRestError(res.json()))
})

t.test('an unknown route or method is 404 in the envelope', async t => {
  const { app } = await build(t)
  for (const [method, url] of [['GET', '/nope'], ['GET', '/v1/users'], ['PATCH', '/v1/users/session'], ['POST', '/v1/introspect/nothing']] as const) {
    const res = await app.inject({ method, url })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.strictSame(Object.keys(res.json()).sort(), ['instruction', 'message'])
  }
})

t.test('wrong JSON types are a 422 field map, never a 500', async t => {
  const { app } = await build(t)
  const cases: Array<[string, string, unknown]> = [
    ['POST', '/v1/users/session', []],
    ['POST', '/v1/users/session', 'a string'],
    ['POST', '/v1/users/session', { session: 'x' }],
    ['POST', '/v1/users/session', { session: { clientId: DEFAULT.clientId, email: ['a@b.co'] } }],
    ['PUT', '/v1/users/session', { session: { clientId: DEFAULT.clientId, email: 'a@b.co', passcode: { a: 1 } } }],
    ['POST', '/v1/users/sessions', { userId: 5 }],
    ['POST', '/v1/users/sessions', { metadata: 'x' }],
    ['POST', '/v1/users/sessions', { names: [1] }],
    ['POST', '/v1/users/sessions', [1, 2]],
    ['POST', '/emulator/v1/environments', { rateLimits: 'yes' }]
  ]
  for (const [method, url, payload] of cases) {
    const res = await app.inject({ method: method as 'POST', url, headers: { ...bearer(DEFAULT.secret), 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
    t.equal(res.statusCode, 422, `${method} ${url} ${JSON.stringify(payload)}`)
    const body = res.json() as Record<string, unknown>
    t.ok(Object.keys(body).length > 0 && Object.values(body).every(v => Array.isArray(v) && v.every(m => typeof m === 'string')), 'a field map')
  }
})
