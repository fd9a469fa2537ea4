// Fastify's response serializers, compiled on a route's first answer rather than at start.
import { createRequire } from 'node:module'

type Serialize = (data: unknown) => string
type CompileSerializer = (route: { schema: unknown, method: string, url: string, httpStatus: string }) => Serialize
type BuildSerializer = (externalSchemas: unknown, serializerOptions: unknown) => CompileSerializer

/**
 * Fastify's own response serializers (fast-json-stringify), loaded and compiled on a route's first
 * answer with each status rather than at start, so a start pays only for the answers it gives
 * (docs/performance.md). The output is the same, byte for byte.
 */
export const buildLazySerializer: BuildSerializer = (externalSchemas, serializerOptions) => {
  let compile: CompileSerializer | undefined
  return route => {
    let serialize: Serialize | undefined
    return data => {
      if (serialize === undefined) {
        compile ??= (createRequire(import.meta.url)('@fastify/fast-json-stringify-compiler') as () => BuildSerializer)()(externalSchemas, {
          ...serializerOptions as object,
          // A session answer is a oneOf (Quiltt's shape or the legacy one): fast-json-stringify picks the
          // branch by validating the answer against each. Their required fields and additionalProperties
          // tell them apart, so formats are not checked there: the token's JWT pattern, the UUID and the
          // date would be checked again on every ping (docs/performance.md).
          ajv: { validateFormats: false }
        })
        serialize = compile(route)
      }
      return serialize(data)
    }
  }
}
