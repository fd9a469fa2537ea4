import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../clock.js'
import { loadSpec } from '../openapi/spec.js'
import type { Control } from '../services/control.js'
import { redirectedFrom } from './control-plane.js'
import type { CorsHeaders } from './cors.js'
import { buildLazySerializer } from './serialization.js'

/** An operation's 200 answer from the request's Authorization header; throws when there is none. */
export type HotAnswer = (authorization: string | undefined) => unknown

export interface HotPathOptions {
  /** Answers keyed by operationId; method and path come from openapi.yaml. */
  answers: Record<string, HotAnswer>
  control: Control
  clock: Clock
  cors: CorsHeaders
  enabled: boolean
}

interface HotRoute { answer: HotAnswer, serialize: (data: unknown) => string }

const JSON_TYPE = 'application/json; charset=utf-8'
const JSON_REQUEST = /^application\/json[ \t]*(;[ \t]*charset=utf-8[ \t]*)?$/i

/**
 * Whether Fastify would hand the route no body. A GET's body and Content-Type are never looked at
 * (Fastify reads no body for GET), and the SDK sends `Content-Type: application/json` on its pings;
 * an empty POST is no body without a Content-Type or with JSON's, whose parser takes empty as none.
 * Anything else (another type, which may be a 415) is left to Fastify.
 */
function bodiless (req: IncomingMessage): boolean {
  const { headers } = req
  if (headers['transfer-encoding'] !== undefined) return false
  const length = headers['content-length']
  if (length !== undefined && length !== '0') return false
  const type = headers['content-type']
  return type === undefined || req.method === 'GET' || JSON_REQUEST.test(type)
}

/**
 * The calls clients repeat most, the SDK's ping on every page and a backend's API key introspection
 * on every request it serves, are answered straight from Node's request event, before Fastify's
 * request pipeline (routing, request and reply objects, four hook phases), which cost as much as the
 * rest of such a request (README, Performance). Only the plain success is answered here, and only
 * when Fastify's path would have nothing else to do:
 * - the exact method and path of the operation, no query string, no request body (see bodiless);
 * - no fault armed, and the request log below info (nothing would be logged);
 * - the answer succeeds. Anything else, errors included, goes to Fastify, which answers it from
 *   scratch: errors are still made in one place.
 * The answer is the route handler's own function, serialized by the route's own serializer, with the
 * same headers in the same order and the same journal entry; a test compares the two paths byte for byte.
 */
export function createHotPath ({ answers, control, clock, cors, enabled }: HotPathOptions) {
  const { journal, faults } = control
  const routes = new Map<string, HotRoute>()
  const { operations } = loadSpec()
  for (const [operationId, answer] of Object.entries(answers)) {
    const op = operations.find(o => o.operationId === operationId)
    const schema = op?.schema.response?.['200']
    if (!op || !schema || op.url.includes(':')) throw new Error(`hot path: ${operationId} is not a parameterless operation with a 200 answer in openapi.yaml`)
    // The same compiler, with the same inputs, as Fastify gives the route (no shared schemas, no serializerOpts).
    const serialize = buildLazySerializer({}, undefined)({ schema, method: op.method, url: op.url, httpStatus: '200' })
    routes.set(`${op.method.toUpperCase()} ${op.url}`, { answer, serialize })
  }

  let logsRequests = (): boolean => true
  let nextRequestId = (_req: IncomingMessage): unknown => undefined
  let served = 0
  let active = false
  const texts = new WeakMap<object, string>()

  function answer (req: IncomingMessage, res: ServerResponse): boolean {
    const route = routes.get(`${req.method} ${req.url}`)
    if (route === undefined || faults.any || logsRequests()) return false
    const { headers } = req
    if (!bodiless(req)) return false
    const at = clock.now()
    const start = performance.now()
    let text: string | undefined
    try {
      const body = route.answer(headers.authorization)
      // An answer the route hands out again unchanged (frozen) is serialized once.
      text = texts.get(body as object)
      if (text === undefined) {
        text = route.serialize(body)
        if (Object.isFrozen(body) && typeof body === 'object' && body !== null) texts.set(body, text)
      }
    } catch {
      return false
    }
    res.writeHead(200, { ...cors(headers.origin), 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(text)) })
    res.end(text)
    // Fastify numbers every request it routes (reqId in the log); this one takes its number too, so
    // the ids of later requests are what they would be without the hot path.
    nextRequestId(req)
    served++
    journal.record({
      at,
      method: req.method!,
      url: req.url!,
      status: 200,
      durationMs: performance.now() - start,
      requestBody: undefined,
      requestBytes: headers['content-length'] === undefined ? undefined : 0,
      responseBody: text,
      responseType: JSON_TYPE,
      faultId: undefined,
      redirectedFrom: redirectedFrom(headers)
    })
    return true
  }

  return {
    /**
     * Call once the app is built: puts the hot path in front of Fastify's handler on the server Fastify
     * made (with its own settings and, for a host name such as localhost, its extra bindings, which
     * keep Fastify's handler alone), and reads the log level. Closing needs nothing: with
     * forceCloseConnections, Fastify closes every connection in the same tick as it starts closing.
     */
    attach (app: FastifyInstance, loggerConfigured: boolean): void {
      // Without a logger Fastify logs nothing; with one, a request is logged at info (debug on arrival).
      const log = app.log as { isLevelEnabled?: (level: string) => boolean }
      logsRequests = !loggerConfigured ? () => false : log.isLevelEnabled === undefined ? () => true : () => log.isLevelEnabled!('info')
      // Fastify's own request-id generator (not in its types).
      nextRequestId = (app as unknown as { genReqId: (req: IncomingMessage) => unknown }).genReqId
      const handlers = app.server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>
      // Fastify's HTTP/1 server has exactly one request listener, its router; anything else is left as it is.
      if (!enabled || routes.size === 0 || handlers.length !== 1) return
      const fastify = handlers[0]!
      app.server.removeListener('request', fastify)
      app.server.on('request', (req: IncomingMessage, res: ServerResponse) => { if (!answer(req, res)) fastify(req, res) })
      active = true
    },

    /** Whether the hot path is in front of Fastify (off when asked, or while responses are validated). */
    get active (): boolean { return active },

    /** How many requests the hot path answered (for tests). */
    get served (): number { return served }
  }
}

export type HotPath = ReturnType<typeof createHotPath>
