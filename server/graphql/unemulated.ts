// What the 2026-04-01 schema has and the emulator has no data for: answered by the field's type,
// never by a 500 or an unknown-field error.
import type { GraphQLField, GraphQLSchema } from 'graphql'
import { graphqlJs } from './schema.js'

/** A Relay connection with nothing in it. */
export const emptyConnection = () => ({
  count: 0,
  nodes: [],
  edges: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }
})

type Resolver = (...args: unknown[]) => unknown

/**
 * Query fields: `[]` for a list, an empty connection for a Relay connection (a type with `pageInfo`), else null. Mutation
 * fields: a GraphQL error naming the mutation as not emulated (their payloads are nullable, so the
 * rest of the operation still answers).
 */
function fallback (field: GraphQLField<unknown, unknown>, isMutation: boolean): Resolver {
  const { GraphQLError, getNamedType, getNullableType, isListType, isObjectType } = graphqlJs()
  if (isMutation) {
    return () => { throw new GraphQLError(`${field.name} is not emulated: quiltt-mock has no data or provider behind it (docs/bank-data.md).`) }
  }
  if (isListType(getNullableType(field.type))) return () => []
  const named = getNamedType(field.type)
  if (isObjectType(named) && 'pageInfo' in named.getFields()) return emptyConnection
  return () => null
}

const built = new WeakMap<GraphQLSchema, Record<string, Resolver>>()

/** The root fields of Query and Mutation with their fallback answers, built once per schema. */
export function unemulatedRoots (schema: GraphQLSchema): Record<string, Resolver> {
  let roots = built.get(schema)
  if (roots) return roots
  roots = {}
  for (const [type, isMutation] of [[schema.getQueryType(), false], [schema.getMutationType(), true]] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) roots[field.name] = fallback(field, isMutation)
  }
  built.set(schema, roots)
  return roots
}
