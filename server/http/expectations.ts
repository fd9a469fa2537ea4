// Serving a request whose Expect header Node does not know, on every server Fastify makes (see EmulatorRequest).
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
