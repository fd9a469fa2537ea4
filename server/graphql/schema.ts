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

// graphql-js is loaded, and the schema built, on the first GraphQL request: loading the package
// outweighs the rest of the start (docs/performance.md). One instance for all callers: graphql-js refuses
// objects made by another copy of itself.
let js: GraphQLJs | undefined
let built: GraphQLSchema | undefined

export function graphqlJs (): GraphQLJs {
  return (js ??= createRequire(import.meta.url)('graphql') as GraphQLJs)
}

export function schema (): GraphQLSchema {
  return (built ??= graphqlJs().buildSchema(readFileSync(SCHEMA_PATH, 'utf8')))
}

type GraphQLJit = typeof import('graphql-jit')
let jit: GraphQLJit | undefined
let jitSchema: GraphQLSchema | undefined

/** graphql-jit, loaded like graphql-js (lazily, from node_modules, so both share the one graphql-js). */
export function graphqlJit (): GraphQLJit {
  return (jit ??= createRequire(import.meta.url)('graphql-jit') as GraphQLJit)
}

/**
 * The schema graphql-jit compiles against: the same SDL, with graphql-js's own default resolver on
 * every field that takes arguments or has fields of its own. graphql-jit reads a field without a
 * resolver as a plain property, and the emulator's objects answer those fields with functions
 * (relations, pages), which graphql-js calls. Leaf fields without arguments stay plain reads, the
 * point of compiling: the emulator's objects hold them as values or getters (a function there
 * fails the leaf's serializer, `jitSerializers`, and the query runs again with graphql-js).
 */
export function compiledSchema (): GraphQLSchema {
  if (jitSchema) return jitSchema
  const { buildSchema, defaultFieldResolver, getNamedType, isLeafType, isObjectType } = graphqlJs()
  const s = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'))
  for (const type of Object.values(s.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue
    for (const field of Object.values(type.getFields())) {
      if (field.args.length > 0 || !isLeafType(getNamedType(field.type))) field.resolve ??= defaultFieldResolver
    }
  }
  return (jitSchema = s)
}

/** Every leaf type's own serializer, refusing a function (a field graphql-jit read and graphql-js would have called). */
export function jitSerializers (): Record<string, (v: unknown) => unknown> {
  const { isLeafType } = graphqlJs()
  const out: Record<string, (v: unknown) => unknown> = {}
  for (const type of Object.values(compiledSchema().getTypeMap())) {
    if (!isLeafType(type)) continue
    out[type.name] = v => {
      if (typeof v === 'function') throw new Error('a field answered by a function: run by graphql-js')
      return type.serialize(v)
    }
  }
  return out
}
