// Worker threads get the preload too: no thread of a redirected process reaches the real Quiltt.
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { WorkerOptions } from 'node:worker_threads'

/** The settings a worker's copy of the preload reads; a worker given its own `env` gets them too. */
const SETTINGS = ['QUILTT_MOCK_URL', 'QUILTT_MOCK_HOSTS', 'QUILTT_MOCK_ALLOW_REMOTE']

/**
 * Node runs `--import` preloads in a worker started from a file, with the `execArgv` it is given (by
 * default the process's), and never in an `eval: true` worker. So a worker started with
 * `execArgv: []`, or from code, resolved Quiltt's hosts through real DNS: with internet, an App Secret
 * would have gone to Quiltt. Every Worker constructed from now on in this thread:
 * - from a file: its `execArgv` gets `--import <this preload>` (whatever it was);
 * - from code (`eval: true`): its code runs once the preload is imported in the worker;
 * - with an `env` of its own: the QUILTT_MOCK_* settings of this process are added where it has none.
 * `Worker` is replaced in `node:worker_threads` itself (a subclass: `instanceof Worker` holds), and in
 * its ESM named exports.
 */
export function redirectWorkers (preloadUrl: string): void {
  const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')
  const Original = threads.Worker
  if ((Original as unknown as { quilttMock?: boolean }).quilttMock) return

  function adjust (filename: string | URL, options: WorkerOptions = {}): [string | URL, WorkerOptions] {
    const opts: WorkerOptions = { ...options }
    if (opts.env !== undefined && opts.env !== threads.SHARE_ENV && typeof opts.env === 'object' && opts.env !== null) {
      const env = { ...(opts.env as Record<string, string | undefined>) }
      for (const k of SETTINGS) if (env[k] === undefined && process.env[k] !== undefined) env[k] = process.env[k]
      opts.env = env
    }
    const argv = opts.execArgv ?? process.execArgv
    if (opts.eval) {
      const code = String(filename)
      // A module (`--input-type=module`, inherited from `node --input-type=module -e` too): the preload
      // is its first import, so it runs before the code's own imports.
      if (argv.some((a, i) => a === '--input-type=module' || (a === '--input-type' && argv[i + 1] === 'module'))) {
        return [`import ${JSON.stringify(preloadUrl)};\n${code}`, opts]
      }
      // A script, with `require` in scope: it runs as written once the preload has patched the thread.
      // A preload that fails stops the worker, as it stops a process.
      const wrapped = `import(${JSON.stringify(preloadUrl)}).then(() => { (0, eval)(${JSON.stringify(code)}) }, err => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(1) })`
      return [wrapped, opts]
    }
    opts.execArgv = argv.includes(preloadUrl) ? [...argv] : [...argv, '--import', preloadUrl]
    return [filename, opts]
  }

  class Worker extends Original {
    static quilttMock = true
    constructor (filename: string | URL, options?: WorkerOptions) {
      super(...adjust(filename, options))
    }
  }
  threads.Worker = Worker
  syncBuiltinESMExports()
}
