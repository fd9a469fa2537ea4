import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { readDocument, writeSpecSnapshot } from '../server/openapi/spec.js'

// The JSON snapshot of openapi.yaml that `npm run build` writes must never serve a stale spec.

t.test('the snapshot is used only for the exact YAML it was made from', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-spec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const yaml = join(dir, 'openapi.yaml')
  const snapshot = join(dir, 'openapi.json')
  writeFileSync(yaml, 'openapi: 3.0.3\ninfo: { title: one, version: "1" }\npaths: {}\n')

  t.strictSame(readDocument(yaml, snapshot), { openapi: '3.0.3', info: { title: 'one', version: '1' }, paths: {} }, 'no snapshot: the YAML')
  writeSpecSnapshot(yaml, snapshot)
  // Mark the snapshot's copy so the test can tell which one was read.
  const written = JSON.parse(readFileSync(snapshot, 'utf8')) as { sha256: string, document: { info: { title: string } } }
  written.document.info.title = 'from the snapshot'
  writeFileSync(snapshot, JSON.stringify(written))
  t.equal((readDocument(yaml, snapshot) as { info: { title: string } }).info.title, 'from the snapshot', 'a matching snapshot is used')

  writeFileSync(yaml, 'openapi: 3.0.3\ninfo: { title: two, version: "1" }\npaths: {}\n')
  t.equal((readDocument(yaml, snapshot) as { info: { title: string } }).info.title, 'two', 'an edited YAML wins over the old snapshot')

  writeFileSync(snapshot, '{ not json')
  t.equal((readDocument(yaml, snapshot) as { info: { title: string } }).info.title, 'two', 'a broken snapshot is ignored')
})
