// The string formats of openapi.yaml and Quiltt's document, in one table. The pact check compares
// pacts' regular expressions with each grammar (contract/formats.ts), Ajv checks answers with each
// check (openapi/response-check.ts), and the services hold requests to the same checks (services/formats.ts).

interface Format {
  /**
   * What a string of the format may look like (regular expression source, matched whole): a superset
   * of what Quiltt sends, so that the pact check never calls a string Quiltt could send impossible.
   */
  grammar: string
  /** What the emulator accepts and writes, where stricter than the grammar; a whole match of the grammar otherwise. */
  check?: (v: string) => boolean
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
export function isCalendarDate (v: string): boolean {
  const m = DATE.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

// Rails' URI::MailTo-like rule: something@something.tld, no spaces, one @.
const EMAIL = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/
// Not an address anyone can receive mail at: a lone surrogate (not Unicode), U+FFFD (what a body's
// invalid UTF-8 decodes to) or a control character. Other non-ASCII (internationalised addresses) stays valid.
const NOT_TEXT = /[\p{Cs}\uFFFD\p{Cc}]/u
export const isEmail = (v: string): boolean => v.length <= 320 && EMAIL.test(v) && !NOT_TEXT.test(v)

// The emulator writes date-times as RFC 3339 with an upper-case T and Z (or an offset).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const E164 = '\\+[1-9]\\d{1,14}'
// E.164 caps a number at 15 digits and sets no minimum; the shortest numbers in service (Niue's:
// +683 and four digits) have 7, so the emulator refuses fewer. It does not normalise other forms.
const E164_IN_SERVICE = /^\+\d{7,}$/

const TABLE: Record<string, Format> = {
  uuid: { grammar: '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}' },
  // Named but not defined by Quiltt's document; every example of it Quiltt publishes is a lowercase
  // type prefix, an underscore and letters and digits (`p_1hyoxpVVFib1HngGwKAzIr`, `env_...`).
  'global_id-v1': { grammar: '[a-z]+_[0-9A-Za-z]+' },
  'date-time': { grammar: '\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:\\d{2})', check: v => DATE_TIME.test(v) },
  date: { grammar: '\\d{4}-\\d{2}-\\d{2}', check: isCalendarDate },
  jwt: { grammar: '[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*' },
  email: { grammar: '[^@]+@[^@]+', check: isEmail },
  'E.164': { grammar: E164, check: v => wholeMatch(E164, v) && E164_IN_SERVICE.test(v) },
  // Quiltt's GraphQL custom scalars (contract/graphql.ts), where a JSON string carries them. Quiltt's
  // GraphQL is graphql-ruby (inferred: ActionCable subscriptions), whose BigInt is written as a string
  // of digits; a URL is taken to be absolute (a scheme, then anything without spaces).
  'graphql-BigInt': { grammar: '-?\\d+' },
  'graphql-URL': { grammar: '[A-Za-z][A-Za-z0-9+.-]*:\\S*' }
}

const whole = new Map<string, RegExp>()
/** Whether the whole of `value` matches `grammar` (regular expression source). */
export function wholeMatch (grammar: string, value: string): boolean {
  let re = whole.get(grammar)
  if (!re) { re = new RegExp(`^(?:${grammar})$`); whole.set(grammar, re) }
  return re.test(value)
}

/** Each format's grammar, for comparing regular expressions (contract/formats.ts). */
export const FORMAT_GRAMMARS: Record<string, string> = Object.fromEntries(Object.entries(TABLE).map(([name, f]) => [name, f.grammar]))

/** Each format's check of a value, for Ajv (which ships none without ajv-formats) and the services. */
export const FORMAT_CHECKS: Record<string, (v: string) => boolean> = Object.fromEntries(
  Object.entries(TABLE).map(([name, f]) => [name, f.check ?? ((v: string) => wholeMatch(f.grammar, v))]))

/**
 * What Ajv checks answers with: every format of the table, and two that only values need (no pact
 * regex is compared with them): a webhook subscription's `targetUrl` (WHATWG URL with a scheme) and
 * Quiltt's `double` amounts in webhook events (any finite JSON number).
 */
export const AJV_FORMATS = {
  ...FORMAT_CHECKS,
  uri: (v: string): boolean => URL.canParse(v),
  double: { type: 'number' as const, validate: (v: number): boolean => Number.isFinite(v) }
}

export const isUuid = FORMAT_CHECKS.uuid!
export const isE164 = FORMAT_CHECKS['E.164']!
