// Where the package's own files are (openapi.yaml, fixtures, dist), from a checkout or an installed package.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root, found from this file whether it runs as server/*.ts or as dist/server/*.js. */
function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'openapi.yaml'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('quiltt-mock: cannot find openapi.yaml above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  return dir
}

export const ROOT = findRoot()
export const OPENAPI_PATH = join(ROOT, 'openapi.yaml')
export const DEFAULT_FIXTURES_PATH = join(ROOT, 'fixtures', 'default.json')
/** The default environment and a phone-login one: what `verify` loads, as the public contract's phone states need it. */
export const EMAIL_AND_PHONE_FIXTURES_PATH = join(ROOT, 'fixtures', 'email-and-phone.json')
/** The facts-only copy of Quiltt's published REST document (scripts/derive-quiltt-facts.ts): what `verify` checks pacts against. It ships in the package. */
export const QUILTT_FACTS_PATH = join(ROOT, 'test', 'quiltt', 'quiltt-openapi-2026-04-01.facts.json')
/**
 * Quiltt's GraphQL schema at API version 2026-04-01, what `verify` checks GraphQL interactions against:
 * the schema.graphql the emulator serves, which is Quiltt's whole SDL (test/graphql-schema.test.ts
 * compares it with the reference both ways, and test/contract/graphql.test.ts the check's copy).
 */
export const QUILTT_GRAPHQL_SCHEMA_PATH = join(ROOT, 'schema.graphql')

const BUNDLED_FIXTURES: Record<string, string> = { default: DEFAULT_FIXTURES_PATH, 'email-and-phone': EMAIL_AND_PHONE_FIXTURES_PATH }

/**
 * A fixture file's path: `default` and `email-and-phone` name the files that ship with quiltt-mock,
 * so they work from any folder (an installed package's fixtures are not under the user's cwd),
 * unless a file of that name is there.
 */
export function fixturesPath (value: string): string {
  return Object.hasOwn(BUNDLED_FIXTURES, value) && !existsSync(value) ? BUNDLED_FIXTURES[value]! : value
}
