// Faults: armed answers and delays for matching Quiltt requests.
import { STATUS_CODES } from 'node:http'
import { type Clock, toIso } from '../clock.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { Ids } from '../random.js'
import { has, isPlainObject, nestsAtMost } from './formats.js'
import { pathMatcher, patternProblem } from './path-pattern.js'

export const MAX_FAULT_DELAY_MS = 60_000
const MAX_TIMES = 1_000_000
const MAX_BODY_DEPTH = 64
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*']

export interface FaultView {
  id: string
  method: string
  path: string
  status: number | null
  body?: unknown
  delayMs: number
  times: number
  remaining: number
  createdAt: string
}

/** What a matching request gets: wait `delayMs`, then (when `status` is set) this answer instead of the real one. */
export interface FaultHit {
  id: string
  delayMs: number
  response?: { status: number, headers: Record<string, string>, body: string }
}

interface Fault extends FaultView {
  matches: (path: string) => boolean
}

/** Faults never touch the emulator's own API: a test must always be able to clear them. */
export const isEmulatorPath = (path: string): boolean => path === '/emulator' || path.startsWith('/emulator/')

export function createFaultService ({ clock, ids }: { clock: Clock, ids: Ids }) {
  let active: Fault[] = []
  let seq = 0

  function parse (raw: unknown): Omit<FaultView, 'id' | 'remaining' | 'createdAt'> {
    const errs = new FieldErrorCollector()
    const body = isPlainObject(raw) ? raw : {}
    const int = (k: string, min: number, max: number): number | undefined => {
      const v = body[k]
      if (v === undefined || v === null) return undefined
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) { errs.add(k, `must be a whole number from ${min} to ${max}`); return undefined }
      return v
    }
    let method = ''
    if (typeof body.method !== 'string' || body.method === '') errs.add('method', "can't be blank")
    else if (!METHODS.includes(body.method.toUpperCase())) errs.add('method', `must be one of: ${METHODS.join(', ')}`)
    else method = body.method.toUpperCase()
    let path = ''
    const pathProblem = typeof body.path !== 'string' || body.path === ''
      ? "can't be blank"
      : patternProblem(body.path) ?? (isEmulatorPath(body.path) ? 'is an emulator path: faults never apply to /emulator/' : undefined)
    if (pathProblem !== undefined) errs.add('path', pathProblem)
    else path = body.path as string
    const status = int('status', 200, 599)
    const delayMs = int('delayMs', 0, MAX_FAULT_DELAY_MS)
    const times = int('times', 1, MAX_TIMES)
    if (has(body, 'body') && status === undefined && !errs.fields.status) errs.add('status', "can't be blank when body is given")
    // The body is sent with JSON.stringify on every hit: one nested thousands deep would overflow the stack there.
    if (has(body, 'body') && !nestsAtMost(body.body, MAX_BODY_DEPTH)) errs.add('body', `is nested too deeply (at most ${MAX_BODY_DEPTH} levels)`)
    if (status === undefined && delayMs === undefined && !errs.fields.status && !errs.fields.delayMs) errs.add('base', 'give status, delayMs or both')
    errs.throwIfAny()
    return {
      method,
      path,
      status: status ?? null,
      ...(has(body, 'body') ? { body: body.body } : {}),
      delayMs: delayMs ?? 0,
      times: times ?? 1
    }
  }

  /** The answer of a fault with a status: its own body, or one in Quiltt's shapes naming the fault. */
  function response (fault: Fault): FaultHit['response'] {
    const status = fault.status!
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
    if (status === 429) headers['retry-after'] = '1'
    if (fault.body !== undefined) return { status, headers, body: status === 204 || fault.body === null ? '' : JSON.stringify(fault.body) }
    const instruction = `This response was injected by quiltt-mock fault ${fault.id}. DELETE /emulator/v1/faults/${fault.id} removes it.`
    let body: unknown
    if (status === 422) body = { base: [instruction] }
    else if (status >= 400) {
      // Quiltt says "Not Authenticated" where HTTP says "Unauthorized"; 5xx bodies carry an errorId.
      const message = status === 401 ? 'Not Authenticated' : STATUS_CODES[status] ?? 'Error'
      body = status >= 500 ? { message, instruction, errorId: ids.errorId() } : { message, instruction }
    }
    return { status, headers, body: body === undefined ? '' : JSON.stringify(body) }
  }

  const view = ({ matches: _, ...fault }: Fault): FaultView => ({ ...fault })

  return {
    create (raw: unknown): FaultView {
      const input = parse(raw)
      const fault: Fault = {
        id: `flt_${++seq}`,
        ...input,
        remaining: input.times,
        createdAt: toIso(clock.now()),
        matches: pathMatcher(input.path)
      }
      active.push(fault)
      return view(fault)
    },

    list: (): FaultView[] => active.map(view),

    delete (id: string): void {
      const before = active.length
      active = active.filter(f => f.id !== id)
      if (active.length === before) {
        throw errors.faultNotFound(id)
      }
    },

    clear (): void { active = [] },

    get any (): boolean { return active.length > 0 },

    /** Takes one use of the oldest fault matching the request, if any; a used-up fault is removed. */
    take (method: string, path: string): FaultHit | undefined {
      const fault = active.find(f => (f.method === '*' || f.method === method) && f.matches(path))
      if (!fault) return undefined
      fault.remaining--
      if (fault.remaining === 0) active = active.filter(f => f !== fault)
      return { id: fault.id, delayMs: fault.delayMs, ...(fault.status === null ? {} : { response: response(fault) }) }
    }
  }
}

export type FaultService = ReturnType<typeof createFaultService>
