import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import tls from 'node:tls'
import t, { type Test } from 'tap'
import { Agent, request } from 'undici'
import { currentInterception, intercept, parseRedirect, REDIRECTED_FROM_HEADER } from '../../server/drop-in/intercept.js'
import { isLoopbackHost } from '../../server/drop-in/loopback.js'
import { startEmulator } from '../../server/index.js'
import nextLoader, { rewriteQuilttUrls } from '../../server/drop-in/next-loader.js'
import { build, DEFAULT } from '../helper.js'

interface Seen { method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer }

/** A plain HTTP server that records each request exactly and answers 201 with a JSON body. */
async function recorder (t: Test, name: string): Promise<{ url: string, port: number, seen: Seen[] }> {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(201, { 'content-type': 'application/json', 'x-answered-by': name })
      res.end(JSON.stringify({ answeredBy: name }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, seen }
}

type Answer = { status: number, body: string }
function nodeRequest (mod: typeof http | typeof https, url: string, options: http.RequestOptions, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = mod.request(url, options, res => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d })
      res.on('end', () => resolve({ status: res.statusCode!, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('a redirected request arrives as sent: method, path, query, headers and body, plus the header naming its origin', async t => {
  const target = await recorder(t, 'emulator')
  const interception = intercept({ url: target.url })
  t.teardown(() => interception.restore())
  // A body that holds what looks like a request line: only the start of a request gets the header.
  const binary = Buffer.concat([Buffer.from('POST /not-a-request HTTP/1.1\r\n'), Buffer.from([0, 255, 13, 10, 1, 2, 3])])
  const json = JSON.stringify({ email: 'kept@example.com', note: 'ü ✓' })

  const viaFetch = await fetch('https://auth.quiltt.io/v1/users/sessions?a=1&b=%2F', { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-custom': 'one' }, body: json })
  t.equal(viaFetch.status, 201)
  t.equal(viaFetch.headers.get('x-answered-by'), 'emulator', 'the answer comes back to the caller')
  t.strictSame(await viaFetch.json(), { answeredBy: 'emulator' })

  const viaHttps = await nodeRequest(https, 'https://api.quiltt.io/v1/profiles/p_1?x=y', { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': binary.length } }, binary)
  t.equal(viaHttps.status, 201)

  // A streamed body (chunked) through the global fetch.
  const stream = new ReadableStream({ start (c) { c.enqueue(new TextEncoder().encode('part one, ')); c.enqueue(new TextEncoder().encode('part two')); c.close() } })
  const streamed = await fetch('https://api.quiltt.io/v1/graphql', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
  t.equal(streamed.status, 201)

  // Plain http:// too, through node:http's own agent.
  const viaHttp = await nodeRequest(http, 'http://auth.quiltt.io/v1/users/session', { method: 'GET', headers: { authorization: 'Bearer abc' } })
  t.equal(viaHttp.status, 201)

  const [a, b, c, d] = target.seen as [Seen, Seen, Seen, Seen]
  t.equal(target.seen.length, 4)
  t.match(a, { method: 'PATCH', url: '/v1/users/sessions?a=1&b=%2F', headers: { 'content-type': 'application/json', 'x-custom': 'one', host: 'auth.quiltt.io', [REDIRECTED_FROM_HEADER]: 'https://auth.quiltt.io' } })
  t.equal(a.body.toString(), json, 'a JSON body, byte for byte')
  t.match(b, { method: 'PUT', url: '/v1/profiles/p_1?x=y', headers: { host: 'api.quiltt.io', [REDIRECTED_FROM_HEADER]: 'https://api.quiltt.io' } })
  t.ok(b.body.equals(binary), 'a binary body, byte for byte, request-line look-alike included')
  t.equal(c.headers['transfer-encoding'], 'chunked')
  t.equal(c.body.toString(), 'part one, part two', 'a streamed body')
  t.match(d, { method: 'GET', url: '/v1/users/session', headers: { authorization: 'Bearer abc', [REDIRECTED_FROM_HEADER]: 'http://auth.quiltt.io' } })
})

t.test('undici with its own Agent, and keep-alive: every request on one connection carries the header', async t => {
  const target = await recorder(t, 'emulator')
  const interception = intercept({ url: target.url })
  t.teardown(() => interception.restore())
  const agent = new Agent({ connections: 1 })
  t.teardown(() => agent.close())
  for (let i = 0; i < 3; i++) {
    const res = await request(`https://auth.quiltt.io/v1/users/sessions?i=${i}`, { method: 'POST', body: `{"i":${i}}`, headers: { 'content-type': 'application/json' }, dispatcher: agent })
    t.equal(res.statusCode, 201)
    await res.body.dump()
  }
  t.strictSame(target.seen.map(s => [s.url, s.headers[REDIRECTED_FROM_HEADER], s.body.toString()]), [0, 1, 2].map(i => [`/v1/users/sessions?i=${i}`, 'https://auth.quiltt.io', `{"i":${i}}`]))
})

t.test('other hosts are untouched, and extra hosts are redirected with their port in the header', async t => {
  const target = await recorder(t, 'emulator')
  const other = await recorder(t, 'other')
  const interception = intercept({ url: target.url, hosts: ['CDN.quiltt.io', 'localhost'] })
  t.teardown(() => interception.restore())
  t.strictSame(interception.hosts, ['auth.quiltt.io', 'api.quiltt.io', 'cdn.quiltt.io', 'localhost'])
  const direct = await fetch(`${other.url}/v1/users/sessions`, { method: 'POST' })
  t.equal(direct.headers.get('x-answered-by'), 'other', '127.0.0.1 is not a redirected host')
  t.notOk(other.seen[0]!.headers[REDIRECTED_FROM_HEADER], 'and gets no header')
  const named = await fetch(`http://localhost:${other.port}/x`)
  t.equal(named.headers.get('x-answered-by'), 'emulator', 'an extra host is redirected')
  await fetch('https://cdn.quiltt.io/v1/connector.js')
  t.strictSame(target.seen.map(s => s.headers[REDIRECTED_FROM_HEADER]), [`http://localhost:${other.port}`, 'https://cdn.quiltt.io'])
})

t.test('startEmulator({ intercept: true }) redirects while it runs and stops on close()', async t => {
  const originals = { tls: tls.connect, net: net.connect, agent: http.Agent.prototype.createConnection }
  const other = await recorder(t, 'other')
  const emulator = await startEmulator({ intercept: { hosts: ['localhost'] } })
  t.teardown(() => emulator.close())
  t.equal(emulator.interception?.url, emulator.url)
  t.not(tls.connect, originals.tls, 'patched while it runs')

  // The unmodified server-side call of Quiltt's template: a hard-coded URL, no variable set.
  const res = await fetch('https://auth.quiltt.io/v1/users/sessions', {
    method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'intercepted@example.com' })
  })
  t.equal(res.status, 201, 'the emulator issued a session')
  const session = await res.json() as { token: string, environmentId: string }
  t.equal(session.environmentId, DEFAULT.environmentId)
  // The SDK's ping, which the emulator answers before Fastify's pipeline when it can.
  const ping = await fetch('https://auth.quiltt.io/v1/users/session', { headers: { authorization: `Bearer ${session.token}` } })
  t.equal(ping.status, 200)
  const onLocalhost = await nodeRequest(http, `http://localhost:${other.port}/v1/users/session`, { agent: false })
  t.equal(onLocalhost.status, 401, 'an extra host goes to the emulator too (no token: 401)')

  const journal = (await (await fetch(`${emulator.url}/emulator/v1/requests`)).json()) as { requests: Array<{ method: string, path: string, status: number, redirectedFrom?: string }> }
  t.strictSame(journal.requests.map(r => [r.method, r.path, r.status, r.redirectedFrom]), [
    ['GET', '/v1/users/session', 401, `http://localhost:${other.port}`],
    ['GET', '/v1/users/session', 200, 'https://auth.quiltt.io'],
    ['POST', '/v1/users/sessions', 201, 'https://auth.quiltt.io']
  ], 'the journal shows each redirected request and where it was addressed')

  await emulator.close()
  t.equal(emulator.interception, undefined)
  t.equal(tls.connect, originals.tls, 'tls.connect is Node\'s own again')
  t.equal(net.connect, originals.net)
  t.equal(http.Agent.prototype.createConnection, originals.agent)
  t.equal(currentInterception(), undefined)
  const after = await nodeRequest(http, `http://localhost:${other.port}/v1/users/session`, { agent: false })
  t.equal(after.status, 201)
  t.equal(after.body, '{"answeredBy":"other"}', 'after close(), the same URL reaches its own server')
  const afterFetch = await fetch(`http://localhost:${other.port}/again`)
  t.equal(afterFetch.headers.get('x-answered-by'), 'other', 'and so does the global fetch')
})

t.test('the official SDK, with no QUILTT_API_DOMAIN, reaches an emulator started with intercept: true', async t => {
  delete process.env.QUILTT_API_DOMAIN
  delete process.env.QUILTT_API_INSECURE
  const emulator = await startEmulator({ intercept: true })
  t.teardown(() => emulator.close())
  const { AuthAPI } = await import('@quiltt/core/api/rest')
  const auth = new AuthAPI(DEFAULT.clientId)
  const first = await auth.identify({ email: 'sdk-intercepted@example.com' })
  t.equal(first.status, 201, 'signed up on the emulator')
  const ping = await auth.ping((first.data as { token: string }).token)
  t.equal(ping.status, 200)
  const journal = (await (await fetch(`${emulator.url}/emulator/v1/requests`)).json()) as { requests: Array<{ path: string, redirectedFrom?: string }> }
  t.strictSame(journal.requests.map(r => [r.path, r.redirectedFrom]), [['/v1/users/session', 'https://auth.quiltt.io'], ['/v1/users/session', 'https://auth.quiltt.io']])
})

t.test('interceptions stack: the newest applies, restoring it brings back the one before', async t => {
  const first = await recorder(t, 'first')
  const second = await recorder(t, 'second')
  const outer = intercept({ url: first.url })
  const inner = intercept({ url: second.url })
  // New connections each time: a pooled keep-alive connection stays with the server it was opened to.
  const answeredBy = async () => JSON.parse((await nodeRequest(https, 'https://api.quiltt.io/', { agent: false })).body).answeredBy
  t.equal(await answeredBy(), 'second')
  inner.restore()
  inner.restore() // twice is harmless
  t.equal(await answeredBy(), 'first')
  t.equal(currentInterception()?.url, first.url)
  outer.restore()
  t.equal(currentInterception(), undefined)
})

t.test('the emulator not running: the caller\'s error names the emulator, never a fall-through to Quiltt', async t => {
  const closed = http.createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise(resolve => closed.close(resolve))
  const interception = intercept({ url: `http://127.0.0.1:${port}` })
  t.teardown(() => interception.restore())
  const err = await fetch('https://auth.quiltt.io/v1/users/sessions', { method: 'POST' }).then(() => undefined, (e: Error) => e)
  t.match((err?.cause as Error | undefined)?.message, `quiltt-mock: cannot reach the emulator at http://127.0.0.1:${port}, which stands in for https://auth.quiltt.io`)
  t.equal((err?.cause as NodeJS.ErrnoException | undefined)?.code, 'ECONNREFUSED', 'the code stays, for retry logic')
  const viaHttps = await nodeRequest(https, 'https://api.quiltt.io/v1/graphql', { method: 'POST' }).then(() => undefined, (e: Error) => e)
  t.match(viaHttps?.message, `cannot reach the emulator at http://127.0.0.1:${port}, which stands in for https://api.quiltt.io`)
})

t.test('a tunnel through a proxy to a Quiltt host fails with an error saying so', async t => {
  const interception = intercept({ url: 'http://127.0.0.1:9' })
  t.teardown(() => interception.restore())
  const tunnel = new net.Socket()
  const socket = tls.connect({ socket: tunnel, host: 'auth.quiltt.io', servername: 'auth.quiltt.io' })
  const err = await new Promise<Error>(resolve => socket.once('error', resolve))
  t.match(err.message, /went through a proxy.*NO_PROXY=auth\.quiltt\.io,api\.quiltt\.io/)
  t.ok(tunnel.destroyed, 'the tunnel is closed')
})

t.test('emulator URLs and host lists are checked, in words a user can act on', async t => {
  t.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('127.8.9.10') && isLoopbackHost('[::1]') && isLoopbackHost('localhost') && isLoopbackHost('emulator.localhost'))
  t.notOk(isLoopbackHost('10.0.0.5') || isLoopbackHost('0.0.0.0') || isLoopbackHost('quiltt.io') || isLoopbackHost('localhost.example.com'))
  t.throws(() => intercept({ url: 'http://10.0.0.5:4000' }), /refusing to send Quiltt requests to http:\/\/10\.0\.0\.5:4000, which is not this machine\. Set QUILTT_MOCK_ALLOW_REMOTE=1/)
  t.equal(parseRedirect({ url: 'http://10.0.0.5:4000', allowRemote: true }).host, '10.0.0.5', 'allowed when asked for')
  t.throws(() => intercept({ url: 'https://127.0.0.1:4000' }), /must start with http:\/\//)
  t.throws(() => intercept({ url: '127.0.0.1:4000' }), /must start with http:\/\/|is not a URL/)
  t.throws(() => intercept({ url: 'not a url' }), /is not a URL/)
  t.throws(() => intercept({ url: 'http://127.0.0.1:4000/v1' }), /only a scheme, host and port/)
  t.throws(() => intercept({ url: 'http://127.0.0.1:4000', hosts: ['https://cdn.quiltt.io'] }), /is not a host name/)
  t.strictSame(parseRedirect({ url: 'http://[::1]:4000' }), { url: 'http://[::1]:4000', host: '::1', port: 4000, hosts: new Set(['auth.quiltt.io', 'api.quiltt.io']) })
  t.equal(parseRedirect({ url: 'http://localhost' }).port, 80)
  t.equal(currentInterception(), undefined, 'nothing was installed by the refused calls')
})

t.test('the journal shows a redirected request\'s origin as redirectedFrom, as openapi.yaml documents it', async t => {
  const { app } = await build(t)
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}`, [REDIRECTED_FROM_HEADER]: 'https://auth.quiltt.io' }, payload: {} })
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })
  const res = await app.inject({ url: '/emulator/v1/requests' })
  const [plain, redirected] = (res.json() as { requests: Array<Record<string, unknown>> }).requests
  t.equal(redirected!.redirectedFrom, 'https://auth.quiltt.io')
  t.notOk('redirectedFrom' in plain!, 'absent when the request was not redirected')
})

t.test('quiltt-mock/next-loader rewrites Quiltt origins in an app\'s own source (for browser code)', async t => {
  const source = [
    "fetch('https://api.quiltt.io/v1/graphql', { method: 'POST' })",
    'const AUTH = "https://auth.quiltt.io/v1/users/sessions"',
    'load(`https://cdn.quiltt.io/v1/connector.js`)',
    "const other = 'https://api.quiltt.io.example.com/x' // another host: left alone",
    "const docs = 'https://www.quiltt.io/docs'"
  ].join('\n')
  const rewritten = nextLoader.call({ getOptions: () => ({ url: 'http://127.0.0.1:4000' }) }, source)
  t.equal(rewritten, [
    "fetch('http://127.0.0.1:4000/v1/graphql', { method: 'POST' })",
    'const AUTH = "http://127.0.0.1:4000/v1/users/sessions"',
    'load(`http://127.0.0.1:4000/v1/connector.js`)',
    "const other = 'https://api.quiltt.io.example.com/x' // another host: left alone",
    "const docs = 'https://www.quiltt.io/docs'"
  ].join('\n'))
  t.equal(nextLoader.call({ getOptions: () => ({}) }, source), source, 'no url option: unchanged')
  t.throws(() => rewriteQuilttUrls(source, 'http://10.0.0.5:4000'), /not this machine/, 'the same checks as the preload')
  t.match(rewriteQuilttUrls(source, 'http://10.0.0.5:4000', true), "fetch('http://10.0.0.5:4000/v1/graphql'")
})
