/**
 * Paths in faults and journal filters: exact (`/v1/users/session`), or with `*` standing for any run
 * of characters inside one segment (`/v1/profiles/*`), or a trailing `**` for anything below
 * (`/v1/**`). The query string is never part of the match.
 *
 * Matched in one pass per part of the pattern over the positions of the path (time: parts x path
 * length), never with a backtracking regular expression: `/**a**a**a**b` against a long path of a's
 * took a regex seconds, and each further wildcard multiplied that, blocking every request meanwhile.
 */
type Part = { text: string } | '*' | '**'

const SLASH = 47
// Bounds on the work per match (parts x path length), with room for any real pattern.
export const MAX_PATTERN_LENGTH = 256
export const MAX_WILDCARDS = 8

/** Why a pattern is refused (a 422 on its field), or undefined. */
export function patternProblem (pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'must start with /'
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`
  if ((pattern.match(/\*\*|\*/g)?.length ?? 0) > MAX_WILDCARDS) return `may hold at most ${MAX_WILDCARDS} wildcards (* or **)`
  return undefined
}

export function pathMatcher (pattern: string): (path: string) => boolean {
  if (!pattern.includes('*')) return path => path === pattern
  const parts: Part[] = pattern.split(/(\*\*|\*)/)
    .filter(p => p !== '')
    .map(p => p === '*' || p === '**' ? p : { text: p })
  return path => {
    const n = path.length
    // at[i]: the parts so far can match path[0, i).
    let at = new Uint8Array(n + 1)
    at[0] = 1
    for (const part of parts) {
      const next = new Uint8Array(n + 1)
      if (part === '*' || part === '**') {
        // From a reachable position onwards, while no `/` is crossed (`*`) or at all (`**`).
        let reach = false
        for (let i = 0; i <= n; i++) {
          reach = at[i] === 1 || (reach && (part === '**' || path.charCodeAt(i - 1) !== SLASH))
          if (reach) next[i] = 1
        }
      } else {
        const { text } = part
        for (let i = 0; i + text.length <= n; i++) if (at[i] === 1 && path.startsWith(text, i)) next[i + text.length] = 1
      }
      if (!next.includes(1)) return false
      at = next
    }
    return at[n] === 1
  }
}
