/**
 * Response conformance to Quiltt's document: every answer of an operation that Quiltt's published REST
 * document describes is checked against Quiltt's own schema for its status (the facts-only copy under
 * test/quiltt/), strictly: `additionalProperties: false` holds, formats are checked, required headers
 * must be there. The passwordless operations are not in Quiltt's document, but their session answers
 * are the same UserSession (DESIGN.md section 1), so those bodies are checked against it too (facts.ts' SESSION_ANSWERS, the pact check's list as well).
 *
 * Pure (no Fastify): the test-only hook that applies it to every answer is `useQuilttConformance` in
 * http/response-validation.ts, which `buildApp({ validateAgainstQuiltt })` registers; test/helper.ts
 * turns it on for every app a test builds, beside the check against openapi.yaml.
 */
import { type JsonObject, resolve, type ResponseSpec, responseSpecs } from '../openapi/spec.js'
import { type DocumentId, documentId, loadQuilttFacts, SESSION_ANSWERS, SESSION_PATH, USER_SESSION_REF } from './facts.js'
import { checkResponse, responseFor } from '../openapi/response-check.js'

export interface QuilttOperation {
  method: string
  /** As Quiltt's document writes it: /v1/profiles/{id}. */
  path: string
  responses: Record<string, ResponseSpec>
}

export interface QuilttDocument {
  document: JsonObject
  /** Where the facts came from: the source document's name, its SHA-256 and Quiltt's API version. */
  source: DocumentId
  operations: QuilttOperation[]
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch']

let cached: QuilttDocument | undefined

/** Quiltt's document (facts only: contract/facts.ts reads it), its operations' responses resolved. */
export function loadQuilttDocument (): QuilttDocument {
  if (cached) return cached
  const facts = loadQuilttFacts()
  const document = facts as unknown as JsonObject
  const operations: QuilttOperation[] = []
  for (const [p, item] of Object.entries(facts.paths)) {
    for (const method of METHODS) {
      const op = item[method] as JsonObject | undefined
      if (op) operations.push({ method: method.toUpperCase(), path: p, responses: responseSpecs(document, op) })
    }
  }
  return (cached = { document, source: documentId(facts), operations })
}

/** Fastify's form of a path (`/v1/profiles/:id`), to find the operation a route serves. */
const routeUrl = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1')

/**
 * Statuses the emulator answers that Quiltt's document does not list for the operation: the
 * emulator's own choices (README, "Differences"), always in Quiltt's error shapes. Any operation may
 * also answer the framework's 400, 413, 415 and 500, and 503 when another process holds the database file's lock.
 */
export const UNDOCUMENTED_STATUSES: Record<string, number[]> = {
  'POST /v1/users/sessions': [404, 429],
  'GET /v1/profiles': [422],
  'POST /v1/profiles': [401],
  'GET /v1/profiles/{id}': [401],
  'PATCH /v1/profiles/{id}': [401, 404],
  'DELETE /v1/profiles/{id}': [401, 404],
  'POST /v1/connections/{connectionId}/transactions/refresh': [401],
  'POST /v1/accounts/{accountId}/balances/refresh': [401],
  'GET /v1/accounts/{accountId}/ach_numbers': [401],
  'GET /v1/institutions': [401],
  'GET /v1/webhooks/subscriptions': [401, 422],
  'POST /v1/webhooks/subscriptions': [401],
  'GET /v1/webhooks/subscriptions/{id}': [401, 404],
  'PATCH /v1/webhooks/subscriptions/{id}': [401, 404],
  'DELETE /v1/webhooks/subscriptions/{id}': [401, 404]
}
const ANY_OPERATION = [400, 413, 415, 500, 503]

/**
 * What is wrong with one answer in Quiltt's terms; `undefined` when Quiltt's document has nothing
 * to say about the route (the emulator's own API, the docs, an unknown path).
 */
export function checkAgainstQuiltt (method: string, url: string, status: number, headers: Record<string, unknown>, payload: unknown): string[] | undefined {
  const quiltt = loadQuilttDocument()
  const session = url === SESSION_PATH ? SESSION_ANSWERS[method] : undefined
  if (session !== undefined) {
    if (status !== session.status) return undefined
    const userSession = resolve(quiltt.document, { $ref: USER_SESSION_REF }) as JsonObject
    return checkResponse({ json: userSession, hasContent: true, headers: [] }, status, headers, payload)
  }
  const op = quiltt.operations.find(o => o.method === method && routeUrl(o.path) === url)
  if (!op) return undefined
  const documented = responseFor(op.responses, status)
  if (documented) return checkResponse(documented, status, headers, payload)
  if (!ANY_OPERATION.includes(status) && !(UNDOCUMENTED_STATUSES[`${method} ${op.path}`] ?? []).includes(status)) {
    return [`status ${status} is neither in Quiltt's document for ${method} ${op.path} nor one of the emulator's documented choices`]
  }
  const shape = status === 422 ? 'ValidationErrors' : 'RestError'
  const json = resolve(quiltt.document, { $ref: `#/components/schemas/${shape}` }) as JsonObject
  return checkResponse({ json, hasContent: true, headers: [] }, status, headers, payload)
}
