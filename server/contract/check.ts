/**
 * The Quiltt contract check: each interaction of a consumer pact, read statically against Quiltt's
 * published REST document (facts only). A pure function of the pact and the document.
 *
 * - `conflict`: no answer Quiltt documents can satisfy what the pact expects there (a field
 *   Quiltt's schema forbids, a type or format it contradicts, a documented status with another body
 *   shape), or the pact sends a request Quiltt's schema rejects while expecting success.
 * - `undocumented`: the pact relies on a status, field or header Quiltt's document does not mention.
 * - `undecided`: the check cannot tell (a regex outside what finite automata express, a matcher
 *   whose pattern is not comparable with the document's format, an encoded body).
 *
 * Only operations Quiltt's document describes are checked, matched by method and path; and GraphQL
 * operations sent to /v1/graphql, against Quiltt's GraphQL schema (graphql.ts).
 */
import {
  allowedTypes, allowedValues, alternatives, deref, describeSchema, documentId, findOperation, jsonTypeOf, keyword, loadQuilttFacts,
  SESSION_ANSWERS, SESSION_PATH, USER_SESSION_REF, type DocumentedOperation, type DocumentId, type Json, type JsonObject, type Part, type QuilttFacts
} from './facts.js'
import { FORMATS, fullMatch, literalRegex, pactMatcherRegex, pactRegex, regexOverlaps, SCALARS, SEMVER } from './formats.js'
import { checkGraphQLInteraction, GRAPHQL_PATH, loadQuilttGraphQL, type QuilttGraphQL } from './graphql.js'
import { formatPath, type Matcher, type PactInteraction, type PactMessage, readPact, ruleList, RuleSet, type Step } from './pact.js'

export type FindingKind = 'conflict' | 'undocumented' | 'undecided'
export type Location = 'request.headers' | 'request.query' | 'request.body' | 'response.status' | 'response.headers' | 'response.body'

export interface Finding {
  kind: FindingKind
  /** Which part of the interaction. */
  at: Location
  /** Where in it: a JSONPath into a body (`$.id`), a header's or query parameter's name, `$` for the status. */
  path: string
  /** What the pact expects (or sends) there. */
  expected: string
  /** What Quiltt's document says there. */
  documented: string
}

export interface InteractionCheck {
  /** 0-based position in the pact's interactions. */
  index: number
  description: string
  providerStates: string[]
  method: string
  path: string
  status: number | null
  /**
   * The documented operation it was checked against, `POST /v1/users/sessions`; for GraphQL the
   * operations sent, `POST /v1/graphql (query AccountsQuery)`; null when not checked.
   */
  operation: string | null
  checked: boolean
  /** Why it was not checked. */
  reason?: string
  findings: Finding[]
}

export interface CheckSummary {
  interactions: number
  checked: number
  notChecked: number
  conflicts: number
  undocumented: number
  undecided: number
}

export interface QuilttContractCheck {
  /** The document used: source file name, its SHA-256, Quiltt's API version (a date). */
  document: DocumentId
  /** Quiltt's GraphQL schema, when an interaction with /v1/graphql was checked against it. */
  graphqlDocument?: DocumentId
  consumer?: string
  provider?: string
  specification: string
  interactions: InteractionCheck[]
  summary: CheckSummary
}

/**
 * The library call, for users who verify with their own Pact setup: a pact (parsed JSON, or its
 * text) against the Quiltt document that ships with quiltt-mock. Throws when it is not a pact.
 */
export function checkPactAgainstQuiltt (pact: unknown): QuilttContractCheck {
  return checkPact(typeof pact === 'string' ? JSON.parse(pact) as unknown : pact, loadQuilttFacts())
}

/**
 * Checks a parsed pact (v1 to v4 JSON) against a facts document, and its GraphQL interactions
 * against Quiltt's GraphQL schema (read on first need: most pacts have none).
 */
export function checkPact (pact: unknown, facts: QuilttFacts, graphql: () => QuilttGraphQL = loadQuilttGraphQL): QuilttContractCheck {
  const parsed = readPact(pact)
  let used: QuilttGraphQL | undefined
  const schema = (): QuilttGraphQL => (used ??= graphql())
  const interactions = parsed.interactions.map(it => checkInteraction(facts, it, schema))
  return {
    document: documentId(facts),
    ...(used ? { graphqlDocument: used.document } : {}),
    ...(parsed.consumer !== undefined ? { consumer: parsed.consumer } : {}),
    ...(parsed.provider !== undefined ? { provider: parsed.provider } : {}),
    specification: parsed.specification,
    interactions,
    summary: summarize(interactions)
  }
}

export function summarize (interactions: InteractionCheck[]): CheckSummary {
  const findings = interactions.flatMap(i => i.findings)
  const count = (kind: FindingKind): number => findings.filter(f => f.kind === kind).length
  const checked = interactions.filter(i => i.checked).length
  return { interactions: interactions.length, checked, notChecked: interactions.length - checked, conflicts: count('conflict'), undocumented: count('undocumented'), undecided: count('undecided') }
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

// A passwordless interaction, checked as the UserSession its success answers (facts.ts' SESSION_ANSWERS) and nothing else.
function sessionAnswer (method: string, { status, security }: { status: number, security: Json[] }): DocumentedOperation {
  const body = { content: { 'application/json': { schema: { $ref: USER_SESSION_REF } } } }
  return { method, path: SESSION_PATH, operation: { security, responses: { [status]: body } } }
}

function checkInteraction (facts: QuilttFacts, it: PactInteraction, graphql: () => QuilttGraphQL): InteractionCheck {
  const base = {
    index: it.index,
    description: it.description,
    providerStates: it.providerStates,
    method: it.method,
    path: it.path,
    status: it.response.status ?? null
  }
  const skip = (reason: string): InteractionCheck => ({ ...base, operation: null, checked: false, reason, findings: [] })
  if (it.type !== undefined && it.type !== 'Synchronous/HTTP') return skip(`a ${it.type} interaction: Quiltt's document describes HTTP only`)
  if (!it.method || !it.path) return skip('it has no request method and path')
  if (GRAPHQL_PATH.test(it.path)) {
    const checked = checkGraphQLInteraction(graphql(), it)
    return 'skip' in checked ? skip(checked.skip) : { ...base, operation: checked.operation, checked: true, findings: checked.findings }
  }
  const lookup = findOperation(facts, it.method, it.path)
  let op = lookup.found
  if (!op) {
    const session = /^\/v1\/users\/session\/?$/.test(it.path) ? SESSION_ANSWERS[it.method.toUpperCase()] : undefined
    if (session && acceptedStatus(it).accepts(session.status)) op = sessionAnswer(it.method.toUpperCase(), session)
    else if (session) return skip(`Quiltt's document does not describe ${it.method.toUpperCase()} /v1/users/session; only its ${session.status} body, a UserSession, is checked`)
    else if (it.path.startsWith('/emulator/')) return skip('the emulator\'s own API, not Quiltt\'s')
    else {
      const pathMethods = 'pathMethods' in lookup ? lookup.pathMethods : []
      return skip(pathMethods.length > 0
        ? `Quiltt's document describes ${it.path} only for ${pathMethods.join(', ')}`
        : `Quiltt's document does not describe ${it.path}`)
    }
  }
  const { findings: responseFindings, success } = checkResponse(facts, it, op)
  const findings = [...checkRequest(facts, it, op, success), ...responseFindings]
  return { ...base, operation: `${op.method} ${op.path}`, checked: true, findings }
}

// ---------------------------------------------------------------------------------------------
// Status and response

const STATUS_CLASSES: Record<string, (s: number) => boolean> = {
  information: s => s >= 100 && s < 200,
  success: s => s >= 200 && s < 300,
  redirect: s => s >= 300 && s < 400,
  clientError: s => s >= 400 && s < 500,
  serverError: s => s >= 500 && s < 600,
  nonError: s => s < 400,
  error: s => s >= 400
}

/** The statuses the pact accepts: its status, or what a v4 `statusCode` matcher allows. */
export function acceptedStatus (it: PactInteraction): { accepts: (s: number) => boolean, text: string } {
  const m = it.response.statusRule?.matchers.find(x => x.match === 'statusCode')
  if (m) {
    const status = m.status
    if (Array.isArray(status)) return { accepts: s => status.map(Number).includes(s), text: `status ${status.join(' or ')} (statusCode matcher)` }
    const test = STATUS_CLASSES[String(status)]
    if (test) return { accepts: test, text: `a ${String(status)} status (statusCode matcher)` }
  }
  const status = it.response.status ?? 200
  return { accepts: s => s === status, text: `status ${status}` }
}

function checkResponse (facts: QuilttFacts, it: PactInteraction, op: DocumentedOperation): { findings: Finding[], success: boolean } {
  const responses = isObject(op.operation.responses) ? op.operation.responses : {}
  const documented = Object.keys(responses)
  const { accepts, text } = acceptedStatus(it)
  const success = Array.from({ length: 100 }, (_, i) => 200 + i).some(accepts)
  const candidates = documented.filter(key => {
    if (/^\d{3}$/.test(key)) return accepts(Number(key))
    const range = /^([1-5])XX$/i.exec(key)
    return range ? Array.from({ length: 100 }, (_, i) => Number(range[1]) * 100 + i).some(accepts) : false
  })
  if (candidates.length === 0 && responses.default !== undefined) candidates.push('default')
  if (candidates.length === 0) {
    return {
      success,
      findings: [{
        kind: 'undocumented',
        at: 'response.status',
        path: '$',
        expected: text,
        documented: `lists ${documented.join(', ') || 'no statuses'} for ${op.method} ${op.path}`
      }]
    }
  }
  const results = candidates.map(key => checkDocumentedResponse(facts, it.response, key, isObject(responses[key]) ? responses[key] : {}))
  return { success, findings: closest(results, candidates.length, 'statuses') }
}

function mediaType (contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]!.trim().toLowerCase() || undefined
}

function checkDocumentedResponse (facts: QuilttFacts, response: PactMessage, status: string, documented: JsonObject): Finding[] {
  const findings: Finding[] = []
  const content = isObject(documented.content) ? documented.content : {}
  const mediaTypes = Object.keys(content)
  const pactType = mediaType(response.body.contentType)
  const typeFits = pactType === undefined || mediaTypes.length === 0 || mediaTypes.some(m => m.toLowerCase() === pactType)
  if (!typeFits) {
    findings.push({ kind: 'conflict', at: 'response.headers', path: 'Content-Type', expected: `a ${pactType} body`, documented: `${status} is ${mediaTypes.join(' or ')}` })
  }
  const body = response.body
  if (body.present && typeFits) {
    if (body.unreadable !== undefined) {
      findings.push({ kind: 'undecided', at: 'response.body', path: '$', expected: 'a body the check cannot read', documented: `not compared: ${body.unreadable}` })
    } else if (mediaTypes.length === 0) {
      if (body.value !== '' && body.value !== null) {
        findings.push({ kind: 'conflict', at: 'response.body', path: '$', expected: describeValue(body.value!), documented: `${status} has no body` })
      }
    } else if (body.value === '') {
      findings.push({ kind: 'conflict', at: 'response.body', path: '$', expected: 'an empty body', documented: `${status} has a body: ${describeSchema(alternatives(facts, schemaOf(content, pactType))[0]!)}` })
    } else if (response.bodyRules.unreadable.length > 0) {
      for (const expression of response.bodyRules.unreadable) {
        findings.push({ kind: 'undecided', at: 'response.body', path: expression, expected: `a matching rule on ${expression}`, documented: 'not compared: the check reads rule paths made of names, indexes and *, so this body was not checked' })
      }
    } else {
      const schema = schemaOf(content, pactType)
      findings.push(...walk({ facts, side: 'response', at: 'response.body', rules: response.bodyRules, generators: response.bodyGenerators, base: [] }, body.value!, schema, [], rootLabel(facts, schema, `the ${status} body`)))
    }
  }
  const headers = isObject(documented.headers) ? documented.headers : {}
  for (const [lower, { name, value }] of response.headers) {
    if (lower === 'content-type') continue
    const key = Object.keys(headers).find(h => h.toLowerCase() === lower)
    if (key === undefined) {
      const listed = Object.keys(headers)
      findings.push({ kind: 'undocumented', at: 'response.headers', path: name, expected: `a ${name} header`, documented: `mentions ${listed.length > 0 ? `only ${listed.join(', ')}` : 'no headers'} for ${status}` })
      continue
    }
    const header = headers[key]
    const schema = isObject(header) ? header.schema : undefined
    findings.push(...checkHeader(facts, 'response.headers', name, value, schema, response.headerRules.get(lower)?.matchers ?? [{ match: response.headerGenerators.has(lower) ? 'type' : 'equality' }]))
  }
  return findings
}

function schemaOf (content: JsonObject, pactType: string | undefined): Json | undefined {
  const key = Object.keys(content).find(k => k.toLowerCase() === pactType) ?? Object.keys(content).find(k => /json/i.test(k)) ?? Object.keys(content)[0]
  const media = key === undefined ? undefined : content[key]
  return isObject(media) ? media.schema : undefined
}

/** Of several documented possibilities (statuses, schema branches), the findings of the closest one. */
function closest (results: Finding[][], of: number, what: string): Finding[] {
  const score = (f: Finding[]): number[] => (['conflict', 'undocumented', 'undecided'] as const).map(k => f.filter(x => x.kind === k).length)
  let best = results[0]!
  for (const r of results.slice(1)) {
    const a = score(r)
    const b = score(best)
    const i = a.findIndex((v, j) => v !== b[j])
    if (i >= 0 && a[i]! < b[i]!) best = r
  }
  if (of > 1 && best.some(f => f.kind === 'conflict')) {
    return best.map(f => f.kind === 'conflict' ? { ...f, documented: `${f.documented} (the closest of the ${of} ${what} Quiltt documents here)` } : f)
  }
  return best
}

// ---------------------------------------------------------------------------------------------
// Request

/**
 * What the pact sends, as the provider receives it in verification: the literal example, matchers
 * aside. Only checked when the pact expects success: a request Quiltt rejects is exactly what a
 * pact expecting 401 or 422 tests.
 */
function checkRequest (facts: QuilttFacts, it: PactInteraction, op: DocumentedOperation, success: boolean): Finding[] {
  if (!success) return []
  const findings: Finding[] = []
  const security = Array.isArray(op.operation.security) ? op.operation.security : facts.security ?? []
  const schemes = security.filter(isObject).map(requirement => Object.keys(requirement))
  if (schemes.length > 0 && !schemes.some(names => names.length === 0)) {
    const defined = schemes.flat().map(name => ({ name, scheme: facts.components?.securitySchemes?.[name] }))
    const http = defined.filter(d => d.scheme?.type === 'http' && typeof d.scheme.scheme === 'string')
    if (http.length === defined.length) {
      const wanted = http.map(d => `${cap(String(d.scheme!.scheme))} (${d.name})`)
      const auth = it.request.headers.get('authorization')
      const scheme = auth?.value.trim().split(/\s+/)[0]?.toLowerCase()
      if (!http.some(d => String(d.scheme!.scheme).toLowerCase() === scheme)) {
        findings.push({
          kind: 'conflict',
          at: 'request.headers',
          path: 'Authorization',
          expected: auth ? `sends Authorization: ${auth.value.split(/\s+/)[0]} ...` : 'sends no Authorization header',
          documented: `requires Authorization: ${wanted.join(' or ')}`
        })
      }
    }
  }
  const requestBody = isObject(op.operation.requestBody) ? op.operation.requestBody : undefined
  const body = it.request.body
  if (!requestBody) return findings
  const content = isObject(requestBody.content) ? requestBody.content : {}
  const mediaTypes = Object.keys(content)
  const pactType = mediaType(body.contentType)
  if (!body.present) {
    if (requestBody.required === true) findings.push({ kind: 'conflict', at: 'request.body', path: '$', expected: 'sends no body', documented: `requires a ${mediaTypes.join(' or ')} body` })
    return findings
  }
  if (pactType !== undefined && mediaTypes.length > 0 && !mediaTypes.some(m => m.toLowerCase() === pactType)) {
    findings.push({ kind: 'conflict', at: 'request.headers', path: 'Content-Type', expected: `sends a ${pactType} body`, documented: `takes ${mediaTypes.join(' or ')}` })
    return findings
  }
  if (body.unreadable !== undefined) {
    findings.push({ kind: 'undecided', at: 'request.body', path: '$', expected: 'a body the check cannot read', documented: `not compared: ${body.unreadable}` })
    return findings
  }
  const schema = schemaOf(content, pactType)
  findings.push(...walk({ facts, side: 'request', at: 'request.body', generators: it.request.bodyGenerators, base: [] }, body.value!, schema, [], rootLabel(facts, schema, 'the request body')))
  return findings
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()

// ---------------------------------------------------------------------------------------------
// Bodies: the pact's value and its matching rules against the documented schema

export interface Walk {
  facts: QuilttFacts
  side: 'request' | 'response'
  at: Location
  /** Response matching rules; requests are compared as sent (their rules only serve the consumer's mock). */
  rules?: RuleSet
  generators: RuleSet
  /** Where `rules` are rooted: an arrayContains variant's rules are relative to its element. */
  base: Step[]
  /** How a field of an object is named in messages (default `<label>.<key>`); GraphQL names the type's field. */
  fieldLabel?: (parts: Part[], key: string, label: string) => string | undefined
  /** What the document says of a field it forbids (default: the schema's fields); GraphQL names the selection. */
  noField?: (parts: Part[], key: string) => string | undefined
  /**
   * Whether a matcher's example must itself be a value the document allows (GraphQL): the consumer's
   * own tests ran against it, so an example Quiltt could never send is a conflict even when the
   * matcher, as the verifier applies it, could be satisfied.
   */
  examplesAsValues?: boolean
  /** Which of a schema's alternatives a value can be (GraphQL: the one its `__typename` names); default all. */
  narrow?: (value: Json, options: Part[][]) => Part[][]
}

/** `label` names the documented value in messages: `UserSession.userId`, `the 201 body`. */
export function walk (w: Walk, value: Json, schema: Json | undefined, path: Step[], label: string): Finding[] {
  const all = alternatives(w.facts, schema)
  const options = all.length > 1 && w.narrow ? w.narrow(value, all) : all
  return closest(options.map(parts => checkNode(w, value, parts, path, label)), options.length, 'shapes')
}

/** The label of a body's root: the component its schema is, else what it is. */
function rootLabel (facts: QuilttFacts, schema: Json | undefined, otherwise: string): string {
  return deref(facts, schema).name ?? otherwise
}

/** How a value's children are compared once the value itself is. */
type Descend = 'none' | 'all' | 'values' | { variants: Array<{ index: number, rules: RuleSet }> }

interface Outcome { findings: Finding[], descend: Descend }

function checkNode (w: Walk, value: Json, parts: Part[], path: Step[], label: string): Finding[] {
  const relative = path.slice(w.base.length)
  const selected = w.rules?.select(relative)
  let matchers: Matcher[]
  let combine: 'AND' | 'OR' = 'AND'
  if (selected) {
    matchers = selected.inherited ? selected.rule.matchers.flatMap(cascaded) : selected.rule.matchers
    combine = selected.rule.combine
  } else {
    matchers = [{ match: w.generators.select(relative, { cascade: false }) ? 'type' : 'equality' }]
  }
  const outcomes = matchers.map(m => evaluate(w, value, parts, path, label, m))
  let chosen: Outcome[]
  if (combine === 'OR') {
    const fine = outcomes.filter(o => !o.findings.some(f => f.kind === 'conflict'))
    chosen = fine.length > 0 ? [fine.sort((a, b) => a.findings.length - b.findings.length)[0]!] : outcomes
  } else {
    chosen = outcomes
  }
  const findings = chosen.flatMap(o => o.findings)
  if (findings.some(f => f.kind === 'conflict')) return findings
  if (w.examplesAsValues && selected && (value === null || typeof value !== 'object') && !w.generators.select(relative, { cascade: false })) {
    const example = literal(w, value, parts, formatPath(path), label).findings.filter(f => f.kind === 'conflict')
    if (example.length > 0) return example.map(f => ({ ...f, expected: `${f.expected}, the example the consumer's tests ran against (${matchers.map(m => m.match).join(', ')} matcher)` }))
  }
  const descend = chosen.map(o => o.descend).find(d => d !== 'none') ?? 'none'
  return [...findings, ...children(w, value, parts, path, label, descend)]
}

/** What a rule on an ancestor means for a descendant ("matching rules cascade"). */
function cascaded (m: Matcher): Matcher[] {
  switch (m.match) {
    case 'values': case 'eachKey': case 'arrayContains': return [{ match: 'type' }]
    case 'eachValue': return Array.isArray(m.rules) ? (m.rules as Matcher[]) : [{ match: 'type' }]
    case 'type': return [{ match: 'type' }]
    default: return [m]
  }
}

function children (w: Walk, value: Json, parts: Part[], path: Step[], label: string, descend: Descend): Finding[] {
  if (descend === 'none') return []
  const findings: Finding[] = []
  if (Array.isArray(value)) {
    const items = parts.map(p => p.schema.items).filter(s => s !== undefined)
    const schema: Json | undefined = items.length === 0 ? undefined : items.length === 1 ? items[0] : { allOf: items }
    if (typeof descend === 'object') {
      for (const { index, rules } of descend.variants) {
        if (index < value.length) findings.push(...walk({ ...w, rules, base: [...path, index] }, value[index]!, schema, [...path, index], `${label}[]`))
      }
    } else {
      value.forEach((item, i) => findings.push(...walk(w, item, schema, [...path, i], `${label}[]`)))
    }
    return findings
  }
  if (!isObject(value)) return findings
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key]
    const schemas: Json[] = []
    const forbiddenBy: Part[] = []
    let declaresFields = false
    for (const part of parts) {
      const properties = isObject(part.schema.properties) ? part.schema.properties : undefined
      if (properties) declaresFields = true
      const additional = part.schema.additionalProperties
      if (properties && Object.hasOwn(properties, key)) schemas.push(properties[key]!)
      else if (additional === false) forbiddenBy.push(part)
      else if (isObject(additional)) schemas.push(additional)
    }
    const keysMatter = descend !== 'values'
    if (forbiddenBy.length > 0) {
      if (!keysMatter) continue
      const fields = forbiddenBy.flatMap(p => isObject(p.schema.properties) ? Object.keys(p.schema.properties) : [])
      findings.push({
        kind: 'conflict',
        at: w.at,
        path: formatPath(childPath),
        expected: w.side === 'request' ? `sends a field \`${key}\`` : `a field \`${key}\``,
        documented: w.noField?.(forbiddenBy, key) ?? `${forbiddenBy[0]!.name ?? label} has no field \`${key}\` and allows no others (additionalProperties: false; its fields: ${fields.join(', ') || 'none'})`
      })
      continue
    }
    if (schemas.length === 0) {
      if (keysMatter && declaresFields) {
        findings.push({
          kind: 'undocumented',
          at: w.at,
          path: formatPath(childPath),
          expected: w.side === 'request' ? `sends a field \`${key}\`` : `a field \`${key}\``,
          documented: w.noField?.(parts, key) ?? `${label} does not mention \`${key}\``
        })
      }
      continue
    }
    findings.push(...walk(w, child, schemas.length === 1 ? schemas[0] : { allOf: schemas }, childPath, w.fieldLabel?.(parts, key, label) ?? `${label}.${key}`))
  }
  if (w.side === 'request') {
    for (const part of parts) {
      if (!Array.isArray(part.schema.required)) continue
      const properties = isObject(part.schema.properties) ? part.schema.properties : {}
      for (const key of part.schema.required) {
        // readOnly fields are required in answers only (OpenAPI 3.0).
        if (typeof key !== 'string' || Object.hasOwn(value, key) || deref(w.facts, properties[key]).schema.readOnly === true) continue
        findings.push({ kind: 'conflict', at: w.at, path: formatPath(path), expected: `sends no \`${key}\``, documented: `${part.name ?? label} requires \`${key}\`` })
      }
    }
  }
  return findings
}

// ---------------------------------------------------------------------------------------------
// One matcher against one documented value

function evaluate (w: Walk, value: Json, parts: Part[], path: Step[], label: string, m: Matcher): Outcome {
  const allowed = allowedTypes(parts)
  const where = formatPath(path)
  const conflict = (expected: string, documented = describeSchema(parts)): Outcome =>
    ({ findings: [{ kind: 'conflict', at: w.at, path: where, expected, documented: `${label} is ${documented}` }], descend: 'none' })
  const undecided = (expected: string, why: string): Outcome =>
    ({ findings: [{ kind: 'undecided', at: w.at, path: where, expected, documented: `${label} is ${describeSchema(parts)}; not decided: ${why}` }], descend: 'none' })
  const ok = (descend: Descend = 'none'): Outcome => ({ findings: [], descend })
  const type = jsonTypeOf(value)
  const typeFits = (t: string): boolean => t === 'integer' || t === 'number' ? allowed.has('integer') || allowed.has('number') : allowed.has(t as never)
  const collection = type === 'object' || type === 'array' ? 'all' : 'none'

  switch (m.match) {
    case 'equality':
      return literal(w, value, parts, where, label)
    case 'type':
    case 'notEmpty': {
      if (!typeFits(type)) return conflict(`${article(type)} (${m.match} matcher, example ${describeValue(value)})`)
      if (Array.isArray(value)) {
        const maxItems = keyword(parts, 'maxItems')
        const minItems = keyword(parts, 'minItems')
        if (typeof m.min === 'number' && typeof maxItems === 'number' && m.min > maxItems) return conflict(`an array of at least ${m.min}`, `at most ${maxItems} items`)
        if (typeof m.max === 'number' && typeof minItems === 'number' && m.max < minItems) return conflict(`an array of at most ${m.max}`, `at least ${minItems} items`)
      }
      return ok(collection)
    }
    case 'integer':
      return allowed.has('integer') ? ok() : conflict('an integer (integer matcher)')
    case 'decimal':
      return allowed.has('number') ? ok() : conflict('a number with a fraction (decimal matcher)')
    case 'number':
      return allowed.has('integer') || allowed.has('number') ? ok() : conflict('a number (number matcher)')
    case 'null':
      return allowed.has('null') ? ok() : conflict('null (null matcher)')
    case 'boolean':
      return allowed.has('boolean') ? ok() : language(w, value, parts, where, label, '^(?:true|false)$', 'a boolean (boolean matcher)')
    case 'regex':
      return typeof m.regex === 'string' ? language(w, value, parts, where, label, m.regex, `a value matching /${m.regex}/ as a whole (the Pact Verifier matches the whole value)`) : undecided('a regex matcher without a regex', 'the matcher is incomplete')
    case 'include':
      return language(w, value, parts, where, label, literalRegex(String(m.value)), `a value containing ${JSON.stringify(String(m.value))} (include matcher)`)
    case 'semver':
      return language(w, value, parts, where, label, `^(?:${SEMVER})$`, 'a semantic version (semver matcher)')
    case 'date': case 'time': case 'timestamp': {
      const pattern = String(m.format ?? m[m.match] ?? 'ISO 8601')
      const expected = `a ${m.match} in the pattern ${pattern} (${m.match} matcher)`
      if (!allowed.has('string')) return allowed.has('integer') || allowed.has('number') ? undecided(expected, 'a date pattern against a number') : conflict(expected)
      const format = keyword(parts, 'format')
      if (typeof format === 'string' && !['date', 'date-time', 'time'].includes(format)) return undecided(expected, `Pact's date patterns are not compared with the format ${format}`)
      return ok()
    }
    case 'values': case 'eachKey': case 'eachValue':
      if (!typeFits(type)) return conflict(`${article(type)} (${m.match} matcher)`)
      return ok(m.match === 'eachValue' ? collection : type === 'object' ? 'values' : collection)
    case 'arrayContains': {
      if (!allowed.has('array')) return conflict('an array (arrayContains matcher)')
      const variants = (Array.isArray(m.variants) ? m.variants : []).filter(isObject).map(v => {
        const rules = new RuleSet()
        if (isObject(v.rules)) for (const [expression, r] of Object.entries(v.rules)) { const list = ruleList(r); if (list) rules.add(expression, list) }
        return { index: typeof v.index === 'number' ? v.index : 0, rules }
      })
      return ok({ variants })
    }
    case 'contentType':
      return undecided(`content of type ${String(m.value)} (contentType matcher)`, 'the check reads JSON only')
    default:
      return undecided(`a value for the ${m.match} matcher`, `the check does not know the ${m.match} matcher`)
  }
}

/** The pact's own value, compared as is (no matcher, an equality matcher, or a request as sent). */
function literal (w: Walk, value: Json, parts: Part[], where: string, label: string): Outcome {
  const allowed = allowedTypes(parts)
  const type = jsonTypeOf(value)
  const expected = w.side === 'request' ? `sends ${describeValue(value)}` : describeValue(value)
  const conflict = (documented: string): Outcome =>
    ({ findings: [{ kind: 'conflict', at: w.at, path: where, expected, documented: `${label} is ${documented}` }], descend: 'none' })
  if (!(allowed.has(type) || (type === 'integer' && allowed.has('number')))) return conflict(describeSchema(parts))
  if (type === 'object' || type === 'array') {
    if (Array.isArray(value)) {
      const maxItems = keyword(parts, 'maxItems')
      const minItems = keyword(parts, 'minItems')
      if (typeof maxItems === 'number' && value.length > maxItems) return conflict(`at most ${maxItems} items`)
      if (typeof minItems === 'number' && value.length < minItems) return conflict(`at least ${minItems} items`)
    } else if (isObject(value)) {
      const n = Object.keys(value).length
      const maxProperties = keyword(parts, 'maxProperties')
      const minProperties = keyword(parts, 'minProperties')
      if (typeof maxProperties === 'number' && n > maxProperties) return conflict(`at most ${maxProperties} fields`)
      if (typeof minProperties === 'number' && n < minProperties) return conflict(`at least ${minProperties} field${minProperties === 1 ? '' : 's'}`)
    }
    return { findings: [], descend: 'all' }
  }
  if (value === null) return { findings: [], descend: 'none' }
  const values = allowedValues(parts)
  if (values && !values.some(v => v === value)) return conflict(describeSchema(parts))
  if (typeof value === 'string') {
    const format = keyword(parts, 'format')
    if (typeof format === 'string' && FORMATS[format] !== undefined && !fullMatch(FORMATS[format], value)) return conflict(`${describeSchema(parts)}, and this value is not one`)
    const minLength = keyword(parts, 'minLength')
    const maxLength = keyword(parts, 'maxLength')
    if (typeof minLength === 'number' && value.length < minLength) return conflict(`a string of at least ${minLength} character${minLength === 1 ? '' : 's'}`)
    if (typeof maxLength === 'number' && value.length > maxLength) return conflict(`a string of at most ${maxLength} characters`)
    const pattern = keyword(parts, 'pattern')
    if (typeof pattern === 'string') {
      const re = pactRegex(pattern)
      if (typeof re !== 'string' && !re.test(value)) return conflict(`a string matching /${pattern}/`)
    }
  }
  if (typeof value === 'number') {
    const minimum = keyword(parts, 'minimum')
    const maximum = keyword(parts, 'maximum')
    if (typeof minimum === 'number' && value < minimum) return conflict(`a number of at least ${minimum}`)
    if (typeof maximum === 'number' && value > maximum) return conflict(`a number of at most ${maximum}`)
  }
  return { findings: [], descend: 'none' }
}

/**
 * Whether any value Quiltt documents here can match a regex (Pact applies regexes to a value's
 * string representation): by the pact's own example when it fits both, else by comparing the
 * regex with the documented enum, format or number syntax.
 */
function language (w: Walk, value: Json, parts: Part[], where: string, label: string, source: string, expected: string): Outcome {
  const allowed = allowedTypes(parts)
  const documented = describeSchema(parts)
  const finding = (kind: 'conflict' | 'undecided', text: string): Outcome => ({ findings: [{ kind, at: w.at, path: where, expected, documented: text }], descend: 'none' })
  const compiled = pactMatcherRegex(source)
  if (typeof compiled === 'string') return finding('undecided', `${label} is ${documented}; not decided: ${compiled}`)
  const format = keyword(parts, 'format')
  const grammar = typeof format === 'string' ? FORMATS[format] : undefined
  const values = allowedValues(parts)
  // A witness: the pact's example matches the regex and is itself a value Quiltt documents.
  if (typeof value === 'string' && compiled.test(value) && allowed.has('string') && (!values || values.includes(value)) && (!grammar || fullMatch(grammar, value))) return { findings: [], descend: 'none' }
  if (typeof value === 'number' && compiled.test(String(value)) && (allowed.has(jsonTypeOf(value)) || allowed.has('number'))) return { findings: [], descend: 'none' }
  const reasons: string[] = []
  let overlap = false
  const decide = (grammars: string[]): void => {
    const d = regexOverlaps(source, grammars)
    if ('undecidable' in d) reasons.push(d.undecidable)
    else if (d.overlap) overlap = true
  }
  if (values) {
    overlap = values.some(v => v !== null && typeof v !== 'object' && compiled.test(String(v)))
  } else {
    if (allowed.has('string')) {
      if (grammar) decide([grammar])
      else overlap = true
    }
    if (!overlap && allowed.has('number')) decide([SCALARS.number])
    else if (!overlap && allowed.has('integer')) decide([SCALARS.integer])
    if (!overlap && allowed.has('boolean')) overlap = compiled.test('true') || compiled.test('false')
    if (!overlap && (allowed.has('object') || allowed.has('array'))) reasons.push('Pact would apply the regex to an object\'s or array\'s text')
  }
  if (overlap) return { findings: [], descend: 'none' }
  if (reasons.length > 0) return finding('undecided', `${label} is ${documented}; not decided: ${reasons.join('; ')}`)
  return finding('conflict', `${label} is ${documented}, and no such value matches`)
}

function checkHeader (facts: QuilttFacts, at: Location, name: string, value: string, schema: Json | undefined, matchers: Matcher[]): Finding[] {
  const parts = alternatives(facts, schema)[0] ?? []
  const allowed = allowedTypes(parts)
  const w: Walk = { facts, side: 'response', at, generators: new RuleSet(), base: [] }
  const findings: Finding[] = []
  for (const m of matchers) {
    let outcome: Outcome
    if (m.match === 'regex' && typeof m.regex === 'string') outcome = language(w, value, parts, name, `the ${name} header`, m.regex, `a ${name} header matching /${m.regex}/`)
    else if (m.match === 'equality') {
      // Header values are text: `Retry-After: 60` is an integer header's value.
      const fits = (allowed.has('integer') && fullMatch(SCALARS.integer, value)) || (allowed.has('number') && fullMatch(SCALARS.number, value)) ||
        (allowed.has('boolean') && fullMatch(SCALARS.boolean, value)) || allowed.has('string')
      outcome = fits ? { findings: [], descend: 'none' } : { findings: [{ kind: 'conflict', at, path: name, expected: `${name}: ${value}`, documented: `the ${name} header is ${describeSchema(parts)}` }], descend: 'none' }
    } else {
      outcome = { findings: [], descend: 'none' }
    }
    findings.push(...outcome.findings.map(f => ({ ...f, path: name })))
  }
  return findings
}

const article = (type: string): string => type === 'integer' ? 'a number' : type === 'object' ? 'an object' : type === 'array' ? 'an array' : type === 'null' ? 'null' : `a ${type}`

/** A pact's value in words: `the string "abc"`, `the number 42`, `an object`. */
export function describeValue (value: Json): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'object') return 'an object'
  const text = JSON.stringify(value)
  const short = text.length > 60 ? `${text.slice(0, 57)}..."` : text
  return typeof value === 'string' ? `the string ${short}` : typeof value === 'number' ? `the number ${short}` : `the boolean ${short}`
}
