#!/usr/bin/env node
// Runs the emulator's CLI, bundled into one file by the build (scripts/bundle-cli.ts). `npm ci` builds
// it (the `prepare` script); a bare checkout needs `npm run build`.
// CommonJS, like the bundle: an ES module entry point makes Node start its ES module loader first,
// about 10 ms of every start on a 2-core VM (README, Performance).
'use strict'
const { createHash } = require('node:crypto')
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs')
const { createRequire, Module } = require('node:module')
const { tmpdir } = require('node:os')
const { dirname, join } = require('node:path')
const { debuglog } = require('node:util')
const { Script } = require('node:vm')

const file = join(__dirname, '..', 'dist', 'quiltt-mock.cjs')
let bytes
try {
  bytes = readFileSync(file)
} catch {
  process.stderr.write('quiltt-mock: not built yet. Run `npm ci` (or `npm run build`) in the quiltt-mock folder first.\n')
  process.exit(1)
}

// V8's compiled code for the bundle is kept between runs, as Node 22's module.enableCompileCache
// does (Node 20 has no such thing): compiling the bundle was a fifth of the cold start
// (README, Performance). V8 checks little more than the source's length, so the file is named after
// a hash of the source and of this Node. `NODE_DEBUG=quiltt-mock` tells what happened to it.
const debug = debuglog('quiltt-mock')
const key = createHash('sha1').update(bytes).update(`${process.version} ${process.arch}`).digest('hex')
// Compiled code runs as this process: the folder is this user's alone, or it is not used.
const uid = process.getuid?.()
const cacheDir = join(tmpdir(), `quiltt-mock-code-cache${uid === undefined ? '' : `-${uid}`}`)
const cacheFile = join(cacheDir, `${key}.bin`)
function ownCacheDir () {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
    const dir = statSync(cacheDir)
    return uid === undefined || (dir.uid === uid && (dir.mode & 0o077) === 0)
  } catch {
    return false
  }
}
const useCache = ownCacheDir()
let cachedData
if (useCache) try { cachedData = readFileSync(cacheFile) } catch {}
const script = new Script(Module.wrap(bytes.toString()), { filename: file, cachedData })
debug('code cache %s: %s', cacheFile, !useCache ? 'not used (folder not private to this user)' : cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used')
if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
  // Written a while after the start, so the functions the start and the first requests compiled are in it.
  setTimeout(() => {
    try {
      const partial = `${cacheFile}.${process.pid}`
      writeFileSync(partial, script.createCachedData())
      renameSync(partial, cacheFile) // whole or not at all, with other instances starting alongside
      debug('code cache %s: written', cacheFile)
    } catch (err) {
      debug('code cache %s: not written (%s)', cacheFile, err) // the next start compiles, as without it
    }
  }, 2000).unref()
}
// What Node would hand a CommonJS file; the bundle's requires resolve from its own folder.
const bundle = new Module(file)
bundle.filename = file
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file))
