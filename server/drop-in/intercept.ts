/**
 * Sends a process's connections to Quiltt's hosts to the emulator instead, so code that hard-codes
 * `https://auth.quiltt.io` or `https://api.quiltt.io` reaches it unchanged (docs/drop-in.md).
 *
 * How: every HTTP client in Node opens its connections through one of three functions of Node's own
 * modules, looked up when it connects: `tls.connect` (https: node:https, and every copy of undici,
 * Node's bundled one behind the global fetch included), `net.connect` (http: undici) and
 * `http.Agent.prototype.createConnection` (http: node:http, which kept its own reference to
 * net.createConnection). For a Quiltt host name, each returns a plain TCP socket to the emulator
 * instead. The HTTP/1.1 the client writes on it is unchanged (method, path, query, headers, body),
 * it only skips TLS, and the client reads the emulator's answer as Quiltt's. One header line is
 * added after the request line of each request (REDIRECTED_FROM_HEADER), which the journal shows.
 *
 * Chosen by measurement (docs/drop-in.md has the table). On Node 20.20, 22.23 and 24.22, eleven ways
 * to call Quiltt (the global fetch, with and without an undici Agent passed per call; the npm undici
 * 7 package's fetch, request, request with its own Agent, and a Pool made for the Quiltt origin;
 * node:https, node:http, axios 1, got 14, node-fetch 3):
 * - this patch redirected all eleven, on all three versions;
 * - undici's global dispatcher with an interceptor (setGlobalDispatcher from npm undici 7, which
 *   Node 20's bundled undici 6 does use) redirected only the four calls that use the global
 *   dispatcher: no per-call Agent, no Pool, nothing over node:http(s), so not axios, got or node-fetch;
 * - @mswjs/interceptors (0.41.9, the last that runs on Node 20; 0.45 needs Promise.withResolvers,
 *   Node 22) redirected fetch and node:http(s) but none of npm undici's request, Agent or Pool, and
 *   needs its own forwarding code besides (a fetch to the emulator, hop-by-hop headers removed).
 * Not covered: HTTP/2 (`http2.connect`), and a proxy set up by the app (undici's ProxyAgent,
 * NODE_USE_ENV_PROXY): an https tunnel to a Quiltt host through one fails with an error saying so,
 * rather than reach Quiltt; a plain http:// request through a proxy never connects to the Quiltt
 * host, so it is not seen at all.
 */
import http from 'node:http'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import tls from 'node:tls'
import { isLoopbackHost } from './loopback.js'
import { REDIRECTED_FROM_HEADER } from './redirect-header.js'

/** The hosts redirected by default. */
export const QUILTT_HOSTS: readonly string[] = ['auth.quiltt.io', 'api.quiltt.io']

export { REDIRECTED_FROM_HEADER }

export interface InterceptOptions {
  /** The emulator's base URL, plain http: `http://127.0.0.1:4000`. */
  url: string
  /** Host names redirected besides auth.quiltt.io and api.quiltt.io, e.g. `cdn.quiltt.io`. */
  hosts?: readonly string[]
  /** Allow an emulator that is not on this machine (a loopback address or a `*.localhost` name). */
  allowRemote?: boolean
}

export interface Interception {
  /** The emulator's base URL. */
  readonly url: string
  /** Every host name redirected. */
  readonly hosts: readonly string[]
  /** Stops redirecting (the previous interception, if any, applies again). */
  restore (): void
}

interface Redirect { url: string, host: string, port: number, hosts: Set<string> }
type Connect = (...args: unknown[]) => net.Socket
interface Originals { tlsConnect: Connect, netConnect: Connect, netCreateConnection: Connect, agentCreateConnection: Connect }
interface State { stack: Redirect[], originals: Originals | undefined }

// One state per process, even when two copies of this module are loaded (the built package and the
// sources, or two installed versions): a second copy must not patch over the first.
const STATE_KEY = Symbol.for('quiltt-mock.intercept')
const state: State = ((globalThis as Record<symbol, unknown>)[STATE_KEY] ??= { stack: [], originals: undefined }) as State

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/

/** Checks an emulator URL and host list, and says what is wrong in words a user can act on. */
export function parseRedirect ({ url, hosts = [], allowRemote = false }: InterceptOptions): Redirect {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`quiltt-mock: the emulator URL ${JSON.stringify(url)} is not a URL; give its base URL, e.g. http://127.0.0.1:4000`)
  }
  if (parsed.protocol !== 'http:') throw new Error(`quiltt-mock: the emulator URL ${url} must start with http:// (the emulator serves plain HTTP)`)
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new Error(`quiltt-mock: the emulator URL ${url} must be only a scheme, host and port, e.g. http://127.0.0.1:4000`)
  }
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new Error(`quiltt-mock: refusing to send Quiltt requests to ${parsed.origin}, which is not this machine. ` +
      'Set QUILTT_MOCK_ALLOW_REMOTE=1 (or allowRemote: true) if that emulator is really where they should go.')
  }
  const names = new Set(QUILTT_HOSTS)
  for (const raw of hosts) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '')
    if (!HOST_NAME.test(name)) throw new Error(`quiltt-mock: ${JSON.stringify(raw)} is not a host name (give names only, e.g. cdn.quiltt.io, no scheme or port)`)
    names.add(name)
  }
  const port = parsed.port === '' ? 80 : Number(parsed.port)
  return { url: parsed.origin, host: parsed.hostname.replace(/^\[|\]$/g, ''), port, hosts: names }
}

/**
 * Redirects this process's connections to the given hosts (Quiltt's two by default) to the emulator
 * at `url`, until `restore()`. The newest interception wins; restoring it brings back the one before.
 */
export function intercept (options: InterceptOptions): Interception {
  const redirect = parseRedirect(options)
  if (state.originals === undefined) patch()
  state.stack.push(redirect)
  let restored = false
  return {
    url: redirect.url,
    hosts: [...redirect.hosts],
    restore () {
      if (restored) return
      restored = true
      state.stack.splice(state.stack.indexOf(redirect), 1)
      if (state.stack.length === 0) unpatch()
    }
  }
}

/** The interception in force, if any: its URL and hosts. */
export function currentInterception (): { url: string, hosts: string[] } | undefined {
  const top = state.stack.at(-1)
  return top && { url: top.url, hosts: [...top.hosts] }
}

function redirectFor (host: unknown): Redirect | undefined {
  const top = state.stack.at(-1)
  if (top === undefined || typeof host !== 'string') return undefined
  return top.hosts.has(host.toLowerCase().replace(/\.$/, '')) ? top : undefined
}

// net.connect(options[, cb]), net.connect(port[, host][, cb]), net.connect(path[, cb]); tls.connect
// also takes (port[, host][, options][, cb]). A host given as an argument wins over the options'.
interface Target { host: unknown, port: unknown, socket: unknown }
function targetOf (args: unknown[]): Target {
  const [first, second, third] = args
  if (typeof first === 'object' && first !== null) {
    const options = (Array.isArray(first) ? first[0] : first) as Record<string, unknown>
    return { host: options.host ?? 'localhost', port: options.port, socket: options.socket }
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const options = (typeof second === 'object' && second !== null ? second : typeof third === 'object' && third !== null ? third : {}) as Record<string, unknown>
    return { host: typeof second === 'string' ? second : options.host ?? 'localhost', port: first, socket: options.socket }
  }
  return { host: undefined, port: undefined, socket: undefined } // a Unix socket path
}

/** The origin the client addressed: `https://auth.quiltt.io`, with the port only when not the scheme's own. */
function originOf (scheme: 'http' | 'https', { host, port }: Target): string {
  const name = String(host).toLowerCase().replace(/\.$/, '')
  const n = Number(port)
  return `${scheme}://${name}${n > 0 && n !== (scheme === 'https' ? 443 : 80) ? `:${n}` : ''}`
}

function patch (): void {
  const originals: Originals = {
    tlsConnect: tls.connect as Connect,
    netConnect: net.connect as Connect,
    netCreateConnection: net.createConnection as Connect,
    agentCreateConnection: http.Agent.prototype.createConnection as Connect
  }
  state.originals = originals
  const wrap = (original: Connect, scheme: 'http' | 'https'): Connect => function (this: unknown, ...args: unknown[]) {
    const target = targetOf(args)
    const redirect = redirectFor(target.host)
    if (redirect === undefined) return original.apply(this, args)
    const callback = args.find(a => typeof a === 'function') as (() => void) | undefined
    return connectToEmulator(originals.netConnect, redirect, originOf(scheme, target), scheme, callback, target.socket)
  }
  tls.connect = wrap(originals.tlsConnect, 'https') as typeof tls.connect
  net.connect = wrap(originals.netConnect, 'http') as typeof net.connect
  net.createConnection = wrap(originals.netCreateConnection, 'http') as typeof net.createConnection
  http.Agent.prototype.createConnection = wrap(originals.agentCreateConnection, 'http') as typeof http.Agent.prototype.createConnection
  // `import { connect } from 'node:tls'` in an ES module reads a copy of the exports: refresh it.
  syncBuiltinESMExports()
}

function unpatch (): void {
  const originals = state.originals
  if (originals === undefined) return
  tls.connect = originals.tlsConnect as typeof tls.connect
  net.connect = originals.netConnect as typeof net.connect
  net.createConnection = originals.netCreateConnection as typeof net.createConnection
  http.Agent.prototype.createConnection = originals.agentCreateConnection as typeof http.Agent.prototype.createConnection
  state.originals = undefined
  syncBuiltinESMExports()
}

const REQUEST_LINE = /^[A-Z]+ [^\s]+ HTTP\/1\.[01]\r\n/
const HEAD_SCAN = 16 * 1024

/** The chunk with the header added after its request line, when the chunk starts a request. */
function withRedirectHeader (chunk: unknown, from: string): unknown {
  const line = `${REDIRECTED_FROM_HEADER}: ${from}\r\n`
  if (typeof chunk === 'string') {
    const m = REQUEST_LINE.exec(chunk.slice(0, HEAD_SCAN))
    return m ? m[0] + line + chunk.slice(m[0].length) : chunk
  }
  if (chunk instanceof Uint8Array) {
    const start = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, HEAD_SCAN)).toString('latin1')
    const m = REQUEST_LINE.exec(start)
    return m ? Buffer.concat([Buffer.from(m[0] + line, 'latin1'), chunk.subarray(m[0].length)]) : chunk
  }
  return chunk
}

/**
 * A plain socket to the emulator, standing in for one to `from`. For https it also announces
 * `secureConnect`, which clients wait for before writing. Clients write each request's head at the
 * start of one write() (undici always; node:http with the first body bytes or alone), so the
 * header is added there.
 */
function connectToEmulator (netConnect: Connect, redirect: Redirect, from: string, scheme: 'http' | 'https', callback: (() => void) | undefined, tunnel: unknown): net.Socket {
  if (tunnel !== undefined) {
    // A proxy (undici's ProxyAgent, NODE_USE_ENV_PROXY) has already opened a tunnel to Quiltt: fail
    // loudly rather than let the request go on to the real host.
    const socket = new net.Socket()
    if (tunnel instanceof net.Socket) tunnel.destroy()
    process.nextTick(() => socket.destroy(new Error(`quiltt-mock: a request for ${from} went through a proxy, which cannot be redirected to the emulator at ${redirect.url}; ` +
      `leave Quiltt's hosts out of the proxy (NO_PROXY=${[...redirect.hosts].join(',')})`)))
    return socket
  }
  const socket = netConnect({ host: redirect.host, port: redirect.port })
  // A request starts with the first write, and then with the first write after the server has sent
  // something: a client sends its next request on a connection only once the previous answer is in.
  // So a body that starts like a request line is left alone (unless the server answered before the
  // body was sent, after a 100 Continue or an early error). Received bytes all go through push().
  let awaitingRequest = true
  const push = socket.push
  socket.push = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (chunk !== null) awaitingRequest = true
    return (push as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
  }
  const write = socket.write
  socket.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (awaitingRequest) {
      const tagged = withRedirectHeader(chunk, from)
      if (tagged !== chunk) awaitingRequest = false
      chunk = tagged
    }
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof socket.write
  // First listener: the client's own error handlers then see a message naming the emulator.
  let connected = false
  socket.once('connect', () => { connected = true })
  socket.prependListener('error', (err: Error) => {
    if (connected) return
    const said = err.message
    err.message = `quiltt-mock: cannot reach the emulator at ${redirect.url}, which stands in for ${from} in this process (${said}). Is it running?`
    if (typeof err.stack === 'string') err.stack = err.stack.replace(said, err.message)
  })
  if (scheme === 'https') socket.once('connect', () => socket.emit('secureConnect'))
  if (callback !== undefined) socket.once(scheme === 'https' ? 'secureConnect' : 'connect', callback)
  return socket
}
