import t from 'tap'
import { bearer, build, DEFAULT, identify } from './helper.js'

const ORIGIN = 'http://localhost:5173'

t.test('a preflight from any origin allows the SDK\'s methods and headers, custom ones too', async t => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/v1/users/session',
    headers: { origin: ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,authorization,quiltt-sdk-agent,quiltt-client-version,x-my-app' }
  })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], '*')
  const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/)
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.ok(methods.includes(m), `allows ${m}`)
  const headers = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/)
  for (const h of ['content-type', 'authorization', 'quiltt-sdk-agent', 'quiltt-client-version', 'x-my-app']) t.ok(headers.includes(h), `allows ${h}`)
  t.equal(res.headers['access-control-max-age'], '600')
  t.equal(res.body, '')
})

t.test('responses expose Authorization, so a page can read the token header of a 201', async t => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/users/session',
    headers: { origin: ORIGIN, 'quiltt-sdk-agent': 'Quiltt/6.1.0 (Unknown)' },
    payload: { session: { clientId: DEFAULT.clientId, email: 'cors@example.com' } }
  })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['access-control-allow-origin'], '*')
  const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/)
  t.ok(exposed.includes('Authorization'), 'Authorization is exposed')
  t.ok(exposed.includes('Retry-After'), 'Retry-After (429) is exposed')
  t.equal(res.headers.authorization, `Bearer ${res.json().token}`)
})

t.test('errors and unknown routes carry CORS headers too, so a page can read why', async t => {
  const { app } = await build(t)
  const ping = await app.inject({ url: '/v1/users/session', headers: { origin: ORIGIN, ...bearer('nope') } })
  t.equal(ping.statusCode, 401)
  t.equal(ping.headers['access-control-allow-origin'], '*')
  const missing = await app.inject({ url: '/v1/nowhere', headers: { origin: ORIGIN } })
  t.equal(missing.statusCode, 404)
  t.equal(missing.headers['access-control-allow-origin'], '*')
  t.match(missing.json(), { message: 'Not Found' })
  const bad = await app.inject({ method: 'POST', url: '/v1/users/session', headers: { origin: ORIGIN, 'content-type': 'application/json' }, payload: '{' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['access-control-allow-origin'], '*')
})

t.test('a bare OPTIONS without Origin is answered, not turned into a plain-text 400', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/users/session' })
  t.equal(res.statusCode, 204)
})

t.test('--cors-origin restricts the origins', async t => {
  const { app } = await build(t, { corsOrigins: [ORIGIN, 'https://app.example.com'] })
  const allowed = await app.inject({ method: 'OPTIONS', url: '/v1/users/session', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } })
  t.equal(allowed.headers['access-control-allow-origin'], ORIGIN, 'a listed origin is echoed')
  t.match(String(allowed.headers.vary), /Origin/, 'Vary: Origin, so caches keep origins apart')
  const other = await app.inject({ method: 'OPTIONS', url: '/v1/users/session', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } })
  t.equal(other.headers['access-control-allow-origin'], undefined, 'another origin gets no grant')
  const res = await identify(app, { email: 'x@example.com' })
  t.equal(res.statusCode, 201, 'requests without Origin (servers, curl) are unaffected')
  const fromOther = await app.inject({ method: 'POST', url: '/v1/users/session', headers: { origin: 'http://evil.example' }, payload: { session: { clientId: DEFAULT.clientId, email: 'y@example.com' } } })
  t.equal(fromOther.headers['access-control-allow-origin'], undefined)
})

t.test('a restricted preflight varies on Origin and on the requested headers', async t => {
  const { app } = await build(t, { corsOrigins: [ORIGIN] })
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/users/session', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['content-length'], '0', 'Safari waits for a body without it')
  t.same(String(res.headers.vary).split(/,\s*/).sort(), ['Access-Control-Request-Headers', 'Origin'])
  t.equal(res.headers['access-control-allow-headers'], 'content-type')
  const plain = await app.inject({ url: '/emulator/v1/health' })
  t.equal(plain.headers.vary, 'Origin', 'even a request without Origin says the answer depends on it')
})

t.test('with any origin allowed, every answer carries the grant, Origin or not; a preflight anywhere is answered', async t => {
  const { app } = await build(t)
  const res = await identify(app, { email: 'plain@example.com' })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.match(String(res.headers['access-control-expose-headers']), /Authorization/)
  t.equal(res.headers.vary, undefined, 'any origin gets the same answer: nothing to vary on')
  const unknown = await app.inject({ method: 'OPTIONS', url: '/v1/nowhere', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } })
  t.equal(unknown.statusCode, 204)
  t.equal(unknown.headers['access-control-allow-origin'], '*')
  t.equal(unknown.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE')
})
