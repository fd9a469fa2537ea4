// Test-only: every answer checked against openapi.yaml (status, declared headers, JSON body) before it is
// sent, and against Quiltt's own document where it describes the operation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { checkAgainstQuiltt } from '../contract/conformance.js'
import { InternalError } from '../errors.js'
import { checkResponse, isEmpty, responseFor } from '../openapi/response-check.js'
import { loadSpec, resolve, type ResponseSpec } from '../openapi/spec.js'
import type { Ids } from '../random.js'

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

// Responses a test asked for on purpose (an injected fault) are not the emulator's answers.
const exempt = new WeakSet<object>()

/** Exempts this request's response from the check: for deliberately off-contract answers such as injected faults. */
export function exemptFromResponseValidation (req: FastifyRequest): void {
  exempt.add(req)
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

/**
 * Calls `onMismatch` with every answer Quiltt's document rules out (contract/conformance.ts). It never
 * changes an answer. Test-only: `buildApp({ validateAgainstQuiltt })` registers it.
 */
export function useQuilttConformance (app: FastifyInstance, onMismatch: OnResponseMismatch): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const url = req.routeOptions.url
    if (req.method === 'HEAD' || url === undefined || exempt.has(req)) return payload
    const problems = checkAgainstQuiltt(req.method, url, reply.statusCode, reply.getHeaders(), payload)
    if (problems && problems.length > 0) {
      onMismatch({
        method: req.method,
        url: req.url,
        operationId: req.routeOptions.config.operationId,
        statusCode: reply.statusCode,
        problems: problems.map(p => `Quiltt's document: ${p}`),
        body: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload.toString() : ''
      })
    }
    return payload
  })
}
