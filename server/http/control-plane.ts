// Where the control plane meets the request lifecycle: the journal's capture, faults, the fixtures' YAML and body limit.
import type { IncomingHttpHeaders } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import sjson from 'secure-json-parse'
import { parseYaml } from '../yaml.js'
import type { Clock } from '../clock.js'
import { errors } from '../errors.js'
import { REDIRECTED_FROM_HEADER } from '../drop-in/redirect-header.js'
import type { Control } from '../services/control.js'
import { BODY_LIMIT } from './errors.js'
import { exemptFromResponseValidation } from './response-validation.js'

/** The one operation that takes YAML and bigger bodies: a fixture document can hold 10,000 profiles. */
export const FIXTURES_OPERATION = 'emulatorLoadFixtures'
export const FIXTURE_BODY_LIMIT = 32 * 1024 * 1024
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml']

// The emulator's own API, its docs and the inspector page at / are not "Quiltt API requests":
// never journaled, never faulted.
const NOT_QUILTT = /^\/((emulator|docs)(\/|\?|$)|$|\?)/

/** The origin a client redirected by quiltt-mock/register addressed (server/drop-in/intercept.ts), if it was. */
export function redirectedFrom (headers: IncomingHttpHeaders): string | undefined {
  const value = headers[REDIRECTED_FROM_HEADER]
  return typeof value === 'string' ? value : undefined
}

/** A body that was not read (too large, or answered early): its declared size, when it declared one. */
function bodySize (headers: IncomingHttpHeaders): number | undefined {
  const length = Number(headers['content-length'])
  return Number.isFinite(length) && length > 0 ? length : undefined
}

interface Capture { at: number, start: number, faultId: string | undefined }

declare module 'fastify' {
  interface FastifyRequest { controlCapture: Capture | null }
}

/**
 * Wires the in-memory control plane into the request lifecycle:
 * - the journal notes a Quiltt request's start on arrival and its outcome in onSend (bodies by reference);
 * - faults answer or delay a matching Quiltt request in preValidation, after the body is read (so the
 *   journal shows what was sent) and before schema validation (so any body can be faulted).
 * Both hooks are callback-style and return at once when there is nothing to do: ping stays cheap.
 * Call before the routes are registered.
 */
export function useControlPlane (app: FastifyInstance, control: Control, clock: Clock): void {
  const { journal, faults } = control
  app.decorateRequest('controlCapture', null)

  if (journal.enabled) {
    app.addHook('onRequest', (req, _reply, done) => {
      if (!NOT_QUILTT.test(req.url)) req.controlCapture = { at: clock.now(), start: performance.now(), faultId: undefined }
      done()
    })
    app.addHook('onSend', (req, reply, payload, done) => {
      const c = req.controlCapture
      if (c !== null) {
        journal.record({
          at: c.at,
          method: req.method,
          url: req.url,
          status: reply.statusCode,
          durationMs: performance.now() - c.start,
          requestText: req.bodyText ?? bodySize(req.headers),
          responseBody: typeof payload === 'string' ? payload : undefined,
          responseType: reply.getHeader('content-type') as string | undefined,
          faultId: c.faultId,
          redirectedFrom: redirectedFrom(req.headers)
        })
      }
      done(null, payload)
    })
  }

  app.addHook('preValidation', (req, reply, done) => {
    if (!faults.any) { done(); return }
    const q = req.url.indexOf('?')
    const path = q < 0 ? req.url : req.url.slice(0, q)
    const hit = NOT_QUILTT.test(path) ? undefined : faults.take(req.method, path)
    if (!hit) { done(); return }
    if (req.controlCapture !== null) req.controlCapture.faultId = hit.id
    const go = (): void => {
      // A preset string body with its content type is sent as is, past the route's response serializer.
      // A fault answers outside the spec on purpose (a 503 the operation never documents, say).
      if (hit.response) exemptFromResponseValidation(req)
      if (hit.response) void reply.code(hit.response.status).headers(hit.response.headers).send(hit.response.body)
      else done()
    }
    // Request latency on the wall clock, not emulator time: the client really waits.
    if (hit.delayMs > 0) setTimeout(go, hit.delayMs)
    else go()
  })

  app.addHook('onRoute', route => {
    const id = route.config?.operationId
    if (id === FIXTURES_OPERATION) route.bodyLimit = FIXTURE_BODY_LIMIT
  })

  // YAML for the fixture document only: every other route answers 415, as Quiltt does for non-JSON.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    if (req.routeOptions.config.operationId !== FIXTURES_OPERATION) {
      done(errors.unsupportedMediaType(String(req.headers['content-type'])), undefined)
      return
    }
    try {
      // Through JSON so YAML-only values (binary, anchors) become plain data and `__proto__` is refused as in JSON.
      const text = JSON.stringify(parseYaml(body as string, { maxAliasCount: 100 }) ?? null)
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }) ?? undefined)
    } catch (err) {
      done(errors.badRequest(`Is the request body valid YAML? ${(err as Error).message}`), undefined)
    }
  })
}
