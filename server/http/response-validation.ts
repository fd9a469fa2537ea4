// Test-only: every answer checked against openapi.yaml (status, declared headers, JSON body) before it is sent.
import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ValidateFunction } from 'ajv'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InternalError } from '../errors.js'
import { loadSpec, resolve, type ResponseSpec } from '../openapi/spec.js'
import type { Ids } from '../random.js'
import { SCHEMA_FORMATS } from '../openapi/formats.js'

/** A response that does not match openapi.yaml, and why. */
export interface ResponseMismatch {
  method: string
  url: string
  operationId: string | undefined
  statusCode: number
  problems: string[]
  body: string
}

export type OnResponseMismatch = (mismatch: ResponseMismatch) => void

// Made on first use: only test runs validate responses, and loading Ajv was a tenth of the start.
let instances: { body: AjvClass, header: AjvClass } | undefined
function ajvs (): { body: AjvClass, header: AjvClass } {
  if (!instances) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
    instances = {
      // The formats the document uses; Ajv ships none without ajv-formats.
      body: new Ajv({
        allErrors: true,
        strict: false,
        formats: SCHEMA_FORMATS
      }),
      // Header values are text: `Retry-After: 60` is checked against `type: integer` after coercion.
      header: new Ajv({ allErrors: true, strict: false, coerceTypes: true })
    }
  }
  return instances
}

/**
 * OpenAPI 3.0 to what Ajv takes: `nullable` without a `type` (any value, null included) is
 * meaningless to Ajv, which refuses it, so it is dropped there.
 */
function toJsonSchema (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' || k === 'enum' || k === 'example' ? v : toJsonSchema(v)
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([name, sub]) => [name, toJsonSchema(sub)]))
  }
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable
  return out
}

// Compiled once per documented schema (the spec objects are loaded once and never change).
const compiled = new WeakMap<object, ValidateFunction>()
function compile (instance: AjvClass, key: object, schema: () => object): ValidateFunction {
  let v = compiled.get(key)
  if (!v) { v = instance.compile(toJsonSchema(schema()) as object); compiled.set(key, v) }
  return v
}

/** A schema Ajv cannot compile is a problem of the document, reported as such rather than thrown. */
function validatorFor (instance: AjvClass, key: object, schema: () => object): ValidateFunction | string {
  try {
    return compile(instance, key, schema)
  } catch (err) {
    return `the documented schema cannot be checked: ${(err as Error).message}`
  }
}

// Responses a test asked for on purpose (an injected fault) are not the emulator's answers.
const exempt = new WeakSet<object>()

/** Exempts this request's response from the check: for deliberately off-contract answers such as injected faults. */
export function exemptFromResponseValidation (req: FastifyRequest): void {
  exempt.add(req)
}

export const isExemptFromResponseValidation = (req: FastifyRequest): boolean => exempt.has(req)

const isEmpty = (payload: unknown): boolean => payload === undefined || payload === null || payload === '' ||
  (Buffer.isBuffer(payload) && payload.length === 0)

/** The documented response for a status: exact code, then `4XX`, then `default`. */
export function responseFor (responses: Record<string, ResponseSpec>, status: number): ResponseSpec | undefined {
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
}

/** Everything wrong with one response, compared to its documented shape. */
export function checkResponse (spec: ResponseSpec | undefined, status: number, headers: Record<string, unknown>, payload: unknown): string[] {
  if (!spec) return [`status ${status} is not a documented response`]
  const problems: string[] = []
  for (const h of spec.headers) {
    const value = headers[h.name]
    if (value === undefined) {
      if (h.required) problems.push(`header ${h.name} is required but missing`)
      continue
    }
    const validate = validatorFor(ajvs().header, h, () => ({ type: 'object', properties: { value: h.schema } }))
    if (typeof validate === 'string') problems.push(`header ${h.name}: ${validate}`)
    else if (!validate({ value: String(value) })) problems.push(`header ${h.name}: ${ajvs().body.errorsText(validate.errors, { dataVar: h.name })}`)
  }
  if (!spec.hasContent) {
    if (!isEmpty(payload)) problems.push('the body must be empty')
    return problems
  }
  if (!spec.json) return problems
  const contentType = String(headers['content-type'] ?? '')
  if (!/^application\/json\b/i.test(contentType)) problems.push(`content-type must be application/json, was "${contentType}"`)
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return [...problems, 'the body must be JSON text']
  let body: unknown
  try {
    body = JSON.parse(payload.toString())
  } catch {
    return [...problems, 'the body is not valid JSON']
  }
  const json = spec.json
  const validate = validatorFor(ajvs().body, json, () => json)
  if (typeof validate === 'string') problems.push(validate)
  else if (!validate(body)) problems.push(...(validate.errors ?? []).map(e => `body${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`))
  return problems
}

/**
 * Checks every response against openapi.yaml (status, declared headers, JSON body) before it is
 * sent, and turns a mismatch into a 500 that names the problems, so no test can pass on a response
 * the document does not describe. Test-only: `buildApp({ validateResponses })` registers it, and
 * without that option requests pay for no hook at all.
 */
export function useResponseValidation (app: FastifyInstance, ids: Ids, onMismatch?: OnResponseMismatch): void {
  const byId = new Map(loadSpec().operations.map(o => [o.operationId, o.responses]))
  // Requests that match no route (the not-found handler) still answer errors in Quiltt's shape.
  const errorShape: ResponseSpec = { json: resolve(loadSpec().document, { $ref: '#/components/schemas/RestError' }) as ResponseSpec['json'], hasContent: true, headers: [] }
  const noRoute: Record<string, ResponseSpec> = { '4XX': errorShape, '5XX': errorShape }

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (req.method === 'HEAD' || exempt.has(req)) return payload
    const operationId = req.routeOptions.config.operationId
    const responses = operationId === undefined ? (req.routeOptions.url === undefined ? noRoute : undefined) : byId.get(operationId)
    // The API docs pages (/docs, http/docs.ts) are not operations.
    if (!responses) return payload
    const problems = checkResponse(responseFor(responses, reply.statusCode), reply.statusCode, reply.getHeaders(), payload)
    if (problems.length === 0) return payload
    const mismatch: ResponseMismatch = {
      method: req.method,
      url: req.url,
      operationId,
      statusCode: reply.statusCode,
      problems,
      body: isEmpty(payload) ? '' : String(payload)
    }
    const errorId = ids.errorId()
    req.log.error({ mismatch, errorId }, 'response does not match openapi.yaml')
    onMismatch?.(mismatch)
    reply.code(500).header('content-type', 'application/json; charset=utf-8')
    reply.removeHeader('content-length')
    return JSON.stringify(new InternalError(errorId,
      `The ${mismatch.statusCode} response of ${operationId ?? `${req.method} ${req.url}`} does not match openapi.yaml: ${problems.join('; ')}`).toJSON())
  })
}
