// The control API's view of the one clock (server/clock.ts): parsing its moves, answering {now, offsetSeconds}.
import { type EmulatorClock, toIso } from '../clock.js'
import { FieldErrorCollector } from '../errors.js'
import { has, isCalendarDate, isPlainObject } from './formats.js'

export interface ClockView {
  now: string
  offsetSeconds: number
}

// A hundred years either way: far enough for any expiry test, near enough that dates stay printable.
const MAX_SHIFT_SECONDS = 100 * 365 * 86_400
const ISO = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i

/** Epoch ms of a strict ISO-8601 date-time with a zone; NaN for anything else (Date.parse alone takes Feb 30). */
function parseInstant (v: unknown): number {
  const m = typeof v === 'string' ? ISO.exec(v) : null
  return m && isCalendarDate(m[1]!) ? Date.parse(v as string) : NaN
}

/**
 * The emulator's time, as the control API shows and moves it. The offset is kept over the real clock,
 * so moved time keeps running; everything time-based (token and passcode expiry, rate-limit windows,
 * timestamps) reads the same clock.
 */
export function createClockService (clock: EmulatorClock) {
  const view = (): ClockView => ({ now: toIso(clock.now()), offsetSeconds: clock.offsetMs / 1000 })

  return {
    view,

    /** `{"advanceSeconds": n}`, `{"now": ISO-8601}` or `{"offsetSeconds": n}`: exactly one. */
    move (raw: unknown): ClockView {
      const body = isPlainObject(raw) ? raw : {}
      const errs = new FieldErrorCollector()
      const given = ['advanceSeconds', 'now', 'offsetSeconds'].filter(k => has(body, k) && body[k] !== undefined)
      if (given.length !== 1) {
        errs.add('base', 'give exactly one of advanceSeconds, now or offsetSeconds')
        errs.throwIfAny()
      }
      const seconds = (k: string): number | undefined => {
        const v = body[k]
        if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_SHIFT_SECONDS) {
          errs.add(k, `must be a number of seconds from -${MAX_SHIFT_SECONDS} to ${MAX_SHIFT_SECONDS}`)
          return undefined
        }
        return v
      }
      switch (given[0]) {
        case 'advanceSeconds': {
          const n = seconds('advanceSeconds')
          errs.throwIfAny()
          clock.advance(Math.round(n! * 1000))
          break
        }
        case 'offsetSeconds': {
          const n = seconds('offsetSeconds')
          errs.throwIfAny()
          clock.setOffset(Math.round(n! * 1000))
          break
        }
        default: {
          const ms = parseInstant(body.now)
          if (Number.isNaN(ms) || ms < 0 || ms > Date.UTC(9999, 11, 31)) errs.add('now', 'must be an ISO-8601 date-time with a time zone, like 2030-01-01T00:00:00Z')
          errs.throwIfAny()
          clock.set(ms)
        }
      }
      return view()
    }
  }
}

export type ClockService = ReturnType<typeof createClockService>
