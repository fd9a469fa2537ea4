import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'

const { staleBecause } = createRequire(import.meta.url)('../scripts/build-if-stale.cjs') as { staleBecause: (root: string) => string | undefined }

t.test("npm start's prestart builds only when a source is newer than the bundle", async t => {
  const root = mkdtempSync(join(tmpdir(), 'quiltt-mock-stale-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const at = (path: string, seconds: number): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), '')
    utimesSync(join(root, path), seconds, seconds)
  }
  at('server/routes/profiles.ts', 1000)
  at('openapi.yaml', 1000)
  at('package.json', 1000)
  t.equal(staleBecause(root), join('dist', 'quiltt-mock.cjs'), 'not built yet')

  at('dist/quiltt-mock.cjs', 2000)
  t.equal(staleBecause(root), undefined, 'built after every source: no build')

  at('server/routes/profiles.ts', 3000)
  t.equal(staleBecause(root), join('server', 'routes', 'profiles.ts'), 'a source deep in server/ edited since')
  at('dist/quiltt-mock.cjs', 4000)
  at('openapi.yaml', 5000)
  t.equal(staleBecause(root), 'openapi.yaml', 'the spec edited since')
  at('dist/quiltt-mock.cjs', 6000)
  at('scripts/bundle-cli.ts', 7000)
  t.equal(staleBecause(root), join('scripts', 'bundle-cli.ts'), 'the bundler edited since')
  at('dist/quiltt-mock.cjs', 8000)
  at('test/unrelated.test.ts', 9000)
  t.equal(staleBecause(root), undefined, 'tests are not part of the bundle')
})
