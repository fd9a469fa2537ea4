import type { DocumentNode, OperationDefinitionNode } from 'graphql'
import { MAX_TOKENS } from './limits.js'
import { graphqlJs } from './schema.js'

export const GRAPHQL_PATH = '/v1/graphql'

/** One operation of a GraphQL request as the journal shows it; null where the request does not say. */
export interface OperationNote {
  operationName: string | null
  operationType: 'query' | 'mutation' | 'subscription' | null
}

/**
 * Parses a document within the limits, or returns the error to answer with. A document nested some
 * thousand levels exhausts graphql-js's recursive parser (RangeError) before its token limit does.
 */
export function parseDocument (query: string, maxTokens = MAX_TOKENS): DocumentNode | Error {
  const { parse, GraphQLError } = graphqlJs()
  try {
    return parse(query, { maxTokens })
  } catch (err) {
    if (err instanceof GraphQLError) return err
    if (err instanceof RangeError) return new GraphQLError('Syntax Error: the document is nested too deeply to parse.')
    throw err
  }
}

/** The operation a request runs: the one named, or the only one (graphql-js's own rule). */
export function operationOf (document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  return graphqlJs().getOperationAST(document, operationName) ?? undefined
}

function note (query: unknown, operationName: unknown): OperationNote {
  const named = typeof operationName === 'string' ? operationName : null
  const document = typeof query === 'string' ? parseDocument(query) : undefined
  const op = document === undefined || document instanceof Error ? undefined : operationOf(document, named)
  return { operationName: op?.name?.value ?? named, operationType: op?.operation ?? null }
}

const field = (o: unknown, k: string): unknown => typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined

/**
 * The operations of a request to /v1/graphql, in order: from the JSON body (one request or a batch),
 * else from the query string of a GET. For the request journal, which keeps both as they arrived.
 */
export function describeGraphQLRequest (body: unknown, query: string | null): OperationNote[] {
  if (Array.isArray(body)) return body.map(r => note(field(r, 'query'), field(r, 'operationName')))
  if (typeof body === 'object' && body !== null) return [note(field(body, 'query'), field(body, 'operationName'))]
  if (query === null) return []
  const params = new URLSearchParams(query)
  return params.has('query') ? [note(params.get('query'), params.get('operationName'))] : []
}
