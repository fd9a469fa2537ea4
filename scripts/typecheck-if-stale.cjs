// `npm run lint`'s type check, after eslint: type-checks the project (`npm run typecheck`) only when a
// file it reads changed since the last clean check. A full check takes about 20 s of CPU on a 2-core
// VM, a sixth of `npm test`'s budget, which is why it is part of the lint (static checks) rather than
// the tests; an unchanged tree is skipped in a few milliseconds (docs/performance.md). A fresh install
// has no stamp, so CI always checks.
'use strict'
const { spawnSync } = require('node:child_process')
const { mkdirSync, utimesSync, writeFileSync } = require('node:fs')
const { dirname, join } = require('node:path')
const { staleBecause } = require('./build-if-stale.cjs')

// Written after a clean check; node_modules/.cache is where tools keep such things, and a new install clears it.
const STAMP = join('node_modules', '.cache', 'quiltt-mock', 'typecheck-passed')
// What tsconfig.json includes, and what decides the types of what it imports.
const SOURCES = ['server', 'test', 'contracts', 'bench', 'scripts', 'tsconfig.json', 'package.json', 'package-lock.json']

const root = join(__dirname, '..')
const why = staleBecause(root, STAMP, SOURCES)
if (why !== undefined) {
  const started = new Date()
  process.stderr.write(`quiltt-mock: type-checking (${why === STAMP ? 'no clean check on record' : `${why} changed since the last clean check`})\n`)
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] })
  const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' })
  if (res.status !== 0) process.exit(res.status ?? 1)
  mkdirSync(dirname(join(root, STAMP)), { recursive: true })
  writeFileSync(join(root, STAMP), '')
  // As of the start: a file saved while tsc ran was perhaps not seen, so it counts as changed next time.
  utimesSync(join(root, STAMP), started, started)
}
