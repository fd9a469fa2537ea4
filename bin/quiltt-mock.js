#!/usr/bin/env node
// Runs the compiled emulator. `npm ci` builds it (the `prepare` script); a bare checkout needs `npm run build`.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/server/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('quiltt-mock: not built yet. Run `npm ci` (or `npm run build`) in the quiltt-mock folder first.\n')
  process.exit(1)
}
await import(cli.href)
