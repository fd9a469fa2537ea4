import fc from 'fast-check'
import t from 'tap'
import { pathMatcher, patternProblem } from '../server/services/path-pattern.js'

/** The definition the matcher keeps: `*` is `[^/]*`, `**` is `.*`, the rest literal (the old regex). */
function byRegex (pattern: string): (path: string) => boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map(part => part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('')
  const re = new RegExp(`^${source}$`, 's')
  return path => re.test(path)
}

t.test('documented patterns', async t => {
  const cases: Array<[string, string, boolean]> = [
    ['/v1/users/session', '/v1/users/session', true],
    ['/v1/users/session', '/v1/users/sessions', false],
    ['/v1/profiles/*', '/v1/profiles/p_1', true],
    ['/v1/profiles/*', '/v1/profiles/', true],
    ['/v1/profiles/*', '/v1/profiles/p_1/x', false],
    ['/v1/profiles/*', '/v1/profiles', false],
    ['/v1/**', '/v1/profiles/p_1', true],
    ['/v1/**', '/v1/', true],
    ['/v1/**', '/v1', false],
    ['/v1/pro*s', '/v1/profiles', true],
    ['/v1/pro*s', '/v1/pro/s', false],
    ['/v1/*/session*', '/v1/users/sessions', true],
    ['*', '/v1', false],
    ['/*', '/v1', true],
    ['**', '/anything/at/all', true]
  ]
  for (const [pattern, path, expected] of cases) t.equal(pathMatcher(pattern)(path), expected, `${pattern} ~ ${path}`)
})

t.test('the same answers as the regular expression it replaced', async t => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*', '.', '?'), maxLength: 12 })
  const path = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '?', '*'), maxLength: 16 })
  fc.assert(fc.property(text, path, (p, s) => pathMatcher(p)(s) === byRegex(p)(s)), { seed: 20261201, numRuns: 5000 })
  t.pass('5,000 pattern and path pairs agree')
})

t.test('many wildcards against a long path answer at once (a backtracking regex took seconds)', async t => {
  const long = `/v1/profiles/${'a'.repeat(2000)}`
  t.equal(pathMatcher('/**a**a**a**a**a**a**a**b')(long), false)
  t.equal(pathMatcher('/*a*a*a*a*a*a*a*b')(long), false)
  t.equal(pathMatcher('/**a**a**a**a**a**a**a**a')(long), true)
})

t.test('patterns start with / and are bounded: at most 256 characters and 8 wildcards', async t => {
  t.equal(patternProblem('/v1/profiles/*'), undefined)
  t.equal(patternProblem('v1/profiles'), 'must start with /')
  t.equal(patternProblem('/' + 'a'.repeat(255)), undefined)
  t.equal(patternProblem('/' + 'a'.repeat(256)), 'must be at most 256 characters')
  t.equal(patternProblem('/' + '*a'.repeat(8)), undefined)
  t.equal(patternProblem('/' + '**a'.repeat(9)), 'may hold at most 8 wildcards (* or **)')
})
