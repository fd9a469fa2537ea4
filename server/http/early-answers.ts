// Every early answer (a 413, a 401, a 415 sent before the body was read) reaches the client.
import type { FastifyInstance } from 'fastify'

/**
 * How much of a body the emulator reads and discards after answering early, before it gives up and
 * closes the socket. Above it a client that keeps sending may see the connection reset instead of
 * the answer; 64 MiB covers any body a client of Quiltt's API sends by mistake.
 */
export const DRAIN_LIMIT = 64 * 1024 * 1024

/**
 * An answer sent before the request's body was read (the body is too large, the admin token is
 * missing, the route does not exist) is followed by the rest of that body, still on its way. Closing
 * the socket then (Fastify asks for `Connection: close` after a body error) makes the kernel reset the
 * connection while the client is still writing, and Node's fetch, undici and node:http report EPIPE or
 * ECONNRESET instead of the answer. So the rest of the body is read and discarded, up to DRAIN_LIMIT,
 * and the connection is kept for the client's next request; past the limit the socket is closed.
 */
export function useEarlyAnswers (app: FastifyInstance, drainLimit = DRAIN_LIMIT): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const raw = req.raw
    if (raw.complete || raw.destroyed) return payload
    reply.removeHeader('connection')
    let drained = 0
    raw.on('data', (chunk: Buffer) => {
      drained += chunk.length
      if (drained > drainLimit) raw.socket?.destroy()
    })
    raw.resume()
    return payload
  })
}
