import type { FastifyReply, FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import { errors } from '../errors.js'
import { MAX_BATCH } from '../graphql/limits.js'
import { QUILTT_VERSION } from '../graphql/schema.js'
import type { Handlers } from '../http/operations.js'
import { isPlainObject } from '../services/formats.js'
import type { GraphQLRequest } from '../services/graphql.js'
import type { Services } from '../services/index.js'

const SHAPE = 'send {"query": "...", "variables": {...}} (GraphQL over HTTP)'

/** One request of GraphQL over HTTP, checked for shape; what it asks is the service's business. */
function requestOf (raw: unknown, what: string): GraphQLRequest {
  if (!isPlainObject(raw)) throw errors.badRequest(`${what} is not a GraphQL request: ${SHAPE}.`)
  const { query, variables, operationName } = raw
  if (typeof query !== 'string') throw errors.badRequest(`${what} has no \`query\` string: ${SHAPE}.`)
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) throw errors.badRequest(`The \`variables\` of ${what.toLowerCase()} must be a JSON object.`)
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') throw errors.badRequest(`The \`operationName\` of ${what.toLowerCase()} must be a string.`)
  return { query, variables: (variables ?? null) as GraphQLRequest['variables'], operationName: operationName ?? null }
}

/** GraphQL over HTTP's GET: `variables` arrive as JSON text. */
function requestOfQueryString (q: Record<string, string | undefined>): GraphQLRequest {
  let variables: unknown = null
  if (q.variables !== undefined && q.variables !== '') {
    try {
      variables = sjson.parse(q.variables, { protoAction: 'error', constructorAction: 'error' })
    } catch (err) {
      throw errors.badRequest(`Is \`variables\` valid JSON? ${(err as Error).message}`)
    }
  }
  return requestOf({ query: q.query, variables, operationName: q.operationName === '' ? null : q.operationName }, 'The query string')
}

// A string body goes out as written: GraphQL's `data` is whatever the query asked for, no schema to serialize by.
const sendJson = (reply: FastifyReply, payload: unknown) => reply.type('application/json; charset=utf-8').send(JSON.stringify(payload))

export function graphqlRoutes ({ graphql }: Services): Handlers {
  const logAs = (req: FastifyRequest) => (err: unknown, errorId: string) => { req.log.error({ err, errorId }, 'unhandled error in a GraphQL resolver') }
  return {
    async graphql (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      const body = req.body
      if (Array.isArray(body)) {
        if (body.length === 0) throw errors.badRequest(`The batch is empty: send an array of GraphQL requests, or one request; ${SHAPE}.`)
        if (body.length > MAX_BATCH) throw errors.badRequest(`A batch holds at most ${MAX_BATCH} operations; this one has ${body.length}.`)
        const requests = body.map((r, i) => requestOf(r, `Entry ${i} of the batch`))
        return sendJson(reply, await graphql.execute(requests, req.headers.authorization, { queriesOnly: false, onInternalError: logAs(req) }))
      }
      const [result] = await graphql.execute([requestOf(body, 'The body')], req.headers.authorization, { queriesOnly: false, onInternalError: logAs(req) })
      return sendJson(reply, result)
    },
    async graphqlGet (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      const request = requestOfQueryString(req.query as Record<string, string | undefined>)
      const [result] = await graphql.execute([request], req.headers.authorization, { queriesOnly: true, onInternalError: logAs(req) })
      return sendJson(reply, result)
    }
  }
}
