import { FieldErrorCollector } from '../errors.js'
import { pathMatcher } from './path-pattern.js'

export const DEFAULT_JOURNAL_SIZE = 1000
export const MAX_JOURNAL_SIZE = 100_000
// Bodies up to this size are kept; bigger ones (a fuzzer's 1 MiB posts) would make a full journal hold gigabytes.
export const MAX_KEPT_BODY_BYTES = 64 * 1024
const omitted = (bytes: number): string => `[${bytes} bytes, not kept: the journal keeps bodies up to ${MAX_KEPT_BODY_BYTES} bytes]`

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
  requestBody: unknown
  /** The request's Content-Length, when it sent one. */
  requestBytes: number | undefined
  responseBody: unknown
  responseType: string | undefined
  faultId: string | undefined
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
}

export interface JournalFilter { limit?: number, method?: string, path?: string }

export const REDACTED = '[REDACTED]'
// Keys whose values are credentials wherever they appear. API key secrets and session tokens only
// travel in Authorization headers (never kept) and in these fields.
const SECRET_KEYS = /^(token|secret|authorization|password|apikey|accesstoken|refreshtoken|clientsecret)$/i
// A JWT, or an API key secret in the emulator's format, inside any string.
const SECRET_VALUES = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|sk_[A-Za-z0-9_]{8,}/g

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
    if (!query.path.startsWith('/')) errs.add('path', 'must start with /')
    else filter.path = query.path
  }
  errs.throwIfAny()
  return filter
}

/**
 * The request journal: the last `size` Quiltt API requests in a ring buffer, newest first when read.
 * Memory only: it is a debugging view of this process, cleared by reset.
 */
export function createJournal (size: number) {
  if (!Number.isInteger(size) || size < 0 || size > MAX_JOURNAL_SIZE) throw new RangeError(`journalSize must be a whole number from 0 to ${MAX_JOURNAL_SIZE}, got ${size}`)
  const ring: Array<(JournalCapture & { id: number }) | undefined> = new Array(size)
  let next = 0 // ring slot for the next entry
  let seq = 0 // ids keep counting across clears, so an id never names two requests

  function view (e: JournalCapture & { id: number }): JournalEntryView {
    const q = e.url.indexOf('?')
    let responseBody: unknown = null
    if (typeof e.responseBody === 'string' && e.responseBody !== '') {
      if (e.responseType?.includes('json')) {
        try { responseBody = JSON.parse(e.responseBody) } catch { responseBody = e.responseBody }
      } else responseBody = e.responseBody
    }
    return {
      id: e.id,
      at: new Date(e.at).toISOString(),
      method: e.method,
      path: q < 0 ? e.url : e.url.slice(0, q),
      query: q < 0 ? null : redact(e.url.slice(q + 1)) as string,
      status: e.status,
      durationMs: Math.round(e.durationMs * 1000) / 1000,
      requestBody: e.requestBody === undefined ? null : redact(e.requestBody),
      responseBody: redact(responseBody),
      ...(e.faultId === undefined ? {} : { faultId: e.faultId })
    }
  }

  return {
    size,
    enabled: size > 0,

    record (capture: JournalCapture): void {
      if (size === 0) return
      const entry = capture as JournalCapture & { id: number }
      if (entry.requestBytes !== undefined && entry.requestBytes > MAX_KEPT_BODY_BYTES) entry.requestBody = omitted(entry.requestBytes)
      if (typeof entry.responseBody === 'string' && entry.responseBody.length > MAX_KEPT_BODY_BYTES / 4 &&
          Buffer.byteLength(entry.responseBody) > MAX_KEPT_BODY_BYTES) {
        entry.responseBody = omitted(Buffer.byteLength(entry.responseBody))
        entry.responseType = undefined
      }
      // Polling (the SDK's pings, introspection, a page refreshing) gets the same answer many times over:
      // the entry keeps the previous entry's copy, and this one's is dropped young. A thousand copies
      // kept through several collections made the garbage collector a sixth of a ping (README, Performance).
      const previous = ring[(next - 1 + size) % size]
      if (previous !== undefined && typeof entry.responseBody === 'string' && previous.responseBody === entry.responseBody) {
        entry.responseBody = previous.responseBody
      }
      entry.id = ++seq
      ring[next] = entry
      next = (next + 1) % size
    },

    /** Newest first, filtered, at most `limit`. */
    list (filter: JournalFilter = {}): JournalEntryView[] {
      const matchPath = filter.path === undefined ? undefined : pathMatcher(filter.path)
      const out: JournalEntryView[] = []
      const limit = filter.limit ?? size
      for (let i = 1; i <= size && out.length < limit; i++) {
        const e = ring[(next - i + size) % size]
        if (!e) break
        if (filter.method !== undefined && e.method !== filter.method) continue
        if (matchPath) {
          const q = e.url.indexOf('?')
          if (!matchPath(q < 0 ? e.url : e.url.slice(0, q))) continue
        }
        out.push(view(e))
      }
      return out
    },

    clear (): void {
      ring.fill(undefined)
      next = 0
    }
  }
}

export type Journal = ReturnType<typeof createJournal>
