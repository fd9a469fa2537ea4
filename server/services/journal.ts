// The request journal: the last Quiltt API requests, kept in columns, filtered and redacted on read.
import { FieldErrorCollector } from '../errors.js'
import { describeGraphQLRequest, GRAPHQL_PATH, type OperationNote } from '../graphql/operations.js'
import { pathMatcher, patternProblem } from './path-pattern.js'

export const DEFAULT_JOURNAL_SIZE = 1000
export const MAX_JOURNAL_SIZE = 100_000
// Bodies up to this size are kept; bigger ones (a fuzzer's 1 MiB posts) would make a full journal hold gigabytes.
export const MAX_KEPT_BODY_BYTES = 64 * 1024
/**
 * What all kept bodies may add up to (request and response texts, in UTF-16 code units, about bytes):
 * past it the oldest entries' bodies are let go, newest kept. Bodies are kept as the text that arrived,
 * never parsed (parsed, a dense JSON body held about 20 times its size).
 */
export const MAX_KEPT_BODIES_TOTAL = 16 * 1024 * 1024
const omitted = (bytes: number): string => `[${bytes} bytes, not kept: the journal keeps bodies up to ${MAX_KEPT_BODY_BYTES} bytes]`
const letGo = (chars: number): string => `[${chars} characters, let go: the journal keeps the newest ${MAX_KEPT_BODIES_TOTAL / 1024 / 1024} MiB of bodies]`

/**
 * What the request hook hands over. Bodies are kept as they arrived (the parsed request body, the
 * serialized response text): copying, parsing and redacting happen only when someone reads the journal,
 * so a request costs one object and one array slot.
 */
export interface JournalCapture {
  at: number
  method: string
  url: string
  status: number
  durationMs: number
  /**
   * The request body's text as it arrived (JSON or YAML), or, for a body too big to keep, its size in
   * bytes; undefined for no body. Read whatever the framing (Content-Length or chunked).
   */
  requestText: string | number | undefined
  responseBody: unknown
  responseType: string | undefined
  faultId: string | undefined
  /** The Quiltt-Mock-Redirected-From header: the origin a redirected client addressed (server/drop-in/intercept.ts). */
  redirectedFrom: string | undefined
}

export interface JournalEntryView {
  id: number
  at: string
  method: string
  path: string
  query: string | null
  status: number
  durationMs: number
  requestBody: unknown
  responseBody: unknown
  faultId?: string
  /** Requests to /v1/graphql: the operations asked for. */
  graphql?: OperationNote[]
  redirectedFrom?: string
}

export interface JournalFilter { limit?: number, method?: string, path?: string }

export const REDACTED = '[REDACTED]'
// Keys whose values are credentials wherever they appear. API key secrets and session tokens only
// travel in Authorization headers (never kept) and in these fields.
const SECRET_KEYS = /^(token|secret|authorization|password|apikey|accesstoken|refreshtoken|clientsecret|signingsecret|admintoken)$/i
// A JWT, or an API key secret or signing secret in the emulator's format, inside any string.
const SECRET_VALUES = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|\b(sk|ss)_[A-Za-z0-9_]{8,}/g

// Deeper than this, a journaled body is cut: copying or serialising a 10,000-deep array would
// overflow the stack, and no person reads that far.
const MAX_DEPTH = 64
export const TOO_DEEP = '[nested too deep]'

/** A copy of a JSON value with every credential replaced by `[REDACTED]`. */
export function redact (value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUES, REDACTED)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return TOO_DEEP
  if (Array.isArray(value)) return value.map(v => redact(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) && v !== null ? REDACTED : redact(v, depth + 1)
  return out
}

/** Filters from the query string; every bad one is reported at once. */
export function parseJournalFilter (query: Record<string, unknown>): JournalFilter {
  const errs = new FieldErrorCollector()
  const filter: JournalFilter = {}
  if (query.limit !== undefined) filter.limit = query.limit as number
  if (typeof query.method === 'string' && query.method !== '') filter.method = query.method.toUpperCase()
  if (typeof query.path === 'string' && query.path !== '') {
    const problem = patternProblem(query.path)
    if (problem !== undefined) errs.add('path', problem)
    else filter.path = query.path
  }
  errs.throwIfAny()
  return filter
}

/**
 * The request journal: the last `size` Quiltt API requests in a ring buffer, newest first when read.
 * Memory only: it is a debugging view of this process, cleared by reset.
 *
 * Kept in columns (typed arrays for the numbers, one array per text field) rather than an object per
 * entry: under load an entry object lived long enough to be copied by young collections and promoted,
 * for every request. Recording now allocates nothing that outlives the request, except a new
 * request body or a new answer (see record).
 */
export function createJournal (size: number) {
  if (!Number.isInteger(size) || size < 0 || size > MAX_JOURNAL_SIZE) throw new RangeError(`journalSize must be a whole number from 0 to ${MAX_JOURNAL_SIZE}, got ${size}`)
  const ids = new Float64Array(size)
  const ats = new Float64Array(size)
  const durations = new Float64Array(size)
  const statuses = new Uint16Array(size)
  const methods = new Array<string>(size)
  const urls = new Array<string>(size)
  const requestBodies = new Array<string | undefined>(size)
  const responseBodies = new Array<unknown>(size)
  const keptChars = new Float64Array(size) // what each entry's bodies hold
  let kept = 0 // their sum, at most MAX_KEPT_BODIES_TOTAL
  let firstHeld = 1 // entries with a smaller id hold no bodies any more
  const responseTypes = new Array<string | undefined>(size)
  const faultIds = new Array<string | undefined>(size)
  const redirectedFroms = new Array<string | undefined>(size)
  let next = 0 // ring slot for the next entry
  let count = 0 // entries held
  let seq = 0 // ids keep counting across clears, so an id never names two requests

  const parse = (text: string | undefined): unknown => {
    if (text === undefined) return undefined
    // A note ("[n bytes, not kept: ...]") is not JSON, so it reads back as itself.
    try { return JSON.parse(text) } catch { return text }
  }

  function view (slot: number): JournalEntryView {
    const url = urls[slot]!
    const requestBody = parse(requestBodies[slot])
    const body = responseBodies[slot]
    const faultId = faultIds[slot]
    const redirectedFrom = redirectedFroms[slot]
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    let responseBody: unknown = null
    if (typeof body === 'string' && body !== '') {
      if (responseTypes[slot]?.includes('json')) {
        try { responseBody = JSON.parse(body) } catch { responseBody = body }
      } else responseBody = body
    }
    return {
      id: ids[slot]!,
      at: new Date(ats[slot]!).toISOString(),
      method: methods[slot]!,
      path,
      query: q < 0 ? null : redact(url.slice(q + 1)) as string,
      status: statuses[slot]!,
      durationMs: Math.round(durations[slot]! * 1000) / 1000,
      requestBody: requestBody === undefined ? null : redact(requestBody),
      responseBody: redact(responseBody),
      ...(faultId === undefined ? {} : { faultId }),
      // Named when read, not when recorded: a request costs nothing more, and a faulted one is named too.
      ...(path === GRAPHQL_PATH ? { graphql: describeGraphQLRequest(requestBody, q < 0 ? null : url.slice(q + 1)) } : {}),
      ...(redirectedFrom === undefined ? {} : { redirectedFrom })
    }
  }

  /** Lets go of the oldest entries' bodies until the kept ones fit MAX_KEPT_BODIES_TOTAL again. */
  function letGoOldest (): void {
    const oldest = seq - count + 1
    for (let id = Math.max(firstHeld, oldest); id <= seq && kept > MAX_KEPT_BODIES_TOTAL; id++) {
      const slot = (next - 1 - (seq - id) + size * 2) % size
      const chars = keptChars[slot]!
      if (chars === 0) continue
      if (requestBodies[slot] !== undefined) requestBodies[slot] = letGo(requestBodies[slot]!.length)
      if (typeof responseBodies[slot] === 'string' && responseBodies[slot] !== '') {
        responseBodies[slot] = letGo((responseBodies[slot] as string).length)
        responseTypes[slot] = undefined
      }
      kept -= chars
      keptChars[slot] = 0
      firstHeld = id + 1
    }
  }

  return {
    size,
    enabled: size > 0,

    record (capture: JournalCapture): void {
      if (size === 0) return
      const text = capture.requestText
      const requestBody = typeof text === 'number'
        ? omitted(text)
        : text !== undefined && text.length > MAX_KEPT_BODY_BYTES / 4 && Buffer.byteLength(text) > MAX_KEPT_BODY_BYTES
          ? omitted(Buffer.byteLength(text))
          : text === '' ? undefined : text
      let responseBody = capture.responseBody
      let responseType = capture.responseType
      let url = capture.url
      if (typeof responseBody === 'string' && responseBody.length > MAX_KEPT_BODY_BYTES / 4 &&
          Buffer.byteLength(responseBody) > MAX_KEPT_BODY_BYTES) {
        responseBody = omitted(Buffer.byteLength(responseBody))
        responseType = undefined
      }
      // Polling (the SDK's pings, introspection, a page refreshing) sends the same request and gets the
      // same answer many times over: the entry keeps the previous entry's copies, and this request's
      // are dropped young. A thousand copies kept through several collections made the garbage
      // collector a sixth of a ping (README, Performance).
      const previous = (next - 1 + size) % size
      if (count > 0) {
        if (typeof responseBody === 'string' && responseBodies[previous] === responseBody) responseBody = responseBodies[previous]
        if (urls[previous] === url) url = urls[previous]!
      }
      kept -= keptChars[next]!
      const chars = (requestBody?.length ?? 0) + (typeof responseBody === 'string' ? responseBody.length : 0)
      keptChars[next] = chars
      kept += chars
      ids[next] = ++seq
      ats[next] = capture.at
      durations[next] = capture.durationMs
      statuses[next] = capture.status
      methods[next] = capture.method
      urls[next] = url
      requestBodies[next] = requestBody
      responseBodies[next] = responseBody
      responseTypes[next] = responseType
      faultIds[next] = capture.faultId
      redirectedFroms[next] = capture.redirectedFrom
      next = (next + 1) % size
      if (count < size) count++
      if (kept > MAX_KEPT_BODIES_TOTAL) letGoOldest()
    },

    /** Newest first, filtered, at most `limit`. */
    list (filter: JournalFilter = {}): JournalEntryView[] {
      const matchPath = filter.path === undefined ? undefined : pathMatcher(filter.path)
      const out: JournalEntryView[] = []
      const limit = filter.limit ?? size
      for (let i = 1; i <= count && out.length < limit; i++) {
        const slot = (next - i + size) % size
        if (filter.method !== undefined && methods[slot] !== filter.method) continue
        if (matchPath) {
          const url = urls[slot]!
          const q = url.indexOf('?')
          if (!matchPath(q < 0 ? url : url.slice(0, q))) continue
        }
        out.push(view(slot))
      }
      return out
    },

    clear (): void {
      // The bodies are let go at once: a cleared journal holds no memory.
      for (const column of [methods, urls, requestBodies, responseBodies, responseTypes, faultIds, redirectedFroms]) column.fill(undefined as never)
      keptChars.fill(0)
      kept = 0
      firstHeld = seq + 1
      next = 0
      count = 0
    }
  }
}

export type Journal = ReturnType<typeof createJournal>
