/**
 * Paths in faults and journal filters: exact (`/v1/users/session`), or with `*` standing for any run
 * of characters inside one segment (`/v1/profiles/*`), or a trailing `**` for anything below
 * (`/v1/**`). The query string is never part of the match.
 */
export function pathMatcher (pattern: string): (path: string) => boolean {
  if (!pattern.includes('*')) return path => path === pattern
  const source = pattern
    .split(/(\*\*|\*)/)
    .map(part => part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('')
  const re = new RegExp(`^${source}$`)
  return path => re.test(path)
}
