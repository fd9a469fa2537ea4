// Quiltt's custom metadata (connections, accounts, transactions): 1 to 50 keys, `null` clears it. The
// same rules as a profile's metadata, so a hostile value is refused the same way.
import type { FieldErrorCollector } from '../errors.js'
import { hasPrototypeKeys, isPlainObject, nestsAtMost } from './formats.js'

const MAX_DEPTH = 32

/** The metadata as stored JSON text (null clears it), or undefined after adding the problem to `errs`. */
export function parseMetadata (value: unknown, errs: FieldErrorCollector, field = 'metadata'): string | null | undefined {
  if (value === null) return null
  if (!isPlainObject(value)) { errs.add(field, 'must be an object'); return undefined }
  const n = Object.keys(value).length
  if (n < 1 || n > 50) errs.add(field, 'must have between 1 and 50 keys')
  else if (!nestsAtMost(value, MAX_DEPTH)) errs.add(field, `is nested too deeply (at most ${MAX_DEPTH} levels)`)
  else if (hasPrototypeKeys(value)) errs.add(field, 'must not have a __proto__ key, or a constructor key holding a prototype')
  else return JSON.stringify(value)
  return undefined
}
