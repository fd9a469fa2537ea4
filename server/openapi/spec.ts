// openapi.yaml read once: the document and its operations with their route schemas, from the build's JSON snapshot when it matches.
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseYaml } from '../yaml.js'
import { OPENAPI_PATH, ROOT } from '../paths.js'

/** A JSON copy of openapi.yaml made by `npm run build`: JSON parses far faster than YAML (docs/performance.md). */
export const SNAPSHOT_PATH = join(ROOT, 'dist', 'openapi.json')

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

export interface RouteSchema {
  body?: JsonObject
  querystring?: JsonObject
  params?: JsonObject
  response?: Record<string, JsonObject>
}

/** One documented response of an operation, as the response validator checks it. */
export interface ResponseSpec {
  /** The `application/json` body schema; undefined when the response declares no JSON body. */
  json?: JsonObject
  /** Whether the response declares a body at all (any media type). */
  hasContent: boolean
  headers: Array<{ name: string, required: boolean, schema: JsonObject }>
}

export interface Operation {
  operationId: string
  method: string
  path: string
  url: string
  tags: string[]
  schema: RouteSchema
  /**
   * The request body is documented (`schema.body`) but checked by the operation's service, not by
   * schema validation: the spec marks it `x-validated-by: service` on the requestBody.
   */
  bodyValidatedByService: boolean
  /** Keyed by status code as written in the document ('201', '4XX', 'default'). */
  responses: Record<string, ResponseSpec>
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']
// Documentation-only keywords that JSON-schema validators and serializers have no use for.
const DOC_KEYWORDS = new Set(['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'deprecated'])

let cached: { document: JsonObject, operations: Operation[] } | undefined

export function loadSpec (): { document: JsonObject, operations: Operation[] } {
  return (cached ??= readSpec())
}

const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * openapi.yaml and its operations, from the snapshot when the snapshot was made from this very text.
 * The snapshot holds the operations with their $refs resolved, so a start does not resolve them again.
 */
export function readSpec (yamlPath = OPENAPI_PATH, snapshotPath = SNAPSHOT_PATH): { document: JsonObject, operations: Operation[] } {
  const text = readFileSync(yamlPath, 'utf8')
  const sha256 = digestOf(text)
  try {
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as { sha256?: string, document?: JsonObject, operations?: Operation[] }
    if (snapshot.sha256 === sha256 && snapshot.document && Array.isArray(snapshot.operations)) {
      return { document: snapshot.document, operations: snapshot.operations }
    }
  } catch {
    // No snapshot (a checkout run with tsx) or an unreadable one: the YAML is the source anyway.
  }
  const document = parseYaml(text) as JsonObject
  return { document, operations: readOperations(document) }
}

/** Writes the snapshot (`npm run build` runs this through write-snapshot.ts). */
export function writeSpecSnapshot (yamlPath = OPENAPI_PATH, snapshotPath = SNAPSHOT_PATH): string {
  const text = readFileSync(yamlPath, 'utf8')
  const document = parseYaml(text) as JsonObject
  const tmp = `${snapshotPath}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify({ sha256: digestOf(text), document, operations: readOperations(document) }))
  renameSync(tmp, snapshotPath)
  return snapshotPath
}

/** Resolves local `$ref`s into plain schemas and drops documentation-only keywords. */
export function resolve (document: JsonObject, node: Json, seen: string[] = []): Json {
  if (Array.isArray(node)) return node.map(n => resolve(document, n, seen))
  if (node === null || typeof node !== 'object') return node
  const ref = node.$ref
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`openapi.yaml: circular $ref ${ref}`)
    return resolve(document, pointer(document, ref), [...seen, ref])
  }
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(node)) {
    if (DOC_KEYWORDS.has(k)) continue
    // `properties` maps names to schemas: a property may be called "example".
    out[k] = k === 'properties' && v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([name, s]) => [name, resolve(document, s, seen)]))
      : resolve(document, v, seen)
  }
  return out
}

function pointer (document: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`openapi.yaml: only local $refs are supported, got ${ref}`)
  let node: Json = document
  for (const part of ref.slice(2).split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(part in node)) throw new Error(`openapi.yaml: unresolvable $ref ${ref}`)
    node = node[part]!
  }
  return node
}

function readOperations (document: JsonObject): Operation[] {
  const operations: Operation[] = []
  const paths = document.paths as Record<string, JsonObject>
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as Json[]
    for (const method of METHODS) {
      const op = item[method] as JsonObject | undefined
      if (!op) continue
      if (typeof op.operationId !== 'string') throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`)
      const parameters = [...shared, ...((op.parameters ?? []) as Json[])].map(p => resolve(document, p) as JsonObject)
      const responses = responseSpecs(document, op)
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
        tags: (op.tags ?? []) as string[],
        schema: routeSchema(document, op, parameters, responses),
        bodyValidatedByService: op.requestBody !== undefined && (resolve(document, op.requestBody) as JsonObject)['x-validated-by'] === 'service',
        responses
      })
    }
  }
  return operations
}

function parameterSchema (parameters: JsonObject[], where: string): JsonObject | undefined {
  const list = parameters.filter(p => p.in === where)
  if (list.length === 0) return undefined
  return {
    type: 'object',
    properties: Object.fromEntries(list.map(p => [p.name as string, (p.schema ?? {}) as Json])),
    required: list.filter(p => p.required === true).map(p => p.name as string)
  }
}

/** An operation's documented responses, `$ref`s resolved: of openapi.yaml, or of Quiltt's published document. */
export function responseSpecs (document: JsonObject, op: JsonObject): Record<string, ResponseSpec> {
  const out: Record<string, ResponseSpec> = {}
  for (const [status, res] of Object.entries((op.responses ?? {}) as JsonObject)) {
    const r = resolve(document, res) as JsonObject
    const content = (r.content ?? {}) as JsonObject
    const json = (content['application/json'] as JsonObject | undefined)?.schema as JsonObject | undefined
    out[status] = {
      ...(json ? { json } : {}),
      hasContent: Object.keys(content).length > 0,
      headers: Object.entries((r.headers ?? {}) as Record<string, JsonObject>).map(([name, h]) => ({
        name: name.toLowerCase(),
        required: h.required === true,
        schema: (h.schema ?? {}) as JsonObject
      }))
    }
  }
  return out
}

function routeSchema (document: JsonObject, op: JsonObject, parameters: JsonObject[], responses: Record<string, ResponseSpec>): RouteSchema {
  const schema: RouteSchema = {}
  const params = parameterSchema(parameters, 'path')
  const querystring = parameterSchema(parameters, 'query')
  if (params) schema.params = params
  if (querystring) schema.querystring = querystring
  const requestBody = op.requestBody === undefined ? undefined : resolve(document, op.requestBody) as JsonObject
  const bodySchema = ((requestBody?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined)?.schema
  if (bodySchema) schema.body = resolve(document, bodySchema) as JsonObject
  const response: Record<string, JsonObject> = {}
  for (const [status, r] of Object.entries(responses)) if (r.json) response[status] = r.json
  if (Object.keys(response).length > 0) schema.response = response
  return schema
}

/** The schema of one operation, by operationId. */
export function routeSchemaOf (operationId: string): RouteSchema {
  const op = loadSpec().operations.find(o => o.operationId === operationId)
  if (!op) throw new Error(`openapi.yaml has no operation ${operationId}`)
  return op.schema
}
