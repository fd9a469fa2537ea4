#!/usr/bin/env node
// Runs the emulator's CLI, bundled into one file by the build (scripts/bundle-cli.ts). `npm ci` builds
// it (the `prepare` script); a bare checkout needs `npm run build`.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const cli = new URL('../dist/quiltt-mock.cjs', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('quiltt-mock: not built yet. Run `npm ci` (or `npm run build`) in the quiltt-mock folder first.\n')
  process.exit(1)
}
createRequire(import.meta.url)(fileURLToPath(cli))
