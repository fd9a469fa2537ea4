/**
 * Derives the facts-only copy of Quiltt's published REST OpenAPI document that the test suite and
 * `quiltt-mock verify` check answers and pacts against:
 *
 *   npx tsx scripts/derive-quiltt-facts.ts [source.json] [out.json]
 *
 * Facts are what a machine can check: paths, methods, statuses, headers, security schemes and
 * schemas (types, formats, required fields, enums, bounds, additionalProperties). Prose is left out:
 * descriptions, summaries, titles, examples, tags and vendor extensions. The output records the
 * source file's name, its SHA-256 and the API version it describes, so a newer document is a new
 * file beside this one, not a silent edit.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { ROOT } from '../server/paths.js'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

const DEFAULT_SOURCE = join(ROOT, '..', 'shared', 'reference', 'quiltt-openapi-2026-04-01.json')
export const DEFAULT_FACTS = join(ROOT, 'test', 'quiltt', 'quiltt-openapi-2026-04-01.facts.json')

// Keys whose value is prose or an illustration, never a fact to check against.
const PROSE = new Set(['description', 'summary', 'title', 'example', 'examples', 'tags', 'externalDocs', 'x-tagGroups', 'operationId'])
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head'])

function facts (node: Json, key = ''): Json {
  if (Array.isArray(node)) return node.map(n => facts(n))
  if (node === null || typeof node !== 'object') return node
  const out: { [k: string]: Json } = {}
  for (const [k, v] of Object.entries(node)) {
    // Under `properties` (and a path's methods, a response map) keys are names, not keywords.
    const isName = key === 'properties' || key === 'schemas' || key === 'responses' || key === 'paths' || key === 'headers' || key === 'securitySchemes' || key === 'content'
    if (!isName && (PROSE.has(k) || k.startsWith('x-'))) continue
    out[k] = facts(v, k)
  }
  return out
}

export function deriveFacts (source: Json, sourceName: string, sourceSha256: string): Json {
  const doc = source as { [k: string]: Json }
  const info = doc.info as { [k: string]: Json }
  const paths: { [k: string]: Json } = {}
  for (const [path, item] of Object.entries(doc.paths as { [k: string]: { [k: string]: Json } })) {
    const kept: { [k: string]: Json } = {}
    for (const [k, v] of Object.entries(item)) if (METHODS.has(k) || k === 'parameters' || k === 'servers') kept[k] = facts(v)
    paths[path] = kept
  }
  return {
    'x-facts': {
      source: sourceName,
      sourceSha256,
      apiVersion: info.version ?? null,
      derivedBy: 'scripts/derive-quiltt-facts.ts',
      note: 'Facts only (paths, methods, statuses, headers, schemas), derived mechanically from Quiltt\'s published REST OpenAPI document; prose and examples left out.'
    },
    openapi: doc.openapi ?? null,
    servers: facts(doc.servers ?? []),
    security: facts(doc.security ?? []),
    paths,
    components: facts(doc.components ?? {})
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const source = process.argv[2] ?? DEFAULT_SOURCE
  const out = process.argv[3] ?? DEFAULT_FACTS
  const text = readFileSync(source, 'utf8')
  const sha = createHash('sha256').update(text).digest('hex')
  writeFileSync(out, `${JSON.stringify(deriveFacts(JSON.parse(text) as Json, basename(source), sha), null, 1)}\n`)
  console.log(`wrote ${out}`)
}
