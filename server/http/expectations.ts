// The request class of every server Fastify makes: an unknown Expect header is served, and an absolute-form target is read in origin form.
import { IncomingMessage } from 'node:http'

const CONTINUE = /^100-continue$/i
const headers = Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'headers')!

/**
 * The request class of every server Fastify makes for the emulator, handed to `http.createServer`
 * through Fastify's `http` option, so it reaches the extra servers Fastify binds for a host name such
 * as localhost too. Node answers a request whose `Expect` header is anything but 100-continue with a
 * bare 417 of its own (no body, no CORS headers) before any handler runs; Quiltt's servers (Rails)
 * ignore an expectation they do not know, and so does the emulator: such a header is dropped from
 * `headers` as Node reads them, and the request is served like any other. 100-continue is Node's to
 * answer, as before.
 */
export class EmulatorRequest extends IncomingMessage {}

Object.defineProperty(EmulatorRequest.prototype, 'headers', {
  ...headers,
  get (this: IncomingMessage) {
    const all = headers.get!.call(this) as IncomingMessage['headers']
    if (all.expect !== undefined && !CONTINUE.test(all.expect)) delete all.expect
    return all
  }
})

// A request target in absolute form (`GET http://auth.quiltt.io/v1/users/session HTTP/1.1`, as sent to a
// proxy): what the server acts on is its path and query. Read as written, it escaped the journal's
// filter for /emulator/ (which journaled signing secrets) and every fault's path.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/
const URL_VALUE = Symbol('url')

/** `url` in origin form, whatever form the request line used: before routing, faults and the journal. */
Object.defineProperty(EmulatorRequest.prototype, 'url', {
  configurable: true,
  get (this: { [URL_VALUE]?: string }) { return this[URL_VALUE] ?? '' },
  set (this: { [URL_VALUE]?: string }, value: string) {
    const path = typeof value === 'string' && ABSOLUTE_FORM.test(value) ? value.replace(ABSOLUTE_FORM, '') : value
    this[URL_VALUE] = path === '' ? '/' : path
  }
})
