import type { CompiledQuery } from 'graphql-jit'
import type { DocumentNode, ExecutionResult, GraphQLError, OperationDefinitionNode, SelectionSetNode } from 'graphql'
import { ApiError, errors, isDatabaseBusy } from '../errors.js'
import { MAX_REQUEST_TOKENS, maxDepthRule, tokensOf } from '../graphql/limits.js'
import { operationOf, parseDocument } from '../graphql/operations.js'
import { type Bank, BankScope } from '../graphql/bank.js'
import { rootValue } from '../graphql/resolvers.js'
import { compiledSchema, graphqlJit, graphqlJs, jitSerializers, schema } from '../graphql/schema.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import type { ProfileService } from './profiles.js'
import type { SessionService } from './sessions.js'

/** One GraphQL request, as GraphQL over HTTP carries it (a batch is a list of these). */
export interface GraphQLRequest {
  query: string
  variables: Record<string, unknown> | null
  operationName: string | null
}

export interface ExecuteOptions {
  /** GET: GraphQL over HTTP runs queries only, a mutation is a 405. */
  queriesOnly: boolean
  /** Called with a resolver's unexpected error and the errorId its answer carries. */
  onInternalError?: (err: unknown, errorId: string) => void
}

/** A document parsed and validated, with its queries compiled by graphql-jit as first run (by operation name). */
type Checked = { document: DocumentNode, compiled: Map<string | null, CompiledQuery | null> } | { errors: readonly GraphQLError[] }
type Prepared =
  | { document: DocumentNode, operation: OperationDefinitionNode | undefined, compiled: Map<string | null, CompiledQuery | null> }
  | { errors: readonly GraphQLError[] }

/** How many distinct documents stay parsed and validated; past it the cache starts again. */
const DOCUMENT_CACHE_SIZE = 500

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename'])

/** Whether an operation only reads the schema: every root field (through fragments too) is __schema, __type or __typename. */
function readsSchemaOnly (document: DocumentNode, set: SelectionSetNode, seen = new Set<string>()): boolean {
  return set.selections.every(s => {
    if (s.kind === 'Field') return INTROSPECTION_FIELDS.has(s.name.value)
    if (s.kind === 'InlineFragment') return readsSchemaOnly(document, s.selectionSet, seen)
    if (seen.has(s.name.value)) return true
    seen.add(s.name.value)
    const def = document.definitions.find(d => d.kind === 'FragmentDefinition' && d.name.value === s.name.value)
    return def?.kind !== 'FragmentDefinition' || readsSchemaOnly(document, def.selectionSet, seen)
  })
}

/**
 * Quiltt's GraphQL API: who a request acts for (from its Authorization header), then each
 * operation parsed, checked against the schema and the limits, and run. Profile reads and writes go
 * through the profile service, so GraphQL and the REST Profiles API share one store.
 */
export function createGraphQLService (
  { ids }: ServiceContext, environments: EnvironmentService, profiles: ProfileService, sessions: SessionService, bank: Bank
) {
  /**
   * `Bearer <session token>` acts for the session's profile; `Basic base64(<profileId>:<API key secret>)`
   * for that profile of the key's environment (server to server, no rate limit). Quiltt's own template
   * points GraphQL Codegen at the API with `Bearer <API key secret>`: that reads the schema only
   * (undefined profile). Anything else is a 401.
   */
  function viewerOf (authorization: string | undefined): { environmentId: string, profileId: string | undefined } {
    const m = /^(Bearer|Basic)[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')
    if (!m) throw errors.graphqlNotAuthenticated()
    const credential = m[2]!
    if (m[1]!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon <= 0) throw errors.basicNotAuthenticated()
      let environmentId: string
      try {
        environmentId = environments.authenticateApiKey(decoded.slice(colon + 1)).environment.id
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 401) throw errors.basicNotAuthenticated()
        throw err
      }
      const profile = profiles.find(environmentId, decoded.slice(0, colon))
      if (!profile) throw errors.basicNotAuthenticated()
      return { environmentId, profileId: profile.id }
    }
    try {
      const { environment, profile } = sessions.authenticate(credential)
      return { environmentId: environment.id, profileId: profile.id }
    } catch (err) {
      if (!(err instanceof ApiError) || err.statusCode !== 401) throw err
      try {
        return { environmentId: environments.authenticateApiKey(credential).environment.id, profileId: undefined }
      } catch {
        throw err
      }
    }
  }

  // Parsed and validated documents by their text: an app sends the same few queries over and over,
  // and parsing plus validating a page query cost more than running it (docs/performance.md). The
  // answer depends on the text and the schema only, and the schema is built once.
  const checked = new Map<string, Checked>()
  function check (query: string): Checked {
    const known = checked.get(query)
    if (known) return known
    const { validate, specifiedRules, GraphQLError } = graphqlJs()
    const document = parseDocument(query)
    let outcome: Checked
    if (document instanceof Error) outcome = { errors: [document as GraphQLError] }
    else {
      // graphql-js's validation walks the document without recursion; the parser bounds what reaches it.
      const problems = validate(schema(), document, [...specifiedRules, maxDepthRule()])
      // graphql-js gives up on a document with too many fields to compare, and says only "Validation aborted.".
      outcome = problems.length > 0
        ? { errors: problems.map(e => e.message === 'Validation aborted.' ? new GraphQLError('Validation aborted: the operation repeats too many fields to check. Ask for fewer.') : e) }
        : { document, compiled: new Map() }
    }
    if (checked.size >= DOCUMENT_CACHE_SIZE) checked.clear()
    checked.set(query, outcome)
    return outcome
  }

  // Built on the first request that reads a profile (it needs the schema, which is loaded lazily).
  let sharedRoot: Record<string, unknown> | undefined

  let serializers: Record<string, (v: unknown) => unknown> | undefined
  /** The document's operation compiled by graphql-jit, once; null when graphql-jit cannot compile it. */
  function compiledOf (compiled: Map<string | null, CompiledQuery | null>, document: DocumentNode, operationName: string | null): CompiledQuery | null {
    let c = compiled.get(operationName)
    if (c === undefined) {
      const { compileQuery, isCompiledQuery } = graphqlJit()
      const out = compileQuery(compiledSchema(), document, operationName ?? undefined, { customSerializers: serializers ??= jitSerializers() })
      c = isCompiledQuery(out) ? out : null
      compiled.set(operationName, c)
    }
    return c
  }

  function prepare (request: GraphQLRequest): Prepared {
    const outcome = check(request.query)
    if ('errors' in outcome) return outcome
    return { document: outcome.document, operation: operationOf(outcome.document, request.operationName), compiled: outcome.compiled }
  }

  /** A resolver's unexpected error: Quiltt's errors keep their message and instruction, anything else becomes an errorId. */
  function answerable (result: ExecutionResult, options: ExecuteOptions): ExecutionResult {
    if (!result.errors) return result
    const { GraphQLError } = graphqlJs()
    return {
      ...result,
      errors: result.errors.map(e => {
        const original = e.originalError
        if (e.path === undefined || original === undefined || original instanceof GraphQLError) return e
        const at = { nodes: e.nodes ?? null, path: e.path }
        // A locked database file is the whole request's 503 (with Retry-After), as on every other route.
        if (isDatabaseBusy(original)) throw errors.databaseBusy()
        if (original instanceof ApiError) return new GraphQLError(original.message, { ...at, extensions: { instruction: original.instruction } })
        const errorId = ids.errorId()
        options.onInternalError?.(original, errorId)
        return new GraphQLError('Internal Server Error', { ...at, extensions: { errorId, instruction: 'This is a bug in quiltt-mock, not in your request. Search the log for the errorId.' } })
      })
    }
  }

  return {
    /**
     * Runs a request or a batch, answering one result per request in order. Whole-request problems
     * (credentials, a mutation over GET, an API key secret asking for data) are thrown as ApiErrors
     * before any operation runs, so a batch never runs in part.
     */
    async execute (requests: GraphQLRequest[], authorization: string | undefined, options: ExecuteOptions): Promise<ExecutionResult[]> {
      const viewer = viewerOf(authorization)
      // One operation is bounded by the parser's own limit; a batch by its total, before any of it is parsed.
      if (requests.length > 1 && tokensOf(requests.map(r => r.query)) > MAX_REQUEST_TOKENS) throw errors.graphqlTooLarge(requests.length, MAX_REQUEST_TOKENS)
      const prepared = requests.map(prepare)
      if (options.queriesOnly && prepared.some(p => 'document' in p && p.operation?.operation === 'mutation')) throw errors.graphqlMutationOverGet()
      const profileId = viewer.profileId
      if (profileId === undefined && !prepared.every(p => 'errors' in p || p.operation === undefined || readsSchemaOnly(p.document, p.operation.selectionSet))) {
        throw errors.apiKeyReadsSchemaOnly()
      }
      // The root value is shared by every request; who asks (and what the request has read) is the context.
      const root = profileId === undefined ? {} : (sharedRoot ??= rootValue(profiles))
      const context = profileId === undefined ? undefined : new BankScope(bank, viewer.environmentId, profileId)
      const results: ExecutionResult[] = []
      for (const [i, p] of prepared.entries()) {
        if ('errors' in p) { results.push({ errors: p.errors }); continue }
        if (p.operation?.operation === 'subscription') {
          results.push({ errors: [new (graphqlJs().GraphQLError)('Subscriptions are not emulated: Quiltt serves them over ActionCable at /websockets, which quiltt-mock does not.')] })
          continue
        }
        const request = requests[i]!
        const run = () => graphqlJs().execute({
          schema: schema(),
          document: p.document,
          rootValue: root,
          contextValue: context,
          variableValues: request.variables,
          operationName: request.operationName
        })
        let result: ExecutionResult | undefined
        if (p.operation?.operation === 'query') {
          // A query runs compiled (graphql-jit): graphql-js's executor spent half a page's CPU on its
          // per-field work (docs/performance.md). Only an answer without errors is kept: any error
          // (a variable, a resolver, a null) runs the query again with graphql-js, whose answer is
          // the one clients have always had. Queries only read, so running one twice changes nothing.
          const compiled = compiledOf(p.compiled, p.document, request.operationName)
          if (compiled) {
            const fast = await compiled.query(root, context, request.variables ?? {})
            if (!fast.errors) result = fast
          }
        }
        results.push(answerable(result ?? await run(), options))
      }
      return results
    }
  }
}

export type GraphQLService = ReturnType<typeof createGraphQLService>
