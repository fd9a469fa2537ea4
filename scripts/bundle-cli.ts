// Bundles the compiled CLI (dist/server/cli/cli.js) into one CommonJS file, dist/quiltt-mock.cjs, which
// bin/quiltt-mock.cjs runs: one minified script is read and compiled in one go, where loading ~300 ES
// modules one by one dominated the cold start (docs/performance.md).
// The library entry points (dist/server/index.js, drop-in/register.js, drop-in/next-loader.js) stay ES modules.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { ROOT } from '../server/paths.js'

// The sources load some packages on first use with createRequire(import.meta.url), which esbuild
// cannot follow. As a plain require() they are bundled too, and still run only when first called.
const followLazyRequires: Plugin = {
  name: 'follow-lazy-requires',
  setup (b) {
    b.onLoad({ filter: /[\\/]dist[\\/]server[\\/].*\.js$/ }, async args => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('createRequire(import.meta.url)(', 'require('),
      loader: 'js'
    }))
  }
}

// Fastify's server module loads node:https and node:http2 (with tls, a tenth of the start) for the
// servers it makes itself; the emulator serves plain HTTP, so they are loaded only if ever used.
// The build stops if Fastify's source no longer reads as expected.
const FASTIFY_SERVERS = "const https = require('node:https')\nconst http2 = require('node:http2')\n"
const lazyTlsServers: Plugin = {
  name: 'lazy-tls-servers',
  setup (b) {
    b.onLoad({ filter: /[\\/]fastify[\\/]lib[\\/]server\.js$/ }, async args => {
      const source = await readFile(args.path, 'utf8')
      if (!source.includes(FASTIFY_SERVERS)) throw new Error(`${args.path} no longer loads https and http2 as expected: update scripts/bundle-cli.ts`)
      const lazy = 'const lazyBuiltin = id => { let m; return new Proxy({}, { get: (_, k) => (m ??= require(id))[k] }) }\n' +
        "const https = lazyBuiltin('node:https')\nconst http2 = lazyBuiltin('node:http2')\n"
      return { contents: source.replace(FASTIFY_SERVERS, lazy), loader: 'js' }
    })
  }
}

await build({
  entryPoints: [join(ROOT, 'dist', 'server', 'cli', 'cli.js')],
  outfile: join(ROOT, 'dist', 'quiltt-mock.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Minified, names included: less to read, hash and deserialize at every start.
  // Nothing in the emulator or its dependencies relies on a function's or class's own name (errors
  // that are matched by name, like better-sqlite3's SqliteError, set it explicitly); stack traces map
  // back through the source map with --enable-source-maps. Not esbuild's keepNames: it wraps every
  // function the code creates in a call to Object.defineProperty, and Fastify creates closures on
  // every request (health answered at ~0.6 of bare Fastify with it, ~0.85 without; README, Performance).
  minify: true,
  // For `node --enable-source-maps`; points into dist/server, whose own maps lead to the sources.
  sourcemap: 'linked',
  sourcesContent: false,
  // A pretty printer only a terminal needs; the Pact verifier and refa (1 MB of automata and Unicode
  // tables, for the Quiltt contract check) only `verify` needs; graphql-js only a GraphQL request needs
  // (280 KB the start would read for nothing). better-sqlite3's JavaScript is bundled; its native
  // addon is loaded from node_modules by path (store/db.ts).
  external: ['pino-pretty', '@pact-foundation/pact', '@pact-foundation/pact-core', 'refa', 'graphql', 'graphql-jit'],
  // Module paths are found from import.meta.url (the package root, lazy requires); in the bundle that
  // is the bundle's own URL, one folder above dist/server, which finds the same root and node_modules.
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
  plugins: [followLazyRequires, lazyTlsServers],
  logLevel: 'warning'
})
