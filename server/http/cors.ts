// CORS for browser apps: the headers on every answer, and preflights.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** What a page may read from a response besides the CORS-safelisted headers. */
export const CORS_EXPOSED_HEADERS = ['Authorization', 'Retry-After', 'Current-Page', 'Page-Items', 'Total-Count', 'Total-Pages']
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
const EXPOSED = CORS_EXPOSED_HEADERS.join(', ')
const METHODS = CORS_METHODS.join(', ')
const MAX_AGE = '600'

/** The CORS headers of an answer other than a preflight, by the request's Origin. */
export type CorsHeaders = (origin: string | undefined) => Readonly<Record<string, string>>

export function corsHeaders (origins: string[] = ['*']): CorsHeaders {
  // Any origin: the same two headers on every answer, Origin or not, as CORS middleware does.
  if (origins.includes('*')) {
    const any = Object.freeze({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED })
    return () => any
  }
  // With a list, the answer depends on Origin: caches must keep origins apart (Fetch standard, CORS and HTTP caches).
  const allowed = new Set(origins)
  const refused = Object.freeze({ vary: 'Origin' })
  return origin => origin !== undefined && allowed.has(origin)
    ? { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED }
    : refused
}

/**
 * Browser apps call the emulator from their own dev server's origin. Any origin by default, as a
 * local tool should; a list restricts it. The preflight echoes Access-Control-Request-Headers, so
 * `Content-Type`, `Authorization`, `Quiltt-SDK-Agent` and whatever custom headers an app hands the
 * SDK are all allowed.
 *
 * Our own hook rather than @fastify/cors, with the same headers: the plugin merged its options into
 * a new object and resolved the origin through callbacks on every request (docs/performance.md).
 */
export function useCors (app: FastifyInstance, origins: string[] = ['*']): void {
  const any = origins.includes('*')
  const headersFor = corsHeaders(origins)

  app.addHook('onRequest', (req, reply, done) => {
    const origin = req.headers.origin
    const headers = headersFor(origin)
    for (const name in headers) reply.header(name, headers[name])
    const granted = headers['access-control-allow-origin'] !== undefined
    if (granted && origin !== undefined && req.method === 'OPTIONS') { preflight(req, reply, any); return }
    // Any other OPTIONS (no Origin, or one not listed) gets an empty 204 without preflight headers, not a 404.
    if (req.method === 'OPTIONS') { empty(reply); return }
    done()
  })

  // Routes every OPTIONS request; the hook above has already answered it.
  app.options('*', (_req, reply) => { empty(reply) })
}

function preflight (req: FastifyRequest, reply: FastifyReply, anyOrigin: boolean): void {
  reply.header('access-control-allow-methods', METHODS)
  const requested = req.headers['access-control-request-headers']
  if (requested !== undefined) {
    reply.header('access-control-allow-headers', requested)
    reply.header('vary', anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers')
  }
  reply.header('access-control-max-age', MAX_AGE)
  empty(reply)
}

// Safari waits for a body on a 204 without Content-Length: 0.
function empty (reply: FastifyReply): void {
  void reply.code(204).header('content-length', '0').send()
}
