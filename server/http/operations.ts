// Registers every operation of openapi.yaml with its handler by operationId; a handler or an operation without the other stops the start.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import { loadSpec } from '../openapi/spec.js'

/** Handlers keyed by operationId. Method, path and schemas come from openapi.yaml, never from here. */
export type Handlers = Record<string, RouteHandlerMethod>

declare module 'fastify' {
  interface FastifyContextConfig { operationId?: string }
}

/**
 * Registers every operation of openapi.yaml with its handler. An operation without a handler, or a
 * handler without an operation, stops the start: the spec and the routes cannot drift apart.
 */
export function registerOperations (app: FastifyInstance, handlers: Handlers): void {
  const { operations } = loadSpec()
  const known = new Set(operations.map(o => o.operationId))
  const orphans = Object.keys(handlers).filter(id => !known.has(id))
  if (orphans.length > 0) throw new Error(`Handlers without an operation in openapi.yaml: ${orphans.join(', ')}`)
  for (const op of operations) {
    const handler = handlers[op.operationId]
    if (!handler) throw new Error(`openapi.yaml operation ${op.operationId} (${op.method} ${op.path}) has no handler`)
    // A body the spec marks `x-validated-by: service` is documented, not validated here: its service reports every bad value at once.
    const { body, ...rest } = op.schema
    const schema = op.bodyValidatedByService ? rest : op.schema
    app.route({ method: op.method, url: op.url, schema, handler, config: { operationId: op.operationId } })
  }
}

/** The token or secret of `Authorization: Bearer <x>`; undefined when the header is missing or another scheme. */
export function bearer (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m?.[1]
}
