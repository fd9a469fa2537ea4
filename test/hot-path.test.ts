import dns from 'node:dns'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { type AppOptions, buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { DEFAULT } from './helper.js'

// Ping and API key introspection are answered before Fastify's pipeline (server/http/hot-path.ts).
// Whatever path a request takes, the client must not be able to tell: same bytes, same journal entry.
// Fastify's path is reached on the same emulator by arming a fault for another path (the hot path
// steps aside while any fault is armed), so both answers come from the same data.

async function listen (t: Test, options: AppOptions = {}): Promise<{ app: FastifyInstance, port: number }> {
  const app = await buildApp({ db: ':memory:', clock: new ManualClock(Date.UTC(2026, 0, 1, 12)), ...options })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return { app, port: typeof address === 'object' && address ? address.port : 0 }
}

/**
 * Sends the request line and headers of `request` as they are (a last element starting with a blank line
 * is the body) and returns the whole response as received, without its Date line.
 */
function raw (port: number, request: string[], address = '127.0.0.1'): Promise<string> {
  const last = request.at(-1)!
  const [head, body] = last.startsWith('\r\n') ? [request.slice(0, -1), last] : [request, '\r\n']
  return new Promise((resolve, reject) => {
    const socket = connect(port, address)
    let out = ''
    socket.setEncoding('latin1')
    socket.on('data', d => { out += d })
    socket.on('end', () => resolve(out.replace(/\r\nDate: [^\r]*/, '')))
    socket.on('error', reject)
    socket.write(`${[...head, 'Host: localhost', 'Connection: close'].join('\r\n')}\r\n${body}`)
  })
}

async function issueToken (app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: { email: 'hot@example.com' } })
  return res.json().token as string
}

/** Makes Fastify's path answer everything: a fault is armed, on a path these tests never call. */
async function armElsewhere (app: FastifyInstance): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'GET', path: '/v1/nowhere', status: 500, times: 1000 } })
  if (res.statusCode !== 201) throw new Error(`arming a fault: ${res.statusCode} ${res.body}`)
}
const disarm = (app: FastifyInstance) => app.inject({ method: 'DELETE', url: '/emulator/v1/faults' })

const journal = async (app: FastifyInstance) =>
  ((await app.inject({ url: '/emulator/v1/requests' })).json() as { requests: Array<Record<string, unknown>> }).requests

/** Both paths' answers to the same requests, and whether the hot path answered the first set. */
async function bothPaths (app: FastifyInstance, port: number, requests: string[][]): Promise<{ hot: string[], fastify: string[], served: number }> {
  const before = app.emulator.hotPath.served
  const hot: string[] = []
  for (const r of requests) hot.push(await raw(port, r))
  const served = app.emulator.hotPath.served - before
  await armElsewhere(app)
  const fastify: string[] = []
  for (const r of requests) fastify.push(await raw(port, r))
  await disarm(app)
  return { hot, fastify, served }
}

t.test('ping and API key introspection: the same bytes from both paths', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const requests = [
    ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`],
    ['GET /v1/users/session HTTP/1.1', `Authorization: bearer  ${token}`, 'Origin: http://app.test'],
    ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`],
    ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Length: 0'],
    // As the SDK sends its pings, and as a backend may post an empty JSON request.
    ['GET /v1/users/session HTTP/1.1', 'Content-Type: application/json', 'Accept: application/json', 'Quiltt-SDK-Agent: Quiltt/test', `Authorization: Bearer ${token}`],
    ['POST /v1/introspect/api_key HTTP/1.1', 'Content-Type: application/json; charset=utf-8', 'Content-Length: 0', `Authorization: Bearer ${DEFAULT.secret}`]
  ]
  const { hot, fastify, served } = await bothPaths(app, port, requests)
  t.equal(app.emulator.hotPath.active, true)
  t.equal(served, requests.length, 'the hot path answered each of them')
  t.equal(app.emulator.hotPath.served, requests.length, 'and none of Fastify\'s')
  t.strictSame(hot, fastify)
  t.match(hot[0], /^HTTP\/1\.1 200 OK\r\naccess-control-allow-origin: \*\r\naccess-control-expose-headers: Authorization, Retry-After, Current-Page, Page-Items, Total-Count, Total-Pages\r\ncontent-type: application\/json; charset=utf-8\r\ncontent-length: \d+\r\n/)
  t.match(JSON.parse(hot[0]!.split('\r\n\r\n')[1]!), { token, environmentId: DEFAULT.environmentId })
  t.match(JSON.parse(hot[2]!.split('\r\n\r\n')[1]!), { id: DEFAULT.apiKeyId, environment: { id: DEFAULT.environmentId } })
})

t.test('with a list of origins, each path gives the same CORS headers', async t => {
  const { app, port } = await listen(t, { corsOrigins: ['http://app.test'] })
  const token = await issueToken(app)
  const requests = [
    ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Origin: http://app.test'],
    ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Origin: http://evil.test'],
    ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`]
  ]
  const { hot, fastify, served } = await bothPaths(app, port, requests)
  t.equal(served, 3)
  t.strictSame(hot, fastify)
  t.match(hot[0], /\r\nvary: Origin\r\naccess-control-allow-origin: http:\/\/app\.test\r\naccess-control-expose-headers: Authorization, Retry-After, Current-Page, Page-Items, Total-Count, Total-Pages\r\n/)
  t.notMatch(hot[1], /access-control-allow-origin/i, 'an origin not listed is not allowed')
  t.match(hot[1], /\r\nvary: Origin\r\n/)
})

t.test('the journal shows the same entries whichever path answered', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const ping = ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]
  const introspect = ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Length: 0']
  await bothPaths(app, port, [ping, introspect])
  const entries = (await journal(app)).filter(e => e.path !== '/emulator/v1/faults')
  const comparable = entries.map(({ id: _id, at: _at, durationMs, ...rest }) => { t.type(durationMs, 'number'); return rest })
  // Newest first: Fastify's two, then the hot path's two.
  t.equal(comparable.length, 5, 'the issue, then two requests on each path')
  t.strictSame(comparable[0], comparable[2], 'introspection')
  t.strictSame(comparable[1], comparable[3], 'ping')
  t.match(comparable[3], { method: 'GET', path: '/v1/users/session', query: null, status: 200, requestBody: null, responseBody: { token: '[REDACTED]' } })
  t.match(comparable[2], { method: 'POST', path: '/v1/introspect/api_key', status: 200, requestBody: null, responseBody: { id: DEFAULT.apiKeyId } })
})

t.test('anything but the plain success goes to Fastify', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const status = (s: string) => Number(s.split(' ')[1])
  const cases: Array<[string, string[], number]> = [
    ['no Authorization', ['GET /v1/users/session HTTP/1.1'], 401],
    ['a broken token', ['GET /v1/users/session HTTP/1.1', 'Authorization: Bearer nope'], 401],
    ['a wrong API key', ['POST /v1/introspect/api_key HTTP/1.1', 'Authorization: Bearer sk_nope'], 401],
    ['a query string', ['GET /v1/users/session?x=1 HTTP/1.1', `Authorization: Bearer ${token}`], 200],
    ['HEAD', ['HEAD /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`], 200],
    ['a body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: application/json', 'Content-Length: 2', '\r\n{}'], 200],
    ['a bad body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: text/plain', 'Content-Length: 1', '\r\nx'], 415],
    ['an empty body of another type', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: text/plain', 'Content-Length: 0'], 200],
    ['an empty YAML body, which only the fixtures take', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: application/yaml', 'Content-Length: 0'], 415],
    ['a GET with a body', ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Content-Length: 2', '\r\n{}'], 200],
    ['a chunked body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Transfer-Encoding: chunked', '\r\n0\r\n\r\n'], 200],
    ['another spelling of the path', ['GET /v1/users/session/ HTTP/1.1', `Authorization: Bearer ${token}`], 404]
  ]
  for (const [what, request, expected] of cases) {
    const before = app.emulator.hotPath.served
    const answer = await raw(port, request)
    t.equal(status(answer), expected, what)
    t.equal(app.emulator.hotPath.served, before, `${what}: answered by Fastify`)
    if (expected >= 400) t.match(JSON.parse(answer.split('\r\n\r\n')[1]!), { message: String, instruction: String }, `${what}: in Quiltt's shape`)
  }

  const revoke = await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: { authorization: `Bearer ${token}` } })
  t.equal(revoke.statusCode, 204)
  t.equal(status(await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`])), 401, 'a revoked session is refused')
  t.equal(app.emulator.hotPath.served, 0, 'the hot path answered none of them')
})

t.test('a fault armed for ping is served by Fastify, and the hot path resumes once it is used up', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const ping = ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]
  const armed = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'GET', path: '/v1/users/session', status: 503 } })
  t.equal(armed.statusCode, 201)
  t.match(await raw(port, ping), /^HTTP\/1\.1 503 /)
  t.equal(app.emulator.hotPath.served, 0)
  t.match(await raw(port, ping), /^HTTP\/1\.1 200 /)
  t.equal(app.emulator.hotPath.served, 1)
})

t.test('requests logged at info go through Fastify, which writes their line', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const { app, port } = await listen(t, { logger: { level: 'info', stream } })
  const token = await issueToken(app)
  const ping = ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]
  t.match(await raw(port, ping), /^HTTP\/1\.1 200 /)
  t.equal(app.emulator.hotPath.served, 0)
  t.ok(lines.some(l => l.includes('GET /v1/users/session 200')), 'the request line is logged')
  app.log.level = 'warn'
  t.match(await raw(port, ping), /^HTTP\/1\.1 200 /)
  t.equal(app.emulator.hotPath.served, 1, 'once the level is raised, the hot path answers')
})

t.test('off when asked, and while responses are validated', async t => {
  for (const options of [{ hotPath: false }, { validateResponses: true }]) {
    const { app, port } = await listen(t, options)
    const token = await issueToken(app)
    t.match(await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]), /^HTTP\/1\.1 200 /)
    t.equal(app.emulator.hotPath.served, 0, JSON.stringify(options))
    t.equal(app.emulator.hotPath.active, false)
  }
})

t.test('the server keeps the timeouts Fastify gives its own', async t => {
  const { app } = await listen(t)
  t.equal(app.server.keepAliveTimeout, 72_000)
  t.equal(app.server.requestTimeout, 0)
})

t.test('request ids in the log count the requests the hot path answered', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const { app, port } = await listen(t, { logger: { level: 'error', stream } })
  const introspect = ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`]
  for (let i = 0; i < 3; i++) t.match(await raw(port, introspect), /^HTTP\/1\.1 200 /)
  t.equal(app.emulator.hotPath.served, 3)
  // The fourth request fails (a bug, simulated) and is logged by Fastify with its id.
  app.emulator.services.environments.authenticateApiKey = () => { throw new Error('simulated bug') }
  t.match(await raw(port, introspect), /^HTTP\/1\.1 500 /)
  const logged = lines.map(l => JSON.parse(l) as { reqId?: string, msg: string }).find(l => l.msg === 'unhandled error')
  t.equal(logged?.reqId, 'req-4', 'the fourth request is req-4, as without the hot path')
})

t.test('a host name that resolves to several addresses is bound on each, as Fastify does', async t => {
  // As localhost resolves to both ::1 and 127.0.0.1 on many systems; two IPv4 loopback addresses here.
  const lookup = dns.lookup
  t.teardown(() => { dns.lookup = lookup })
  dns.lookup = ((host: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all
    if (host !== 'localhost') return (lookup as (...args: unknown[]) => void)(host, options, callback)
    const list = [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }]
    process.nextTick(() => { if (all) cb(null, list); else cb(null, '127.0.0.1', 4) })
  }) as typeof dns.lookup
  const app = await buildApp({ db: ':memory:' })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: 'localhost' })
  const { port } = app.server.address() as { port: number }
  const token = await issueToken(app)
  for (const address of ['127.0.0.1', '127.0.0.2']) {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, address)
      let out = ''
      socket.setEncoding('latin1')
      socket.on('data', d => { out += d })
      socket.on('end', () => resolve(out))
      socket.on('error', reject)
      socket.write(`GET /v1/users/session HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`)
    })
    t.match(answer, /^HTTP\/1\.1 200 /, `answered on ${address}`)
    const expecting = await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Expect: x'], address)
    t.match(expecting, /^HTTP\/1\.1 200 /, `an unknown Expect is served on ${address} too`)
  }
  t.equal(app.emulator.hotPath.served, 2, 'the main binding has the hot path (both its pings); the others are Fastify\'s alone')
})

t.test('an introspection answer is reused only while its rows are unchanged', async t => {
  const { app, port } = await listen(t)
  const introspect = ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`]
  const body = (answer: string) => JSON.parse(answer.split('\r\n\r\n')[1]!) as { environment: { name: string, mode: string } }
  const first = await raw(port, introspect)
  t.equal(await raw(port, introspect), first, 'the same answer, byte for byte')
  const renamed = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { name: 'Renamed' } })
  t.equal(renamed.statusCode, 200, renamed.body)
  const after = await raw(port, introspect)
  t.equal(body(after).environment.name, 'Renamed', 'the new name, at once')
  t.not(body(first).environment.name, 'Renamed')
  t.equal(app.emulator.hotPath.served, 3, 'all three from the hot path')
})

t.test('an Expect header other than 100-continue is served like any request, on both paths', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const ping = ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]
  const plain = await raw(port, ping)
  const expecting = await raw(port, [...ping, 'Expect: something-else'])
  t.match(expecting, /^HTTP\/1\.1 200 OK\r\n/, 'not the bare 417 Node sends by itself')
  t.equal(expecting.split('\r\n\r\n')[1], plain.split('\r\n\r\n')[1], 'the same answer')
  const profiles = await raw(port, ['GET /v1/profiles HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Expect: x'])
  t.match(profiles, /^HTTP\/1\.1 200 OK\r\n[^]*content-type: application\/json/i, 'through Fastify too')
})
