// Input rules shared by passwordless login, profiles and fixtures; the string formats are server/formats.ts'.
export { isCalendarDate, isE164, isEmail, isUuid } from '../formats.js'

export const PASSCODE = /^\d{6}$/
// Quiltt's profile ids (`global_id-v1`): `p_` and base62, as in every example of its document.
const PROFILE_ID = /^p_[0-9A-Za-z]{1,64}$/

/** The message Quiltt's document gives for a bad email (a Rails full message), used wherever an email is checked. */
export const EMAIL_INVALID = 'Email is not a valid email address'

export const isProfileId = (v: string): boolean => PROFILE_ID.test(v)
export const normalizeEmail = (v: string): string => v.trim().toLowerCase()

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Present means: the key is there and not null. `{"email": null}` clears an attribute. */
export const has = (o: Record<string, unknown>, key: string): boolean => Object.hasOwn(o, key)

/**
 * Whether a parsed JSON value nests at most `max` arrays/objects deep. Iterative: a body can nest
 * far deeper than the call stack, and JSON.stringify on such a value throws.
 */
export function nestsAtMost (value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth >= max) return false
    for (const child of Object.values(v)) stack.push([child, depth + 1])
  }
  return true
}

/**
 * Whether a parsed JSON value holds what a JSON body may not (secure-json-parse refuses it at every
 * route): a `__proto__` key, or a `constructor` key whose value has a `prototype` key, at any depth.
 * GraphQL's JSON scalar can carry either, so its input is held to the same rule. Iterative, as nestsAtMost.
 */
export function hasPrototypeKeys (value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object') continue
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key]
      if (key === '__proto__') return true
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) return true
      stack.push(child)
    }
  }
  return false
}

/**
 * The first value a JSON document cannot carry faithfully, with its path (`a.b.0`, `` for the value
 * itself): a string (or key) with a lone UTF-16 surrogate, which would be stored and read back as
 * replacement characters, or a number out of range (`1e400` parses as Infinity and would be stored as
 * null). Iterative: the depth is the caller's to bound.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function unrepresentable (value: unknown): { path: string, problem: string } | undefined {
  const stack: Array<[unknown, string]> = [[value, '']]
  const join = (path: string, key: string | number): string => path === '' ? String(key) : `${path}.${key}`
  while (stack.length > 0) {
    const [v, path] = stack.pop()!
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return { path, problem: 'must be valid Unicode text: it holds a lone surrogate (an unpaired \\ud800 to \\udfff escape)' }
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, problem: 'is a number out of range (at most about 1.8e308)' }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, join(path, i)]))
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return { path: join(path, k), problem: 'is a key that is not valid Unicode text: it holds a lone surrogate' }
        stack.push([x, join(path, k)])
      }
    }
  }
  return undefined
}
