// Raw HTTP/1.1 on a real socket, where the point is the wire: what Node's HTTP server does before
// Fastify sees a request (Expect), every binding of a host name, the server's timeouts, and the
// answers to requests app.inject cannot send as they are.
import dns from 'node:dns'
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { type AppOptions, buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { DEFAULT } from './helper.js'

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

const status = (answer: string): number => Number(answer.split(' ')[1])
const body = (answer: string): unknown => JSON.parse(answer.split('\r\n\r\n')[1]!)

async function issueToken (app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: { email: 'wire@example.com' } })
  return res.json().token as string
}

t.test('an Expect header other than 100-continue is served like any request; 100-continue is still answered with a 100', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const ping = ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]
  const plain = await raw(port, ping)
  const expecting = await raw(port, [...ping, 'Expect: something-else'])
  t.match(expecting, /^HTTP\/1\.1 200 OK\r\n/, 'not the bare 417 Node sends by itself')
  t.equal(expecting, plain, 'the same answer, byte for byte')
  const profiles = await raw(port, ['GET /v1/profiles HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Expect: x'])
  t.match(profiles, /^HTTP\/1\.1 200 OK\r\n[^]*content-type: application\/json/i, 'on every route')
  const introspect = await raw(port, ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Expect: 100-continue', 'Content-Length: 0'])
  t.match(introspect, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/, '100-continue: Node\'s interim answer, then the answer')
})

t.test('a host name that resolves to several addresses is bound on each, as Fastify does, and each serves an unknown Expect', async t => {
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
  t.strictSame(app.addresses().map(a => typeof a === 'string' ? a : a.address).sort(), ['127.0.0.1', '127.0.0.2'], 'two bindings')
  const token = await issueToken(app)
  for (const address of ['127.0.0.1', '127.0.0.2']) {
    t.match(await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`], address), /^HTTP\/1\.1 200 /, `answered on ${address}`)
    const expecting = await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Expect: x'], address)
    t.match(expecting, /^HTTP\/1\.1 200 /, `an unknown Expect is served on ${address} too`)
  }
})

t.test('the server keeps Fastify\'s keep-alive timeout and sets request and header timeouts', async t => {
  const { app } = await listen(t)
  t.equal(app.server.keepAliveTimeout, 72_000)
  t.equal(app.server.requestTimeout, 60_000, 'a whole request has a minute')
  t.equal(app.server.headersTimeout, 20_000, 'its headers 20 s')
})

t.test('a client trickling its request is answered 408 and let go once its time is up', async t => {
  const { port } = await listen(t, { timeouts: { requestMs: 400, headersMs: 300, checkEveryMs: 100 } })
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    socket.setEncoding('latin1')
    socket.on('data', d => { out += d })
    socket.on('close', () => resolve(out))
    socket.on('error', reject)
    // Headers, then a body that never comes whole.
    socket.write('POST /v1/users/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{')
    const drip = setInterval(() => { if (!socket.destroyed) socket.write(' ') }, 50)
    socket.on('close', () => clearInterval(drip))
  })
  t.match(answer, /^HTTP\/1\.1 408 /, 'a 408, then the connection closed')
})

t.test('requests as clients send them on the wire get the answers the spec gives them', async t => {
  const { app, port } = await listen(t)
  const token = await issueToken(app)
  const cases: Array<[string, string[], number]> = [
    ['no Authorization', ['GET /v1/users/session HTTP/1.1'], 401],
    ['a broken token', ['GET /v1/users/session HTTP/1.1', 'Authorization: Bearer nope'], 401],
    ['a wrong API key', ['POST /v1/introspect/api_key HTTP/1.1', 'Authorization: Bearer sk_nope'], 401],
    ['a ping as the SDK sends it', ['GET /v1/users/session HTTP/1.1', 'Content-Type: application/json', 'Accept: application/json', 'Quiltt-SDK-Agent: Quiltt/test', `Authorization: Bearer ${token}`], 200],
    ['a lower-case scheme and two spaces', ['GET /v1/users/session HTTP/1.1', `Authorization: bearer  ${token}`], 200],
    ['a query string', ['GET /v1/users/session?x=1 HTTP/1.1', `Authorization: Bearer ${token}`], 200],
    ['HEAD', ['HEAD /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`], 200],
    ['an empty JSON request', ['POST /v1/introspect/api_key HTTP/1.1', 'Content-Type: application/json; charset=utf-8', 'Content-Length: 0', `Authorization: Bearer ${DEFAULT.secret}`], 200],
    ['a body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: application/json', 'Content-Length: 2', '\r\n{}'], 200],
    ['a bad body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: text/plain', 'Content-Length: 1', '\r\nx'], 415],
    ['an empty body of another type', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: text/plain', 'Content-Length: 0'], 200],
    ['an empty YAML body, which only the fixtures take', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Content-Type: application/yaml', 'Content-Length: 0'], 415],
    ['a GET with a body', ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`, 'Content-Length: 2', '\r\n{}'], 200],
    ['a chunked body', ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`, 'Transfer-Encoding: chunked', '\r\n0\r\n\r\n'], 200],
    ['another spelling of the path', ['GET /v1/users/session/ HTTP/1.1', `Authorization: Bearer ${token}`], 404]
  ]
  for (const [what, request, expected] of cases) {
    const answer = await raw(port, request)
    t.equal(status(answer), expected, what)
    if (expected >= 400) t.match(body(answer), { message: String, instruction: String }, `${what}: in Quiltt's shape`)
  }
  t.match(await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`]),
    /^HTTP\/1\.1 200 OK\r\naccess-control-allow-origin: \*\r\naccess-control-expose-headers: Authorization, Retry-After, Current-Page, Page-Items, Total-Count, Total-Pages\r\ncontent-type: application\/json; charset=utf-8\r\ncontent-length: \d+\r\n/,
    'the CORS headers, then the content headers')

  const revoke = await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: { authorization: `Bearer ${token}` } })
  t.equal(revoke.statusCode, 204)
  t.equal(status(await raw(port, ['GET /v1/users/session HTTP/1.1', `Authorization: Bearer ${token}`])), 401, 'a revoked session is refused')
})

t.test('an introspection answer is reused only while its rows are unchanged', async t => {
  const { app, port } = await listen(t)
  const introspect = ['POST /v1/introspect/api_key HTTP/1.1', `Authorization: Bearer ${DEFAULT.secret}`]
  const first = await raw(port, introspect)
  t.match(body(first), { id: DEFAULT.apiKeyId, environment: { id: DEFAULT.environmentId } })
  t.equal(await raw(port, introspect), first, 'the same answer, byte for byte')
  const renamed = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { name: 'Renamed' } })
  t.equal(renamed.statusCode, 200, renamed.body)
  const after = body(await raw(port, introspect)) as { environment: { name: string } }
  t.equal(after.environment.name, 'Renamed', 'the new name, at once')
  t.not((body(first) as { environment: { name: string } }).environment.name, 'Renamed')
})

t.test('a request target in absolute form (as sent to a proxy) is read by its path: faults apply, /emulator/ is not journaled', async t => {
  const { app, port } = await listen(t)
  const fault = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'GET', path: '/v1/users/session', status: 503 } })
  t.equal(fault.statusCode, 201)
  const faulted = await raw(port, ['GET http://auth.quiltt.io/v1/users/session HTTP/1.1'])
  t.equal(status(faulted), 503, 'the fault matched the path of an absolute-form target')
  const created = await raw(port, ['POST http://auth.quiltt.io/emulator/v1/environments HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 2', '\r\n{}'])
  t.equal(status(created), 201)
  const journal = (await app.inject({ url: '/emulator/v1/requests' })).json().requests as Array<{ path: string }>
  t.strictSame(journal.map(e => e.path), ['/v1/users/session'], 'journaled by its path; the emulator API (and its secrets) not at all')
})
