// Whether one answer matches its documented response (status, declared headers, JSON body), with Ajv.
// Pure (no Fastify): http/response-validation.ts applies it to the emulator's answers against
// openapi.yaml, contract/conformance.ts against Quiltt's own document.
import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ValidateFunction } from 'ajv'
import { AJV_FORMATS } from '../formats.js'
import type { ResponseSpec } from './spec.js'

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
        formats: AJV_FORMATS
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

export const isEmpty = (payload: unknown): boolean => payload === undefined || payload === null || payload === '' ||
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
