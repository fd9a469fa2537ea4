/**
 * What the strings of a documented format look like, and whether a pact's regular expression can
 * match any of them: decided exactly, with finite automata (refa), for the regular expressions
 * JavaScript reads that have no lookaround or other mid-pattern assertion.
 */
import { createRequire } from 'node:module'
import { FORMAT_GRAMMARS, wholeMatch } from '../formats.js'

/**
 * The grammars of the formats Quiltt's document uses for strings (server/formats.ts), each a superset
 * of what Quiltt sends. Formats not listed there (uri, int64, double, ...) are not compared with
 * regular expressions.
 */
export const FORMATS = FORMAT_GRAMMARS

/** How numbers and booleans are written, for regexes Pact applies to their "string representation". */
export const SCALARS = {
  integer: '-?(?:0|[1-9]\\d*)',
  number: '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?',
  boolean: 'true|false'
} as const

/** Semantic versions, for Pact's `semver` matcher. */
export const SEMVER = '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?'

/** Whether the whole of `value` is in the language (a grammar above, as a full match). */
export const fullMatch = wholeMatch

export type Decision = { overlap: boolean } | { undecidable: string }

/** A regular expression compiled for JavaScript as written (a schema's `pattern`, found anywhere in a value); or why it cannot be. */
export function pactRegex (source: string): RegExp | string {
  try {
    return new RegExp(source)
  } catch (err) {
    return `it is not a regular expression JavaScript reads (${(err as Error).message}); Pact's verifiers use Rust's and Java's dialects`
  }
}

/**
 * A pact's `regex` matcher as the Pact Verifier applies it: to the WHOLE value (pact-core 19 fails
 * `p_1h...` against `^p_`, and passes it against `^p_.*$`); or why it cannot be compiled.
 */
export function pactMatcherRegex (source: string): RegExp | string {
  const compiled = pactRegex(source)
  return typeof compiled === 'string' ? compiled : new RegExp(`^(?:${source})$`)
}

type Refa = typeof import('refa')
let refa: Refa | undefined
// Loaded on first use: a large library (Unicode tables) that only the check needs.
const loadRefa = (): Refa => (refa ??= createRequire(import.meta.url)('refa') as Refa)

/**
 * Whether some string matches both `source` (as Pact applies it: the whole value) and every one of
 * `grammars` (whole strings). Exact, or undecidable with the reason.
 */
export function regexOverlaps (source: string, grammars: string[]): Decision {
  const compiled = pactRegex(source)
  if (typeof compiled === 'string') return { undecidable: compiled }
  const { JS, NFA, isDisjointWith } = loadRefa()
  let anchored: string
  try {
    // The Verifier matches the whole value, so `^` and `$` at the edges of an alternative say nothing more.
    const { pattern } = JS.Parser.fromLiteral({ source, flags: '' }).ast
    anchored = pattern.alternatives.map(alternative => {
      const elements = [...alternative.elements]
      const first = elements[0]
      const last = elements[elements.length - 1]
      const start = first?.type === 'Assertion' && first.kind === 'start'
      const end = elements.length > (start ? 1 : 0) && last?.type === 'Assertion' && last.kind === 'end'
      const body = elements.slice(start ? 1 : 0, end ? -1 : undefined).map(e => e.raw).join('')
      return `(?:${body})`
    }).join('|')
  } catch (err) {
    return { undecidable: `the check cannot read it (${(err as Error).message})` }
  }
  try {
    const toNfa = (s: string) => {
      const { expression, maxCharacter } = JS.Parser.fromLiteral({ source: s, flags: '' }).parse({ assertions: 'throw', backreferences: 'throw' })
      return NFA.fromRegex(expression, { maxCharacter })
    }
    let language = toNfa(anchored)
    for (const g of grammars) {
      const other = toNfa(g)
      if (isDisjointWith(language, other)) return { overlap: false }
      language = NFA.fromIntersection(language, other)
    }
    return { overlap: !language.isEmpty }
  } catch (err) {
    return { undecidable: `it uses what finite automata cannot express (lookaround, backreferences, or ^/$ inside the pattern: ${(err as Error).message})` }
  }
}

/** A regular expression matching any value that contains `text`, for Pact's `include` matcher. */
export const literalRegex = (text: string): string => `[\\s\\S]*${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[\\s\\S]*`
