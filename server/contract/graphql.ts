/**
 * The Quiltt contract check for GraphQL: a pact interaction with /v1/graphql, read statically
 * against Quiltt's GraphQL schema (API version 2026-04-01), as check.ts reads the REST ones against
 * Quiltt's REST document, with the same findings and report.
 *
 * - The request: each operation sent (a JSON object, a batch array, or GET's query string) must be a
 *   GraphQL request whose query parses and validates against the schema, whose operationName picks
 *   one operation and whose variables fit its variable definitions; with credentials Quiltt takes.
 *   A pact that expects the error answer (a result with `errors` and no `data`, or a non-200 status)
 *   tests exactly that, so its request is not held against it.
 * - The answer (200): for each operation a GraphQL result (`data`, `errors`, `extensions`), whose
 *   `data` fits the query's selection set: every key a selected field or alias, every value of the
 *   field's type (scalars, enums, lists, nullability, the custom scalars). The selection set becomes a
 *   JSON schema, walked by check.ts's walker, so matching rules are honoured as for REST bodies.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLError, GraphQLField, GraphQLNamedType, GraphQLObjectType, GraphQLOutputType, GraphQLSchema, OperationDefinitionNode, SelectionNode } from 'graphql'
import { graphqlJs } from '../graphql/schema.js'
import { QUILTT_GRAPHQL_SCHEMA_PATH } from '../paths.js'
import { acceptedStatus, describeValue, walk, type Finding, type Location, type Walk } from './check.js'
import { keyword, type DocumentId, type Json, type JsonObject, type Part, type QuilttFacts } from './facts.js'
import { formatPath, type PactInteraction, type Step } from './pact.js'

/** The path Quiltt serves GraphQL on (api.quiltt.io/v1/graphql). */
export const GRAPHQL_PATH = /^\/v1\/graphql\/?$/
const API_VERSION = '2026-04-01'

export interface QuilttGraphQL {
  schema: GraphQLSchema
  /** The SDL file's name and SHA-256, and the API version it is. */
  document: DocumentId
}

let cached: QuilttGraphQL | undefined

/** Quiltt's GraphQL schema as quiltt-mock ships it (built once, on the first GraphQL interaction). */
export function loadQuilttGraphQL (): QuilttGraphQL {
  return (cached ??= readQuilttGraphQL(QUILTT_GRAPHQL_SCHEMA_PATH))
}

export function readQuilttGraphQL (path: string): QuilttGraphQL {
  const sdl = readFileSync(path, 'utf8')
  return {
    schema: graphqlJs().buildSchema(sdl),
    document: { source: basename(path), sourceSha256: createHash('sha256').update(sdl).digest('hex'), apiVersion: API_VERSION }
  }
}

export type GraphQLCheck = { operation: string, findings: Finding[] } | { skip: string }

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** check.ts's walker reads `$ref`s through a facts document; the schemas made here have none. */
const NO_FACTS: QuilttFacts = { 'x-facts': { source: '', sourceSha256: '', apiVersion: API_VERSION }, paths: {} }

const REQUEST_FIELDS = ['query', 'operationName', 'variables', 'extensions']
/**
 * Bounds on what the check reads of one query, so a runaway pact (fragments that fan out, a cycle a
 * validation error already reports) ends in a note instead of tying up `verify`: far above what an
 * app asks (Quiltt's template's queries are under 100 tokens and 5 levels).
 */
const MAX_TOKENS = 5_000
const MAX_FIELDS = 20_000
const MAX_DEPTH = 64
const SHAPE = 'a GraphQL request is a JSON object {query, operationName?, variables?, extensions?}, or an array of them (a batch)'

/** One GraphQL request of an interaction: the whole body, one element of a batch, or GET's query string. */
interface Sent {
  at: Location
  /** Where a part of it is: `$.query`, `$[1].variables.first`, or GET's `query`. */
  where: (...steps: Step[]) => string
  value: JsonObject
}

/** What one request asks, as far as the check could read it. */
interface Read {
  label: string
  /** Problems with the request: conflicts only if the pact expects the operation to succeed. */
  problems: Finding[]
  /** Findings that stand whatever the pact expects (notes). */
  notes: Finding[]
  /** The JSON schema of the result's `data`; undefined when it cannot be known (any value). */
  data?: JsonObject
}

export function checkGraphQLInteraction (graphql: QuilttGraphQL, it: PactInteraction): GraphQLCheck {
  const requests = sentRequests(it)
  if ('skip' in requests) return requests
  const operation = (labels: string[]): string => `${it.method} /v1/graphql (${requests.batch ? `batch: ${labels.join(', ')}` : labels[0] ?? 'no operation'})`
  const { accepts, text } = acceptedStatus(it)
  const status: Finding[] = accepts(200) || accepts(401)
    ? []
    : [{ kind: 'undocumented', at: 'response.status', path: '$', expected: text, documented: 'Quiltt\'s GraphQL API answers 200 (results, with any GraphQL errors in `errors`), and 401 for credentials it does not take' }]
  // A request that is no GraphQL request at all: a conflict where the pact expects results.
  if ('invalid' in requests) return { operation: operation([]), findings: [...requests.invalid.filter(f => f.kind !== 'conflict' || accepts(200)), ...status] }
  const reads = requests.sent.map(sent => readRequest(graphql.schema, sent, it.method))
  const findings: Finding[] = []
  const body = it.response.body
  const value = body.present && body.unreadable === undefined ? body.value : undefined
  const resultOf = (i: number): Json | undefined => requests.batch ? (Array.isArray(value) ? value[i] : undefined) : value
  // The error answer is what such a pact tests: a 401, or a result with errors and no data.
  const expectsSuccess = (i: number): boolean => {
    if (!accepts(200)) return false
    const result = resultOf(i)
    return !(isObject(result) && result.errors !== undefined && (result.data === undefined || result.data === null))
  }
  if (reads.some((_, i) => expectsSuccess(i))) findings.push(...checkCredentials(it))
  reads.forEach((read, i) => {
    findings.push(...read.notes)
    if (expectsSuccess(i)) findings.push(...read.problems)
  })
  if (accepts(200)) findings.push(...checkAnswer(graphql.schema, it, reads, requests.batch))
  findings.push(...status)
  return { operation: operation(reads.map(r => r.label)), findings }
}

// ---------------------------------------------------------------------------------------------
// The request

function sentRequests (it: PactInteraction): { sent: Sent[], batch: boolean } | { invalid: Finding[], batch: boolean } | { skip: string } {
  const conflict = (at: Location, path: string, expected: string, documented: string): { invalid: Finding[], batch: boolean } =>
    ({ invalid: [{ kind: 'conflict', at, path, expected, documented }], batch: false })
  if (it.method === 'GET') {
    const value: JsonObject = {}
    for (const name of REQUEST_FIELDS) {
      const given = it.query.get(name)?.[0]
      if (given === undefined) continue
      if (name === 'variables' || name === 'extensions') {
        try {
          value[name] = JSON.parse(given) as Json
        } catch {
          return conflict('request.query', name, `sends ${name}=${given.length > 40 ? `${given.slice(0, 37)}...` : given}`, `GraphQL over HTTP: ${name} is a JSON object, as text`)
        }
      } else {
        value[name] = given
      }
    }
    for (const name of it.query.keys()) if (!REQUEST_FIELDS.includes(name)) value[name] = it.query.get(name)![0]!
    return { sent: [{ at: 'request.query', where: (...steps) => formatPath(steps).slice(2), value }], batch: false }
  }
  if (it.method !== 'POST') return { skip: `Quiltt's GraphQL API is POST (and GET); ${it.method} is not checked` }
  const body = it.request.body
  if (!body.present) return conflict('request.body', '$', 'sends no body', SHAPE)
  if (body.unreadable !== undefined) return { invalid: [{ kind: 'undecided', at: 'request.body', path: '$', expected: 'a body the check cannot read', documented: `not compared: ${body.unreadable}` }], batch: false }
  const type = body.contentType?.split(';')[0]!.trim().toLowerCase()
  if (type === 'application/graphql' && typeof body.value === 'string') {
    return { sent: [{ at: 'request.body', where: () => '$', value: { query: body.value } }], batch: false }
  }
  if (type !== undefined && !/[/+]json$/.test(type)) {
    return { invalid: [{ kind: 'undecided', at: 'request.headers', path: 'Content-Type', expected: `sends a ${type} body`, documented: 'not compared: the check reads GraphQL requests sent as application/json (and application/graphql)' }], batch: false }
  }
  const value = body.value
  if (Array.isArray(value)) {
    if (value.length === 0) return { ...conflict('request.body', '$', 'sends an empty batch', SHAPE), batch: true }
    const invalid = value.flatMap((v, i): Finding[] => isObject(v) ? [] : [{ kind: 'conflict', at: 'request.body', path: formatPath([i]), expected: `sends ${describeValue(v)}`, documented: SHAPE }])
    if (invalid.length > 0) return { invalid, batch: true }
    return { sent: value.map((v, i) => ({ at: 'request.body', where: (...steps: Step[]) => formatPath([i, ...steps]), value: v as JsonObject })), batch: true }
  }
  if (isObject(value)) return { sent: [{ at: 'request.body', where: (...steps) => formatPath(steps), value }], batch: false }
  return conflict('request.body', '$', `sends ${describeValue(value ?? null)}`, SHAPE)
}

function readRequest (schema: GraphQLSchema, sent: Sent, method: string): Read {
  const js = graphqlJs()
  const { at, where, value } = sent
  const problem = (path: string, expected: string, documented: string): Finding => ({ kind: 'conflict', at, path, expected, documented })
  const read: Read = { label: 'an operation', problems: [], notes: [] }
  for (const key of Object.keys(value)) {
    if (!REQUEST_FIELDS.includes(key)) {
      read.notes.push({ kind: 'undocumented', at, path: where(key), expected: `sends a field \`${key}\``, documented: 'a GraphQL request has query, operationName, variables and extensions' })
    }
  }
  const { query, operationName, variables, extensions } = value
  if (query === undefined || query === null) {
    if (isObject(extensions) && extensions.persistedQuery !== undefined) {
      read.notes.push({ kind: 'undecided', at, path: where('extensions', 'persistedQuery'), expected: 'sends a persisted query (a hash, no query text)', documented: 'not compared: the check needs the query text' })
    } else {
      read.problems.push(problem(where('query'), 'sends no query', 'a GraphQL request needs `query`, the GraphQL document'))
    }
    return read
  }
  if (typeof query !== 'string') {
    read.problems.push(problem(where('query'), `sends ${describeValue(query)}`, '`query` is a string: the GraphQL document'))
    return read
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    read.problems.push(problem(where('operationName'), `sends ${describeValue(operationName)}`, '`operationName` is a string, or null'))
  }
  if (variables !== undefined && variables !== null && !isObject(variables)) {
    read.problems.push(problem(where('variables'), `sends ${describeValue(variables)}`, '`variables` is a JSON object, or null'))
  }
  let document: DocumentNode
  try {
    document = js.parse(query, { maxTokens: MAX_TOKENS })
  } catch (err) {
    const e = err as GraphQLError
    if (/Document contains more th(?:an|at) \d+ tokens/.test(e.message)) {
      read.notes.push({ kind: 'undecided', at, path: where('query'), expected: `sends a query of more than ${MAX_TOKENS} tokens`, documented: 'not compared: too large for the check' })
      return read
    }
    read.label = 'a query that does not parse'
    read.problems.push(problem(where('query'), `sends a query that does not parse${position(e)}`, `GraphQL's grammar: ${e.message.replace(/^Syntax Error: /, '')}`))
    return read
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === js.Kind.OPERATION_DEFINITION)
  const names = operations.map(o => o.name?.value ?? '(anonymous)')
  let op: OperationDefinitionNode | undefined
  if (typeof operationName === 'string') {
    op = operations.find(o => o.name?.value === operationName)
    if (!op) read.problems.push(problem(where('operationName'), `sends operationName ${JSON.stringify(operationName)}`, `the query has no operation of that name (it has ${names.join(', ') || 'none'})`))
  } else if (operations.length === 1) {
    op = operations[0]
  } else {
    read.problems.push(problem(where('operationName'), 'sends no operationName', operations.length === 0
      ? 'the query has no operation to run'
      : `the query has ${operations.length} operations (${names.join(', ')}): GraphQL runs the one operationName names`))
  }
  if (op) read.label = `${op.operation}${op.name ? ` ${op.name.value}` : ''}`
  const errors = js.validate(schema, document)
  for (const e of errors) {
    const node = e.nodes?.[0]
    const text = node ? excerpt(node) : undefined
    read.problems.push(problem(where('query'), text ? `sends \`${text}\`${position(e, ' of the query')}` : `sends a query Quiltt's schema rejects${position(e, ' of the query')}`, `Quiltt's GraphQL schema: ${e.message}`))
  }
  if (!op) return read
  if (op.operation === 'subscription') {
    read.notes.push({ kind: 'undecided', at, path: where('query'), expected: `sends ${read.label}`, documented: 'not compared: Quiltt serves subscriptions over ActionCable (websockets), not over HTTP' })
    return read
  }
  if (op.operation === 'mutation' && method === 'GET') {
    read.notes.push({ kind: 'undocumented', at, path: where('query'), expected: `sends ${read.label} in a GET request`, documented: 'GraphQL over HTTP runs mutations from POST only (quiltt-mock answers 405)' })
  }
  let coerced: Record<string, unknown> | undefined
  if (errors.length === 0) {
    const result = js.getVariableValues(schema, op.variableDefinitions ?? [], isObject(variables) ? variables : {})
    if (result.errors) {
      for (const e of result.errors) {
        const name = /Variable "\$([^"]+)"/.exec(e.message)?.[1]
        const given = name !== undefined && isObject(variables) && Object.hasOwn(variables, name) ? variables[name] : undefined
        read.problems.push(problem(name === undefined ? where('variables') : where('variables', name), given === undefined ? `sends no \`${name ?? 'variables'}\`` : `sends ${describeValue(given)}`, `Quiltt's GraphQL schema: ${e.message}`))
      }
    } else {
      coerced = result.coerced
    }
  }
  const root = op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType()
  if (root) {
    const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === js.Kind.FRAGMENT_DEFINITION).map(f => [f.name.value, f]))
    const selection = new Selection(schema, fragments, coerced)
    const data = selection.object(root, [op.selectionSet.selections], true, `data of ${read.label}`, 0)
    if (selection.exhausted) {
      read.notes.push({ kind: 'undecided', at, path: where('query'), expected: `sends ${read.label}, selecting more than ${MAX_FIELDS} fields or ${MAX_DEPTH} levels`, documented: 'not compared: its answer is too large for the check' })
    } else {
      read.data = data
    }
  }
  return read
}

function position (e: GraphQLError, of = ''): string {
  const at = e.locations?.[0]
  return at ? ` (line ${at.line}, column ${at.column}${of})` : ''
}

/** The query's text at a node, for people: a field's name, an argument, a fragment's head. */
function excerpt (node: NonNullable<GraphQLError['nodes']>[number]): string | undefined {
  const loc = node.loc
  if (!loc) return undefined
  const first = loc.source.body.slice(loc.start, loc.end).split('\n')[0]!.replace(/\s*\{\s*$/, '').trim()
  return first.length > 60 ? `${first.slice(0, 57)}...` : first
}

function checkCredentials (it: PactInteraction): Finding[] {
  const auth = it.request.headers.get('authorization')
  const scheme = auth?.value.trim().split(/\s+/)[0]?.toLowerCase()
  if (scheme === 'bearer' || scheme === 'basic') return []
  return [{
    kind: 'conflict',
    at: 'request.headers',
    path: auth?.name ?? 'Authorization',
    expected: auth ? `sends Authorization: ${auth.value.split(/\s+/)[0]} ...` : 'sends no Authorization header',
    documented: 'Quiltt\'s GraphQL API takes Authorization: Bearer <session token>, or Basic base64(<profileId>:<API key secret>), and answers anything else with a 401'
  }]
}

// ---------------------------------------------------------------------------------------------
// The answer

const ERRORS: JsonObject = {
  type: 'array',
  minItems: 1,
  'x-graphql-describe': 'a list of GraphQL errors (at least one when present)',
  items: {
    type: 'object',
    'x-graphql-error': true,
    'x-graphql-describe': 'a GraphQL error: {message, locations?, path?, extensions?}',
    properties: {
      message: { type: 'string' },
      locations: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 } } } },
      path: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
      extensions: { type: 'object' }
    }
  }
}

function resultSchema (data: JsonObject | undefined): JsonObject {
  return {
    type: 'object',
    'x-graphql-result': true,
    'x-graphql-describe': 'a GraphQL result: an object of data, errors and extensions',
    properties: { data: data ?? {}, errors: ERRORS, extensions: { type: 'object', 'x-graphql-describe': 'a map (extensions)' } },
    additionalProperties: false
  }
}

function checkAnswer (schema: GraphQLSchema, it: PactInteraction, reads: Read[], batch: boolean): Finding[] {
  const body = it.response.body
  const type = body.contentType?.split(';')[0]!.trim().toLowerCase()
  if (type !== undefined && !/[/+]json$/.test(type)) {
    return [{ kind: 'conflict', at: 'response.headers', path: 'Content-Type', expected: `a ${type} body`, documented: 'Quiltt\'s GraphQL API answers application/json' }]
  }
  if (!body.present) return []
  if (body.unreadable !== undefined) return [{ kind: 'undecided', at: 'response.body', path: '$', expected: 'a body the check cannot read', documented: `not compared: ${body.unreadable}` }]
  if (it.response.bodyRules.unreadable.length > 0) {
    return it.response.bodyRules.unreadable.map(expression => ({ kind: 'undecided', at: 'response.body', path: expression, expected: `a matching rule on ${expression}`, documented: 'not compared: the check reads rule paths made of names, indexes and *, so this body was not checked' }))
  }
  const w: Walk = {
    facts: NO_FACTS,
    side: 'response',
    at: 'response.body',
    rules: it.response.bodyRules,
    generators: it.response.bodyGenerators,
    base: [],
    fieldLabel,
    noField: (parts, key) => noField(schema, parts, key),
    narrow,
    examplesAsValues: true
  }
  const value = body.value!
  if (!batch) return walk(w, value, resultSchema(reads[0]?.data), [], '')
  const answer = `a batch of ${reads.length} operation${reads.length === 1 ? ' is' : 's is'} answered with an array of ${reads.length} result${reads.length === 1 ? '' : 's'}, in order`
  if (!Array.isArray(value)) return [{ kind: 'conflict', at: 'response.body', path: '$', expected: describeValue(value), documented: answer }]
  const findings: Finding[] = []
  const ruled = it.response.bodyRules.select([], { cascade: false }) !== undefined
  if (value.length > reads.length || (value.length < reads.length && !ruled)) {
    findings.push({ kind: 'conflict', at: 'response.body', path: '$', expected: describeValue(value), documented: answer })
  }
  value.slice(0, reads.length).forEach((result, i) => findings.push(...walk(w, result, resultSchema(reads[i]!.data), [i], '')))
  return findings
}

/**
 * An abstract type's value whose `__typename` names its type is held to that type's branch (else a
 * fragment's fields on another type could pass as this one's); without one, to any branch.
 */
function narrow (value: Json, options: Part[][]): Part[][] {
  if (!isObject(value)) return options
  const named = options.filter(parts => {
    const properties = keyword(parts, 'properties')
    if (!isObject(properties)) return false
    return Object.entries(properties).some(([key, p]) => isObject(p) && p['x-graphql-typename'] === true && Array.isArray(p.enum) && typeof value[key] === 'string' && p.enum.includes(value[key]))
  })
  return named.length > 0 ? named : options
}

/** `Balance.current`, `Account.balance (as bal)`: a selected field, named by its type and field. */
function fieldLabel (parts: Part[], key: string): string | undefined {
  const type = keyword(parts, 'x-graphql-type')
  if (typeof type === 'string') {
    const fields = keyword(parts, 'x-graphql-fields')
    const name = isObject(fields) && typeof fields[key] === 'string' ? fields[key] : key
    return name === key ? `${type}.${key}` : `${type}.${name} (as ${key})`
  }
  if (keyword(parts, 'x-graphql-result') === true) return key
  return undefined
}

function noField (schema: GraphQLSchema, parts: Part[], key: string): string | undefined {
  const type = keyword(parts, 'x-graphql-type')
  if (typeof type === 'string') {
    const properties = keyword(parts, 'properties')
    const selected = isObject(properties) ? Object.keys(properties) : []
    const named = schema.getType(type)
    const fields = named && 'getFields' in named ? (named.getFields() as Record<string, unknown>) : {}
    const selects = selected.length > 0 ? `it selects ${selected.join(', ')}` : 'it selects nothing there'
    return Object.hasOwn(fields, key)
      ? `the query does not select \`${key}\` on ${type} (${selects})`
      : `${type} has no field \`${key}\` in Quiltt's GraphQL schema, and the query does not select it (${selects})`
  }
  if (keyword(parts, 'x-graphql-result') === true) return 'a GraphQL result has only `data`, `errors` and `extensions`'
  if (keyword(parts, 'x-graphql-error') === true) return 'a GraphQL error has `message`, `locations`, `path` and `extensions`; the GraphQL spec asks services to add nothing else'
  return undefined
}

// ---------------------------------------------------------------------------------------------
// A selection set as the JSON schema of its answer

const SCALARS: Record<string, { schema: JsonObject, says: string }> = {
  String: { schema: { type: 'string' }, says: 'a string' },
  ID: { schema: { type: 'string' }, says: 'a string; GraphQL writes IDs as strings' },
  Int: { schema: { type: 'integer', minimum: -2147483648, maximum: 2147483647 }, says: 'a 32-bit integer' },
  Float: { schema: { type: 'number' }, says: 'a number' },
  Boolean: { schema: { type: 'boolean' }, says: 'a boolean' },
  Date: { schema: { type: 'string', format: 'date' }, says: 'a date, YYYY-MM-DD' },
  DateTime: { schema: { type: 'string', format: 'date-time' }, says: 'an ISO 8601 date and time' },
  URL: { schema: { type: 'string', format: 'graphql-URL' }, says: 'an absolute URL' },
  BigInt: { schema: { oneOf: [{ type: 'string', format: 'graphql-BigInt' }, { type: 'integer' }] }, says: 'an integer, written as a string of digits (or a number)' },
  JSON: { schema: {}, says: 'any JSON value' }
}

const list = (values: string[]): string => values.length > 12
  ? `one of ${values.slice(0, 10).map(v => JSON.stringify(v)).join(', ')}, ... (${values.length} values)`
  : `one of ${values.map(v => JSON.stringify(v)).join(', ')}`

/** Sets `nullable` where check.ts's walker reads it: on the schema, or on each of its branches. */
function withNull (schema: JsonObject, nullable: boolean): JsonObject {
  if (!nullable) return schema
  if (Array.isArray(schema.oneOf)) return { ...schema, oneOf: schema.oneOf.map(b => isObject(b) ? withNull(b, true) : b) }
  return typeof schema.type === 'string' ? { ...schema, nullable: true } : schema
}

class Selection {
  private budget = MAX_FIELDS
  /** Set when the selection went over MAX_FIELDS or MAX_DEPTH: the schema made is then incomplete. */
  exhausted = false

  constructor (
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    /** The operation's variables, coerced; undefined when they could not be (then @skip/@include on a variable may go either way). */
    private readonly variables: Record<string, unknown> | undefined
  ) {}

  /** The schema of a value of `type`, answering the fields `nodes` select on it. */
  output (type: GraphQLOutputType, nodes: readonly FieldNode[], depth: number, nullable = true): JsonObject {
    const js = graphqlJs()
    if (js.isNonNullType(type)) return this.output(type.ofType, nodes, depth, false)
    const name = `${String(type)}${nullable ? '' : '!'}`
    const orNull = nullable ? ', or null' : ''
    if (js.isListType(type)) {
      return withNull({ type: 'array', items: this.output(type.ofType, nodes, depth), 'x-graphql-describe': `${name} (a list${orNull})` }, nullable)
    }
    if (js.isEnumType(type)) {
      const values = type.getValues().map(v => v.name)
      return withNull({ type: 'string', enum: values, 'x-graphql-describe': `${name} (${list(values)}${orNull})` }, nullable)
    }
    if (js.isScalarType(type)) {
      const known = SCALARS[type.name] ?? { schema: {}, says: 'any value (a custom scalar the check does not know)' }
      return withNull({ ...known.schema, 'x-graphql-describe': `${name} (${known.says}${orNull})` }, nullable)
    }
    return this.object(type as GraphQLNamedType, nodes.flatMap(n => n.selectionSet ? [n.selectionSet.selections] : []), nullable, name, depth + 1)
  }

  /** An object, interface or union type's value; an abstract type's is one branch per shape its possible types answer. */
  object (type: GraphQLNamedType, selections: Array<readonly SelectionNode[]>, nullable: boolean, name: string, depth: number): JsonObject {
    const js = graphqlJs()
    if (depth > MAX_DEPTH) this.exhausted = true
    if (this.exhausted) return {}
    const orNull = nullable ? ', or null' : ''
    const possible: readonly GraphQLObjectType[] = js.isAbstractType(type) ? this.schema.getPossibleTypes(type) : js.isObjectType(type) ? [type] : []
    // Possible types the selection treats alike give one branch, whose __typename is any of their names.
    const shapes = new Map<string, { schema: JsonObject, types: GraphQLObjectType[] }>()
    for (const o of possible) {
      const schema = this.fields(o, selections, depth)
      const key = possible.length === 1 ? '' : JSON.stringify({ ...schema, 'x-graphql-type': null })
      const shape = shapes.get(key)
      if (shape) shape.types.push(o)
      else shapes.set(key, { schema, types: [o] })
    }
    const branches = [...shapes.values()].map(({ schema, types }) => {
      const names = types.map(t => t.name)
      const properties = { ...(schema.properties as JsonObject) }
      for (const [key, value] of Object.entries(properties)) {
        if (isObject(value) && value['x-graphql-typename'] === true) {
          properties[key] = { ...value, enum: names, 'x-graphql-describe': `String! (the type's name: ${list(names)})` }
        }
      }
      const own = types.length === 1 ? types[0]!.name : type.name
      return withNull({
        ...schema,
        properties,
        'x-graphql-type': own,
        'x-graphql-describe': `${name} (${types.length === 1 ? `a ${own} object` : `an object of type ${names.join(', ')}`}${orNull})`
      }, nullable)
    })
    if (branches.length === 1) return branches[0]!
    return withNull({ oneOf: branches, 'x-graphql-describe': `${name} (an object of one of its ${possible.length} types${orNull})` }, nullable)
  }

  /** The fields selected on the object type `o`, by response key (aliases), as the GraphQL spec collects them. */
  private fields (o: GraphQLObjectType, selections: Array<readonly SelectionNode[]>, depth: number): JsonObject {
    const js = graphqlJs()
    const collected = new Map<string, FieldNode[]>()
    const visited = new Set<string>()
    for (const s of selections) this.collect(o, s, collected, visited)
    const properties: JsonObject = {}
    const names: JsonObject = {}
    for (const [key, nodes] of collected) {
      if (--this.budget < 0) this.exhausted = true
      if (this.exhausted) break
      const field = nodes[0]!.name.value
      names[key] = field
      if (field === '__typename') {
        // Its enum is set per branch (object()): possible types that differ only in their name share one.
        properties[key] = { type: 'string', 'x-graphql-typename': true }
        continue
      }
      const meta: GraphQLField<unknown, unknown> | undefined = o === this.schema.getQueryType()
        ? (field === '__schema' ? js.SchemaMetaFieldDef : field === '__type' ? js.TypeMetaFieldDef : undefined)
        : undefined
      const def = meta ?? o.getFields()[field]
      // A field Quiltt's schema does not have is the request's conflict; its value is not judged again.
      properties[key] = def ? this.output(def.type, nodes, depth) : { 'x-graphql-describe': `not a field of ${o.name} in Quiltt's GraphQL schema` }
    }
    return { type: 'object', properties, additionalProperties: false, 'x-graphql-type': o.name, 'x-graphql-fields': names }
  }

  private collect (o: GraphQLObjectType, selections: readonly SelectionNode[], into: Map<string, FieldNode[]>, visited: Set<string>): void {
    const js = graphqlJs()
    for (const s of selections) {
      if (!this.included(s)) continue
      if (s.kind === js.Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value
        into.set(key, [...(into.get(key) ?? []), s])
      } else if (s.kind === js.Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || this.applies(o, s.typeCondition.name.value)) this.collect(o, s.selectionSet.selections, into, visited)
      } else {
        const name = s.name.value
        if (visited.has(name)) continue
        visited.add(name)
        const fragment = this.fragments.get(name)
        if (fragment && this.applies(o, fragment.typeCondition.name.value)) this.collect(o, fragment.selectionSet.selections, into, visited)
      }
    }
  }

  private applies (o: GraphQLObjectType, condition: string): boolean {
    const js = graphqlJs()
    const type = this.schema.getType(condition)
    if (!type) return false
    return type === o || (js.isAbstractType(type) && this.schema.isSubType(type, o))
  }

  /** @skip and @include, with literal or variable conditions; one that cannot be known keeps the field (it may be there). */
  private included (s: SelectionNode): boolean {
    const js = graphqlJs()
    for (const d of s.directives ?? []) {
      const skip = d.name.value === 'skip'
      if (!skip && d.name.value !== 'include') continue
      const condition = d.arguments?.find(a => a.name.value === 'if')?.value
      const value = condition?.kind === js.Kind.BOOLEAN ? condition.value : condition?.kind === js.Kind.VARIABLE ? this.variables?.[condition.name.value] : undefined
      if (typeof value !== 'boolean') continue
      if (skip === value) return false
    }
    return true
  }
}
