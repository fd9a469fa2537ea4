// Node 20 only (bin/quiltt-mock.cjs): V8's compiled code of the bundle kept between runs, as Node 22's
// module.enableCompileCache() does (what it saves: docs/performance.md). Goes when Node 20 does.
'use strict'
const { createHash } = require('node:crypto')
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs')
const { Module } = require('node:module')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { debuglog } = require('node:util')
const { Script } = require('node:vm')

// Caches of other builds and other Node versions kept beside the newest: a few checkouts or installs
// in use at once each keep theirs; an older one is written again the next time it runs.
const KEEP = 4

/**
 * The bundle as a vm.Script, compiled with the code an earlier run kept in
 * `<tmpdir>/quiltt-mock-code-cache-<uid>/<sha1 of the bundle and Node>.bin` (V8 checks little more
 * than the source's length, hence the hash in the name). A start that found none, or one V8
 * rejected, writes it two seconds later, so the functions the start and the first requests compiled
 * are in it, and prunes the folder to the KEEP newest. `NODE_DEBUG=quiltt-mock` tells what happened.
 */
function compile (file) {
  const bytes = readFileSync(file)
  const debug = debuglog('quiltt-mock')
  const key = createHash('sha1').update(bytes).update(`${process.version} ${process.arch}`).digest('hex')
  // Compiled code runs as this process: the folder is this user's alone, or it is not used.
  const uid = process.getuid?.()
  const dir = join(tmpdir(), `quiltt-mock-code-cache${uid === undefined ? '' : `-${uid}`}`)
  const cacheFile = join(dir, `${key}.bin`)
  const useCache = ownedBy(dir, uid)
  let cachedData
  if (useCache) try { cachedData = readFileSync(cacheFile) } catch {}
  const script = new Script(Module.wrap(bytes.toString()), { filename: file, cachedData })
  debug('code cache %s: %s', cacheFile, !useCache ? 'not used (folder not private to this user)' : cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used')
  if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
    setTimeout(() => {
      try {
        const partial = `${cacheFile}.${process.pid}`
        writeFileSync(partial, script.createCachedData())
        renameSync(partial, cacheFile) // whole or not at all, with other instances starting alongside
        debug('code cache %s: written', cacheFile)
        const pruned = prune(dir)
        if (pruned.length > 0) debug('code cache %s: pruned %s', dir, pruned.join(', '))
      } catch (err) {
        debug('code cache %s: not written (%s)', cacheFile, err) // the next start compiles, as without it
      }
    }, 2000).unref()
  }
  return script
}

function ownedBy (dir, uid) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const stat = statSync(dir)
    return uid === undefined || (stat.uid === uid && (stat.mode & 0o077) === 0)
  } catch {
    return false
  }
}

/** Deletes all but the KEEP newest caches, and partial files left by a process that died writing one; returns their names. */
function prune (dir) {
  const now = Date.now()
  const files = readdirSync(dir).flatMap(name => {
    if (!/\.bin(\.\d+)?$/.test(name)) return []
    try { return [{ name, mtimeMs: statSync(join(dir, name)).mtimeMs }] } catch { return [] }
  })
  const caches = files.filter(f => f.name.endsWith('.bin')).sort((a, b) => b.mtimeMs - a.mtimeMs)
  const partials = files.filter(f => !f.name.endsWith('.bin') && now - f.mtimeMs > 60_000)
  const gone = [...caches.slice(KEEP), ...partials].map(f => f.name)
  for (const name of gone) rmSync(join(dir, name), { force: true })
  return gone
}

module.exports = { compile, KEEP }
