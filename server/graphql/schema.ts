import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { GraphQLSchema } from 'graphql'
import { ROOT } from '../paths.js'

/** The SDL served at /v1/graphql; it ships with the package, beside openapi.yaml, for codegen to read offline. */
export const SCHEMA_PATH = join(ROOT, 'schema.graphql')

/**
 * The one API version served: answers carry `Quiltt-Version: 2026-04-01`, and a request naming another
 * version in its `Quiltt-Version` header gets the 2026-04-01 answer all the same (docs/graphql.md).
 */
export const QUILTT_VERSION = '2026-04-01'

type GraphQLJs = typeof import('graphql')

// graphql-js is loaded, and the schema built, on the first GraphQL request: loading the package was
// 150 ms, more than the whole rest of the start. One instance for all callers: graphql-js refuses
// objects made by another copy of itself.
let js: GraphQLJs | undefined
let built: GraphQLSchema | undefined

export function graphqlJs (): GraphQLJs {
  return (js ??= createRequire(import.meta.url)('graphql') as GraphQLJs)
}

export function schema (): GraphQLSchema {
  return (built ??= graphqlJs().buildSchema(readFileSync(SCHEMA_PATH, 'utf8')))
}
