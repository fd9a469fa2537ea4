/**
 * Copies the SDL block of the GraphQL reference (reference/quiltt-graphql.md: Quiltt's type and
 * field names, arguments and nullability) into the checkout, for test/graphql-schema.test.ts to
 * check schema.graphql against on any clone:
 *
 *   npx tsx scripts/extract-graphql-reference.ts [quiltt-graphql.md] [out.graphql]
 *
 * The block is copied as it is; the header records the source's name and SHA-256, so a newer
 * reference is a visible change to this file, not a silent one.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { ROOT } from '../server/paths.js'

const DEFAULT_SOURCE = join(ROOT, '..', 'shared', 'reference', 'quiltt-graphql.md')
export const DEFAULT_REFERENCE = join(ROOT, 'test', 'quiltt', 'quiltt-graphql.reference.graphql')

export function extractSdl (markdown: string): string {
  const blocks = [...markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)].map(m => m[1]!)
  if (blocks.length !== 1) throw new Error(`expected one \`\`\`graphql block, found ${blocks.length}`)
  return blocks[0]!
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const source = process.argv[2] ?? DEFAULT_SOURCE
  const out = process.argv[3] ?? DEFAULT_REFERENCE
  const text = readFileSync(source, 'utf8')
  const sha = createHash('sha256').update(text).digest('hex')
  writeFileSync(out, `# source: ${basename(source)}\n# sourceSha256: ${sha}\n# derivedBy: scripts/extract-graphql-reference.ts (the SDL block, as it is)\n\n${extractSdl(text)}`)
  console.log(`wrote ${out}`)
}
