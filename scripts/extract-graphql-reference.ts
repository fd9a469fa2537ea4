/**
 * Copies Quiltt's 2026-04-01 SDL (reference/quiltt-data-plane.graphql: every type, field, argument,
 * enum value and input, with Quiltt's names and nullability) into the checkout, for
 * test/graphql-schema.test.ts to compare the served schema with on any clone:
 *
 *   npx tsx scripts/extract-graphql-reference.ts [quiltt-data-plane.graphql] [out.graphql]
 *
 * The SDL is copied as it is; the header records the source's name and SHA-256, so a newer
 * reference is a visible change to this file, not a silent one.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { ROOT } from '../server/paths.js'

const DEFAULT_SOURCE = join(ROOT, '..', 'shared', 'reference', 'quiltt-data-plane.graphql')
export const DEFAULT_REFERENCE = join(ROOT, 'test', 'quiltt', 'quiltt-data-plane.reference.graphql')

/** The reference copy: a header naming the source and its SHA-256, then the source as it is. */
export function referenceCopy (name: string, text: string): string {
  const sha = createHash('sha256').update(text).digest('hex')
  return `# source: ${name}\n# sourceSha256: ${sha}\n# derivedBy: scripts/extract-graphql-reference.ts (copied as it is)\n\n${text}`
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const source = process.argv[2] ?? DEFAULT_SOURCE
  const out = process.argv[3] ?? DEFAULT_REFERENCE
  writeFileSync(out, referenceCopy(basename(source), readFileSync(source, 'utf8')))
  console.log(`wrote ${out}`)
}
