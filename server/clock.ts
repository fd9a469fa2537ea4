/** Milliseconds since the epoch. Everything time-based reads the clock it is given, never Date.now(). */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/**
 * The emulator's clock: a base clock plus an offset that the control API can move.
 * Tokens, passcodes, rate-limit windows and timestamps all follow it.
 */
export class EmulatorClock implements Clock {
  #offsetMs = 0
  readonly #moved = new Set<() => void>()
  constructor (private readonly base: Clock = systemClock) {}

  /** Calls `listener` after every move (webhook retries fall due when time jumps); returns the function that stops it. */
  onMove (listener: () => void): () => void {
    this.#moved.add(listener)
    return () => { this.#moved.delete(listener) }
  }

  #notify (): void {
    for (const listener of this.#moved) listener()
  }

  now (): number {
    return this.base.now() + this.#offsetMs
  }

  get offsetMs (): number {
    return this.#offsetMs
  }

  advance (ms: number): void {
    this.#offsetMs += ms
    this.#notify()
  }

  setOffset (ms: number): void {
    this.#offsetMs = ms
  }

  set (epochMs: number): void {
    this.#offsetMs = epochMs - this.base.now()
    this.#notify()
  }

  reset (): void {
    this.#offsetMs = 0
    this.#notify()
  }
}

/** A hand-moved clock for tests and benchmarks. */
export class ManualClock implements Clock {
  constructor (private ms = Date.UTC(2026, 0, 1)) {}
  now (): number { return this.ms }
  advance (ms: number): void { this.ms += ms }
}

// One remembered answer: a ping formats its session's expiry, the same instant, on every call.
let lastMs = Number.NaN
let lastIso = ''
export const toIso = (ms: number): string => {
  if (ms !== lastMs) { lastIso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); lastMs = ms }
  return lastIso
}
export const toUnixSeconds = (ms: number): number => Math.floor(ms / 1000)
