#!/usr/bin/env node
// Runs the emulator's CLI, bundled into one file by the build (scripts/bundle-cli.ts). `npm ci` builds
// it (the `prepare` script); a bare checkout needs `npm run build`.
// CommonJS, like the bundle: an ES module entry point makes Node start its ES module loader first,
// on every start (docs/performance.md).
'use strict'
const { existsSync } = require('node:fs')
const { createRequire, enableCompileCache, Module } = require('node:module')
const { dirname, join } = require('node:path')

const file = join(__dirname, '..', 'dist', 'quiltt-mock.cjs')
if (!existsSync(file)) {
  process.stderr.write('quiltt-mock: not built yet. Run `npm ci` (or `npm run build`) in the quiltt-mock folder first.\n')
  process.exit(1)
}

// V8's compiled code for the bundle is kept between runs, so a start does not compile it again
// (docs/performance.md). Node 22 and later do that themselves (module.enableCompileCache); Node 20,
// which has no such thing, gets the small copy of it in code-cache.cjs.
if (typeof enableCompileCache === 'function') {
  enableCompileCache()
  require(file)
} else {
  const script = require('./code-cache.cjs').compile(file)
  // What Node would hand a CommonJS file; the bundle's requires resolve from its own folder.
  const bundle = new Module(file)
  bundle.filename = file
  script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file))
}
