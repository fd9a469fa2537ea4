// `npm start`'s prestart: builds only when a source is newer than the bundle, so a start takes a
// fraction of a second instead of the ~7 s of a full build, and an edited checkout still runs its edits.
// The build's own output goes to stderr: stdout is the banner's, and programs read the URL there.
'use strict'
const { spawnSync } = require('node:child_process')
const { readdirSync, statSync } = require('node:fs')
const { join } = require('node:path')

const BUNDLE = join('dist', 'quiltt-mock.cjs')
// What the bundle is built from (package.json's "build" script).
const SOURCES = ['server', 'openapi.yaml', join('scripts', 'bundle-cli.ts'), 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']

function newest (path) {
  let stat
  try { stat = statSync(path) } catch { return undefined }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs }
  let best
  for (const name of readdirSync(path)) {
    const found = newest(join(path, name))
    if (found && (!best || found.mtimeMs > best.mtimeMs)) best = found
  }
  return best
}

/**
 * The source (relative to root) that makes `output` stale, or undefined when it is up to date: by
 * default the bundle and what it is built from (also what scripts/typecheck-if-stale.cjs asks).
 */
function staleBecause (root, output = BUNDLE, sources = SOURCES) {
  let built
  try { built = statSync(join(root, output)).mtimeMs } catch { return output }
  for (const source of sources) {
    const found = newest(join(root, source))
    if (found && found.mtimeMs > built) return found.path.slice(root.length + 1)
  }
  return undefined
}

module.exports = { staleBecause }

if (require.main === module) {
  const root = join(__dirname, '..')
  const why = staleBecause(root)
  if (why !== undefined) {
    process.stderr.write(`quiltt-mock: building (${why === BUNDLE ? 'not built yet' : `${why} is newer than the bundle`})\n`)
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const res = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' })
    process.exit(res.status ?? 1)
  }
}
