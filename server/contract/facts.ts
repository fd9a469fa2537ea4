/**
 * Quiltt's published REST document, facts only (scripts/derive-quiltt-facts.ts): loading it, finding
 * the operation a request names, and reading its OpenAPI 3.0 schemas ($ref, allOf, oneOf/anyOf,
 * nullable) as the check needs them.
 */
import { readFileSync } from 'node:fs'
import { QUILTT_FACTS_PATH } from '../paths.js'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

/** Which document a check used: its source file's name and SHA-256, and the API version it describes. */
export interface DocumentId {
  source: string
  sourceSha256: string
  apiVersion: string
}

export interface QuilttFacts {
  'x-facts': DocumentId & Record<string, Json>
  paths: Record<string, JsonObject>
  components?: { schemas?: Record<string, JsonObject>, securitySchemes?: Record<string, JsonObject> }
  security?: Array<Record<string, Json>>
}

/**
 * The passwordless operations (identify, authenticate, ping) are not in Quiltt's document, but their
 * success bodies are its UserSession (DESIGN.md section 1). The pact check and the conformance of the
 * emulator's own answers both hold them to it, from this one list: method, success status, security.
 */
export const SESSION_PATH = '/v1/users/session'
export const SESSION_ANSWERS: Record<string, { status: number, security: Json[] }> = {
  POST: { status: 201, security: [] },
  PUT: { status: 201, security: [] },
  GET: { status: 200, security: [{ SessionTokenBearerAuth: [] }] }
}
export const USER_SESSION_REF = '#/components/schemas/UserSession'

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

let cached: QuilttFacts | undefined

/** The facts document that ships with quiltt-mock (read once). */
export function loadQuilttFacts (): QuilttFacts {
  return (cached ??= readQuilttFacts(QUILTT_FACTS_PATH))
}

export function readQuilttFacts (path: string): QuilttFacts {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown
  if (!isObject(doc) || !isObject(doc['x-facts']) || !isObject(doc.paths) || typeof doc['x-facts'].apiVersion !== 'string') {
    throw new Error(`${path} is not a facts document made by scripts/derive-quiltt-facts.ts (no x-facts block or paths)`)
  }
  return doc as unknown as QuilttFacts
}

export function documentId (facts: QuilttFacts): DocumentId {
  const x = facts['x-facts']
  return { source: String(x.source), sourceSha256: String(x.sourceSha256), apiVersion: String(x.apiVersion) }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']

export interface DocumentedOperation {
  method: string
  /** The path as Quiltt's document writes it: `/v1/profiles/{id}`. */
  path: string
  operation: JsonObject
}

export type OperationLookup =
  | { found: DocumentedOperation }
  | { found?: undefined, pathMethods: string[] }

const compiled = new WeakMap<QuilttFacts, Array<{ path: string, pattern: RegExp, params: number }>>()

/**
 * The documented operation for a method and a concrete path. Paths match by their segments
 * (`{id}` stands for one segment); literal paths win over templated ones. Hosts are not compared:
 * Quiltt's document puts some paths on auth.quiltt.io and others on api.quiltt.io, and the emulator
 * serves both on one port.
 */
export function findOperation (facts: QuilttFacts, method: string, path: string): OperationLookup {
  let patterns = compiled.get(facts)
  if (!patterns) {
    patterns = Object.keys(facts.paths).map(p => ({
      path: p,
      pattern: new RegExp(`^${p.split(/\{[^}]+\}/).map(s => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`),
      params: (p.match(/\{/g) ?? []).length
    })).sort((a, b) => a.params - b.params)
    compiled.set(facts, patterns)
  }
  const matches = patterns.filter(p => p.pattern.test(path))
  for (const m of matches) {
    const operation = facts.paths[m.path]![method.toLowerCase()]
    if (isObject(operation)) return { found: { method: method.toUpperCase(), path: m.path, operation } }
  }
  const pathMethods = [...new Set(matches.flatMap(m => METHODS.filter(k => isObject(facts.paths[m.path]![k])).map(k => k.toUpperCase())))]
  return { pathMethods }
}

/** A schema reached through `$ref`s, with the name of the last component it came from. */
export interface Part {
  schema: JsonObject
  /** `UserSession`, `RestError`: the component the schema is (for messages). */
  name?: string
}

export function deref (facts: QuilttFacts, schema: Json | undefined, name?: string): Part {
  let s: Json | undefined = schema
  let n = name
  for (let hops = 0; isObject(s) && typeof s.$ref === 'string' && hops < 32; hops++) {
    const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref)
    if (!m) return { schema: {}, ...(n ? { name: n } : {}) }
    n = decodeURIComponent(m[1]!)
    s = facts.components?.schemas?.[n]
  }
  return { schema: isObject(s) ? s : {}, ...(n ? { name: n } : {}) }
}

const MAX_ALTERNATIVES = 64

/**
 * The shapes a schema allows: each alternative is a list of parts that must all hold (allOf), one
 * alternative per oneOf/anyOf branch. oneOf is read as anyOf: Quiltt's issue-session body is a
 * oneOf whose branches overlap (any body with `userId` also fits the create-a-profile branch), so
 * an exclusive reading would rule out every body Quiltt's own guides send.
 */
export function alternatives (facts: QuilttFacts, schema: Json | undefined, name?: string): Part[][] {
  const part = deref(facts, schema, name)
  const { allOf, oneOf, anyOf, ...base } = part.schema
  let result: Part[][] = [[{ schema: base, ...(part.name ? { name: part.name } : {}) }]]
  const combine = (options: Part[][]): void => {
    const next: Part[][] = []
    for (const a of result) for (const b of options) if (next.length < MAX_ALTERNATIVES) next.push([...a, ...b])
    result = next
  }
  if (Array.isArray(allOf)) for (const s of allOf) combine(alternatives(facts, s, part.name))
  for (const branches of [oneOf, anyOf]) {
    if (Array.isArray(branches)) combine(branches.flatMap(s => alternatives(facts, s, part.name)))
  }
  return result
}

/** JSON types, with `integer` for numbers without a fraction. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null'
const ALL: JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']

export function jsonTypeOf (value: Json): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value as JsonType
}

/** The JSON types every part allows (`number` allows `integer`; `nullable` allows `null`). */
export function allowedTypes (parts: Part[]): Set<JsonType> {
  let allowed = new Set<JsonType>(ALL)
  for (const { schema } of parts) {
    if (typeof schema.type !== 'string') continue
    const own = new Set<JsonType>(schema.type === 'number' ? ['number', 'integer'] : [schema.type as JsonType])
    if (schema.nullable === true) own.add('null')
    allowed = new Set([...allowed].filter(t => own.has(t)))
  }
  return allowed
}

/** The values every part's `enum` allows, or undefined when none has one. */
export function allowedValues (parts: Part[]): Json[] | undefined {
  let values: Json[] | undefined
  for (const { schema } of parts) {
    if (!Array.isArray(schema.enum)) continue
    const own = schema.enum
    values = values === undefined ? [...own] : values.filter(v => own.some(o => JSON.stringify(o) === JSON.stringify(v)))
  }
  return values
}

export function keyword (parts: Part[], name: string): Json | undefined {
  for (const { schema } of parts) if (schema[name] !== undefined) return schema[name]
  return undefined
}

/** What the document says a value is, in words: `a string (format global_id-v1)`, `a UserSession object`. */
export function describeSchema (parts: Part[]): string {
  // A schema made from a GraphQL type says it in GraphQL's words: `Float (a number, or null)`.
  const graphql = keyword(parts, 'x-graphql-describe')
  if (typeof graphql === 'string') return graphql
  const types = allowedTypes(parts)
  const values = allowedValues(parts)
  if (values) return `one of ${values.map(v => JSON.stringify(v)).join(', ')}`
  const named = parts.find(p => p.name)?.name
  const format = keyword(parts, 'format')
  const words: string[] = []
  if (types.size === ALL.length) return named ? `a ${named}` : 'any value'
  if (types.has('string')) words.push(`a string${typeof format === 'string' ? ` (format ${format})` : ''}`)
  if (types.has('number')) words.push('a number')
  else if (types.has('integer')) words.push('an integer')
  if (types.has('boolean')) words.push('a boolean')
  if (types.has('object')) words.push(named ? `a ${named} object` : 'an object')
  if (types.has('array')) words.push('an array')
  if (types.has('null')) words.push('null')
  return words.length === 0 ? 'nothing (its parts contradict each other)' : words.join(' or ')
}
