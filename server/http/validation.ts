// Request validation from the spec's schemas (Ajv, loaded on first use) and Quiltt's 422 field map from its errors.
import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify'
import { addFieldError, type FieldErrors } from '../errors.js'
import { buildLazySerializer } from './serialization.js'

// Bodies are checked as sent (no coercion: `{"email": 1}` is a 422, as in Quiltt); query strings and
// path parameters arrive as text and are coerced to the types the spec gives them.
const common = { allErrors: true, strict: false, validateFormats: false, useDefaults: true } as const

// Ajv is loaded, and each route's validator compiled, on first use: a start pays only for the routes
// it serves (docs/performance.md).
let ajvs: { body: AjvClass, param: AjvClass } | undefined
function ajvFor (httpPart: string | undefined): AjvClass {
  if (!ajvs) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
    ajvs = { body: new Ajv({ ...common, coerceTypes: false }), param: new Ajv({ ...common, coerceTypes: 'array' }) }
  }
  return httpPart === 'body' ? ajvs.body : ajvs.param
}

/**
 * Fastify compiles route schemas with this (a missing body is left to the service, which treats it
 * as `{}`). Given to Fastify as its validator factory, so Fastify's own Ajv is never loaded either.
 */
export const compileValidator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  let compiled: ValidateFunction | undefined
  const validate = (data: unknown): boolean => {
    compiled ??= ajvFor(httpPart).compile(schema as object)
    return httpPart === 'body' && (data === null || data === undefined) ? true : compiled(data)
  }
  Object.defineProperty(validate, 'errors', { get: () => compiled?.errors })
  return validate as ValidateFunction
}

/**
 * The Fastify `schemaController` option that installs compileValidator and the lazy serializers. (Fastify types the factory
 * after its own Ajv compiler, which this replaces.)
 */
export const specValidators = { compilersFactory: { buildValidator: () => compileValidator, buildSerializer: buildLazySerializer } } as unknown as FastifyServerOptions['schemaController']

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', object: 'an object', array: 'an array', boolean: 'a boolean', integer: 'a whole number', number: 'a number', null: 'null'
}

function messageOf (e: ErrorObject): string {
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'required': return "can't be blank"
    case 'type': return `must be ${String(p.type).split(',').map(t => TYPE_NAMES[t] ?? t).join(' or ')}`
    case 'minLength': return p.limit === 1 ? "can't be blank" : `is too short (minimum is ${String(p.limit)} characters)`
    case 'maxLength': return `is too long (maximum is ${String(p.limit)} characters)`
    case 'enum': return 'is not included in the list'
    case 'minimum': return `must be greater than or equal to ${String(p.limit)}`
    case 'maximum': return `must be less than or equal to ${String(p.limit)}`
    case 'pattern': case 'format': return 'is invalid'
    case 'additionalProperties': return 'is not a known field'
    case 'minProperties': return `must have at least ${String(p.limit)} keys`
    case 'maxProperties': return `must have at most ${String(p.limit)} keys`
    default: return e.message ?? 'is invalid'
  }
}

/**
 * Turns schema violations into Quiltt's 422 field map. Fields are dotted paths; the SDK's `session`
 * wrapper is dropped so `{"session":{"email":1}}` reports `email` as the flat form would.
 */
export function toFieldErrors (list: ErrorObject[]): FieldErrors {
  const out: FieldErrors = {}
  for (const e of list) {
    const parts = e.instancePath.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    if (parts[0] === 'session') parts.shift()
    const p = e.params as Record<string, unknown>
    if (e.keyword === 'required') parts.push(String(p.missingProperty))
    if (e.keyword === 'additionalProperties') parts.push(String(p.additionalProperty))
    const field = parts.join('.') || 'base'
    addFieldError(out, field, messageOf(e))
  }
  return out
}
