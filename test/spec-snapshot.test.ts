import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { type Operation, readSpec, writeSpecSnapshot } from '../server/openapi/spec.js'
import { OPENAPI_PATH } from '../server/paths.js'

// The JSON snapshot of openapi.yaml that `npm run build` writes must never serve a stale spec.

t.test('the snapshot is used only for the exact YAML it was made from', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-spec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const yaml = join(dir, 'openapi.yaml')
  const snapshot = join(dir, 'openapi.json')
  writeFileSync(yaml, 'openapi: 3.0.3\ninfo: { title: one, version: "1" }\npaths: {}\n')

  t.strictSame(readSpec(yaml, snapshot).document, { openapi: '3.0.3', info: { title: 'one', version: '1' }, paths: {} }, 'no snapshot: the YAML')
  writeSpecSnapshot(yaml, snapshot)
  // Mark the snapshot's copy so the test can tell which one was read.
  const written = JSON.parse(readFileSync(snapshot, 'utf8')) as { sha256: string, document: { info: { title: string } } }
  written.document.info.title = 'from the snapshot'
  writeFileSync(snapshot, JSON.stringify(written))
  t.equal((readSpec(yaml, snapshot).document as { info: { title: string } }).info.title, 'from the snapshot', 'a matching snapshot is used')

  writeFileSync(yaml, 'openapi: 3.0.3\ninfo: { title: two, version: "1" }\npaths: {}\n')
  t.equal((readSpec(yaml, snapshot).document as { info: { title: string } }).info.title, 'two', 'an edited YAML wins over the old snapshot')

  writeFileSync(snapshot, '{ not json')
  t.equal((readSpec(yaml, snapshot).document as { info: { title: string } }).info.title, 'two', 'a broken snapshot is ignored')
})

t.test("the snapshot's operations are the ones read from the YAML, $refs resolved; an older snapshot without them is not used", async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-spec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const yaml = join(dir, 'openapi.yaml')
  const snapshot = join(dir, 'openapi.json')
  writeFileSync(yaml, readFileSync(OPENAPI_PATH, 'utf8'))

  const fromYaml = readSpec(yaml, snapshot)
  writeSpecSnapshot(yaml, snapshot)
  const written = JSON.parse(readFileSync(snapshot, 'utf8')) as { operations: Operation[] }
  t.ok(written.operations.length > 20, 'the snapshot holds the operations')
  t.notOk(JSON.stringify(written.operations).includes('"$ref"'), 'with no $ref left in them')
  t.strictSame(readSpec(yaml, snapshot).operations, fromYaml.operations, 'the same operations as read from the YAML')

  // Mark one so the test can tell which copy was read.
  written.operations[0]!.tags = ['from the snapshot']
  writeFileSync(snapshot, JSON.stringify(written))
  t.strictSame(readSpec(yaml, snapshot).operations[0]!.tags, ['from the snapshot'], 'a matching snapshot is used')
  const { operations: _gone, ...older } = written as { operations: Operation[] } & Record<string, unknown>
  writeFileSync(snapshot, JSON.stringify(older))
  t.strictSame(readSpec(yaml, snapshot).operations, fromYaml.operations, 'a snapshot without operations (an older build) is not used: they are read from the YAML')
})
