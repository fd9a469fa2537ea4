/**
 * Reads a Pact file of any specification version (1 to 4) into one shape: per HTTP interaction its
 * request and response, their bodies as JSON, and their matching rules and generators as rule sets
 * keyed by body path. Only what the Quiltt contract check needs; the Pact Verifier does the replay.
 */
import type { Json } from './facts.js'

/** A step of a body path: a property name, an array index, or `*` (any key or index). */
export type Step = string | number
const STAR = Symbol('*')
type PatternStep = string | number | typeof STAR

export interface Matcher { match: string, [key: string]: unknown }
export interface RuleList { matchers: Matcher[], combine: 'AND' | 'OR' }

export interface SelectedRule {
  rule: RuleList
  /** The rule's own path expression, as the pact writes it. */
  expression: string
  /** True when the rule is on an ancestor and reaches this value by cascading (Pact: "matching rules cascade"). */
  inherited: boolean
}

/**
 * Matching rules (or generators) keyed by JSONPath-like expressions, with Pact's selection
 * algorithm: the root weighs 2, a matching name or index 2, a matching `*` 1, a mismatch 0; the
 * product over the expression's steps is its weight and the heaviest rule wins. A rule on an
 * ancestor matches its descendants too (rules cascade), so on a tie the longer expression wins.
 */
interface Entry { expression: string, steps: PatternStep[], rule: RuleList }

export class RuleSet {
  private readonly entries: Entry[] = []
  /** Expressions the check could not read: reported, never guessed at. */
  readonly unreadable: string[] = []

  add (expression: string, rule: RuleList): void {
    const steps = parseExpression(expression)
    if (steps === undefined) this.unreadable.push(expression)
    else this.entries.push({ expression, steps, rule })
  }

  get size (): number { return this.entries.length }

  select (path: Step[], { cascade = true } = {}): SelectedRule | undefined {
    let best: { weight: number, length: number, entry: Entry } | undefined
    for (const entry of this.entries) {
      if (entry.steps.length > path.length || (!cascade && entry.steps.length !== path.length)) continue
      let weight = 2
      for (let i = 0; i < entry.steps.length && weight > 0; i++) {
        const want = entry.steps[i]!
        const have = path[i]!
        weight *= want === STAR ? 1 : want === have || (typeof have === 'number' && want === String(have)) ? 2 : 0
      }
      if (weight === 0) continue
      if (!best || weight > best.weight || (weight === best.weight && entry.steps.length > best.length)) best = { weight, length: entry.steps.length, entry }
    }
    return best && { rule: best.entry.rule, expression: best.entry.expression, inherited: best.length < path.length }
  }
}

/** `$.a.b[0]['c-d'][*].*` into its steps; undefined for anything else. */
function parseExpression (expression: string): PatternStep[] | undefined {
  const s = expression.trim()
  if (!s.startsWith('$')) return undefined
  const steps: PatternStep[] = []
  let i = 1
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^(\*|[^.[\]]+)/.exec(s.slice(i + 1))
      if (!m) return undefined
      steps.push(m[1] === '*' ? STAR : m[1]!)
      i += 1 + m[1]!.length
    } else if (s[i] === '[') {
      const m = /^\[(?:(\d+)|\*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(s.slice(i))
      if (!m) return undefined
      steps.push(m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : STAR)
      i += m[0].length
    } else {
      return undefined
    }
  }
  return steps
}

/** A body path for people: `$.session.userId`, `$.items[0]`, `$['Retry-After']`. */
export function formatPath (path: Step[]): string {
  return '$' + path.map(s => typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `['${s.replace(/'/g, "\\'")}']`).join('')
}

export interface PactBody {
  /** False when the pact says nothing about the body (any body will do). */
  present: boolean
  value?: Json
  /** The body's media type as the pact gives it (Content-Type header, or a v4 body's contentType). */
  contentType?: string
  /** Why the body cannot be read as JSON (an encoded v4 body), if it cannot. */
  unreadable?: string
}

export interface PactMessage {
  /** Header names in lower case, with the values the pact gives. */
  headers: Map<string, { name: string, value: string }>
  body: PactBody
  bodyRules: RuleSet
  headerRules: Map<string, RuleList>
  bodyGenerators: RuleSet
  headerGenerators: Set<string>
}

export interface PactInteraction {
  /** 0-based position in the pact's `interactions`. */
  index: number
  description: string
  providerStates: string[]
  /** A v4 interaction's type; undefined for earlier versions (all HTTP). */
  type?: string
  method: string
  path: string
  /** The request's query string, parameter by parameter (v2's text, v3/v4's map, or the path's `?...`). */
  query: Map<string, string[]>
  request: PactMessage
  response: PactMessage & { status: number | undefined, statusRule?: RuleList }
}

export interface ParsedPact {
  consumer?: string
  provider?: string
  /** The specification version as the pact states it, or as its shape shows (`2` for `$.body` rules). */
  specification: string
  interactions: PactInteraction[]
}

export class PactFormatError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A parsed pact (v1 to v4) in one shape. Throws PactFormatError when it is not a pact at all. */
export function readPact (pact: unknown): ParsedPact {
  if (!isObject(pact) || !Array.isArray(pact.interactions)) throw new PactFormatError('not a pact: it has no "interactions" array')
  const metadata = isObject(pact.metadata) ? pact.metadata : {}
  const spec = isObject(metadata.pactSpecification) ? metadata.pactSpecification : isObject(metadata['pact-specification']) ? metadata['pact-specification'] : {}
  let specification = typeof spec.version === 'string' ? spec.version : ''
  // Older writers leave the version out; v2 rules are keyed `$.body...` inside one flat map.
  const major = Number.parseInt(specification, 10)
  const v2Shaped = (pact.interactions as unknown[]).some(i => isObject(i) && [i.request, i.response].some(m => isObject(m) && isObject(m.matchingRules) && Object.keys(m.matchingRules).some(k => k.startsWith('$.'))))
  if (!specification) specification = v2Shaped ? '2.0.0' : 'unknown'
  const v4 = major >= 4 || (pact.interactions as unknown[]).some(i => isObject(i) && typeof i.type === 'string')
  return {
    ...(isObject(pact.consumer) && typeof pact.consumer.name === 'string' ? { consumer: pact.consumer.name } : {}),
    ...(isObject(pact.provider) && typeof pact.provider.name === 'string' ? { provider: pact.provider.name } : {}),
    specification,
    interactions: (pact.interactions as unknown[]).map((raw, index) => readInteraction(raw, index, v4))
  }
}

function readInteraction (raw: unknown, index: number, v4: boolean): PactInteraction {
  const it = isObject(raw) ? raw : {}
  const request = isObject(it.request) ? it.request : {}
  const response = isObject(it.response) ? it.response : {}
  const states = Array.isArray(it.providerStates)
    ? it.providerStates.map(s => isObject(s) && typeof s.name === 'string' ? s.name : String(s))
    : typeof it.providerState === 'string' ? [it.providerState] : typeof it.provider_state === 'string' ? [it.provider_state] : []
  const rawPath = typeof request.path === 'string' ? request.path : ''
  const res = readMessage(response, v4)
  const statusRule = isObject(response.matchingRules) ? ruleList(response.matchingRules.status) : undefined
  return {
    index,
    description: typeof it.description === 'string' ? it.description : `interaction #${index + 1}`,
    providerStates: states,
    ...(typeof it.type === 'string' ? { type: it.type } : {}),
    method: typeof request.method === 'string' ? request.method.toUpperCase() : '',
    path: rawPath.split('?')[0]!,
    query: readQuery(request.query, rawPath),
    request: readMessage(request, v4),
    response: { ...res, status: typeof response.status === 'number' ? response.status : undefined, ...(statusRule ? { statusRule } : {}) }
  }
}

function readQuery (query: unknown, rawPath: string): Map<string, string[]> {
  const params = new Map<string, string[]>()
  const add = (name: string, value: string): void => { params.set(name, [...(params.get(name) ?? []), value]) }
  const inPath = rawPath.indexOf('?')
  const text = typeof query === 'string' ? query : inPath >= 0 ? rawPath.slice(inPath + 1) : undefined
  if (text !== undefined) for (const [name, value] of new URLSearchParams(text)) add(name, value)
  if (isObject(query)) {
    for (const [name, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) add(name, String(v))
    }
  }
  return params
}

function readMessage (message: Record<string, unknown>, v4: boolean): PactMessage {
  const headers = new Map<string, { name: string, value: string }>()
  if (isObject(message.headers)) {
    for (const [name, v] of Object.entries(message.headers)) {
      const value = Array.isArray(v) ? v.map(String).join(', ') : String(v)
      headers.set(name.toLowerCase(), { name, value })
    }
  }
  const bodyRules = new RuleSet()
  const headerRules = new Map<string, RuleList>()
  const rules = isObject(message.matchingRules) ? message.matchingRules : {}
  for (const [key, value] of Object.entries(rules)) {
    // v2: one map keyed by full paths, `$.body...`, `$.headers.X` (or `$.header.X`).
    const v2Body = /^\$\.body(?=$|[.[])/.exec(key)
    const v2Header = /^\$\.headers?(?:\.|\[')([^'\]]+)/.exec(key)
    if (v2Body) { const list = ruleList(value); if (list) bodyRules.add('$' + key.slice(v2Body[0].length), list); continue }
    if (v2Header) { const list = ruleList(value); if (list) headerRules.set(v2Header[1]!.toLowerCase(), list); continue }
    // v3 and v4: categories.
    if (key === 'body' && isObject(value)) for (const [expr, r] of Object.entries(value)) { const list = ruleList(r); if (list) bodyRules.add(expr, list) }
    if (key === 'header' && isObject(value)) for (const [name, r] of Object.entries(value)) { const list = ruleList(r); if (list) headerRules.set(name.toLowerCase(), list) }
  }
  const bodyGenerators = new RuleSet()
  const headerGenerators = new Set<string>()
  const generators = isObject(message.generators) ? message.generators : {}
  if (isObject(generators.body)) for (const expr of Object.keys(generators.body)) bodyGenerators.add(expr, { matchers: [{ match: 'generated' }], combine: 'AND' })
  if (isObject(generators.header)) for (const name of Object.keys(generators.header)) headerGenerators.add(name.toLowerCase())
  return { headers, body: readBody(message, v4, headers.get('content-type')?.value), bodyRules, headerRules, bodyGenerators, headerGenerators }
}

function readBody (message: Record<string, unknown>, v4: boolean, headerType: string | undefined): PactBody {
  if (!('body' in message) || message.body === undefined) return { present: false, ...(headerType ? { contentType: headerType } : {}) }
  const body = message.body
  // v4: { content, contentType, encoded }.
  if (v4 && isObject(body) && ('content' in body || 'contentType' in body || 'encoded' in body)) {
    const contentType = typeof body.contentType === 'string' ? body.contentType : headerType
    const withType = contentType ? { contentType } : {}
    if (!('content' in body)) return { present: false, ...withType }
    if (body.encoded === 'JSON' || body.encoded === 'json') {
      try {
        return { present: true, value: JSON.parse(String(body.content)) as Json, ...withType }
      } catch {
        return { present: true, unreadable: 'its JSON-encoded content does not parse', ...withType }
      }
    }
    if (body.encoded !== undefined && body.encoded !== false) return { present: true, unreadable: `it is ${String(body.encoded)}-encoded`, ...withType }
    return { present: true, value: body.content as Json, ...withType }
  }
  return { present: true, value: body as Json, ...(headerType ? { contentType: headerType } : {}) }
}

/** A rule list from any version's notation: `{matchers, combine}`, or a v2 bare matcher object. */
export function ruleList (value: unknown): RuleList | undefined {
  if (!isObject(value)) return undefined
  if (Array.isArray(value.matchers)) {
    return { matchers: value.matchers.filter(isObject).map(matcher), combine: value.combine === 'OR' ? 'OR' : 'AND' }
  }
  return { matchers: [matcher(value)], combine: 'AND' }
}

/** One matcher with its kind spelled out: v2/v3 writers leave `match` out for `{regex}`, `{min}`, `{date}`... */
function matcher (m: Record<string, unknown>): Matcher {
  // eachValue's and eachKey's own rules are matchers too.
  if (Array.isArray(m.rules)) m = { ...m, rules: m.rules.filter(isObject).map(matcher) }
  if (typeof m.match === 'string') return { ...m, match: m.match === 'datetime' ? 'timestamp' : m.match }
  const kind = typeof m.regex === 'string'
    ? 'regex'
    : typeof m.timestamp === 'string' || typeof m.datetime === 'string'
      ? 'timestamp'
      : typeof m.date === 'string'
        ? 'date'
        : typeof m.time === 'string'
          ? 'time'
          : m.min !== undefined || m.max !== undefined
            ? 'type'
            : 'equality'
  return { ...m, match: kind }
}
