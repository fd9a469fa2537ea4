import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, issue } from './helper.js'

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

t.test('strict text and numbers: a lone surrogate or a number out of range is a 422 at its field, never stored mangled', async t => {
  const { app } = await build(t)
  const post = (payload: string) => app.inject({ method: 'POST', url: '/v1/profiles', headers: { ...bearer(DEFAULT.secret), 'content-type': 'application/json' }, payload })
  const lone = await post('{"name": "a\\ud800b"}')
  expectStatus(t, lone, 422)
  t.match(lone.json().name[0], /lone surrogate/)
  const lowFirst = await post('{"metadata": {"k": ["x", "\\udc00"]}}')
  expectStatus(t, lowFirst, 422)
  t.ok(lowFirst.json()['metadata.k.1'], 'the path of the value')
  const big = await post('{"metadata": {"n": 1e400}}')
  expectStatus(t, big, 422)
  t.match(big.json()['metadata.n'][0], /out of range/)
  // A pair is text like any other; 1e300 is a number like any other.
  const pair = await post('{"name": "emoji \\ud83d\\ude00", "metadata": {"n": 1e300}}')
  expectStatus(t, pair, 201)
  t.equal(pair.json().name, 'emoji \u{1F600}')
  t.equal(pair.json().metadata.n, 1e300)
})

t.test('GraphQL metadata 1e400 in the query text is a field error, not stored as null', async t => {
  const { app } = await build(t)
  const token = (await issue(app, {})).json().token as string
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: 'mutation { profileUpdate(input: { metadata: { n: 1e400 } }) { record { metadata } errors { message } } }' } })
  const text = res.body
  t.notMatch(text, /"n":null/, 'not stored as null')
  const after = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: '{ profile { metadata } }' } })
  t.equal(after.json().data.profile.metadata, null, 'nothing was stored')
  t.match(text, /out of range/)
})
