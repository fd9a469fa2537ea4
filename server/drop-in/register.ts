/**
 * `node --import quiltt-mock/register app.js` (or the same in NODE_OPTIONS, which reaches Next.js and
 * its workers). Two things, both for this process only:
 *
 * 1. Every `*.localhost` name resolves to 127.0.0.1, so the unmodified Quiltt SDK, whose URLs are always
 *    `auth.<QUILTT_API_DOMAIN>`, reaches the emulator with `QUILTT_API_DOMAIN=localhost:4000
 *    QUILTT_API_INSECURE=true`. Browsers already resolve `*.localhost` to loopback (RFC 6761); glibc
 *    does not. It patches `dns.lookup`, which Node's global fetch (undici), `http`, `https` and `net` use.
 * 2. With `QUILTT_MOCK_URL=http://127.0.0.1:4000`, every request to https://auth.quiltt.io and
 *    https://api.quiltt.io (and http://, and the names in `QUILTT_MOCK_HOSTS`) goes to that emulator
 *    instead (intercept.ts): code that hard-codes Quiltt's URLs works unchanged. It says so in
 *    one line on stderr. An emulator that is not on this machine needs `QUILTT_MOCK_ALLOW_REMOTE=1`;
 *    without it, or with a malformed setting, the process stops with a message rather than let
 *    requests reach the real Quiltt.
 * Both hold in every worker thread the process starts, whatever its execArgv (workers.ts).
 */
import dns from 'node:dns'
import { isMainThread } from 'node:worker_threads'
import { intercept } from './intercept.js'
import { redirectWorkers } from './workers.js'

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

const LOOPBACK_NAME = /(^|\.)localhost\.?$/i
const original = dns.lookup
const PATCHED = Symbol.for('quiltt-mock.register')

export function resolvesToLoopback (hostname: string): boolean {
  return LOOPBACK_NAME.test(hostname)
}

if (!(dns as unknown as Record<symbol, boolean>)[PATCHED]) {
  (dns as unknown as Record<symbol, boolean>)[PATCHED] = true
  const patched = function lookup (hostname: string, options: unknown, callback?: unknown): void {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback
    const opts = (typeof options === 'object' && options !== null ? options : typeof options === 'number' ? { family: options } : {}) as dns.LookupOptions
    if (!resolvesToLoopback(hostname)) {
      (original as (...args: unknown[]) => void)(hostname, options, callback)
      return
    }
    const v6 = opts.family === 6
    const address = v6 ? '::1' : '127.0.0.1'
    const family = v6 ? 6 : 4
    process.nextTick(() => opts.all ? cb(null, [{ address, family }]) : cb(null, address, family))
  }
  dns.lookup = patched as typeof dns.lookup
  const promises = dns.promises as { lookup: (hostname: string, options?: dns.LookupOptions) => Promise<unknown> }
  const originalPromise = promises.lookup.bind(promises)
  promises.lookup = async (hostname, options = {}) => {
    if (!resolvesToLoopback(hostname)) return originalPromise(hostname, options)
    const entry = options.family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 }
    return options.all ? [entry] : entry
  }

  // Every worker thread started from here runs this preload too (workers.ts).
  redirectWorkers(import.meta.url)

  const url = process.env.QUILTT_MOCK_URL
  if (url !== undefined && url !== '') {
    try {
      const hosts = (process.env.QUILTT_MOCK_HOSTS ?? '').split(',').filter(h => h.trim() !== '')
      const allowRemote = /^(1|true|yes)$/i.test(process.env.QUILTT_MOCK_ALLOW_REMOTE ?? '')
      const interception = intercept({ url, hosts, allowRemote })
      // Once per process: a worker's copy of the preload says nothing.
      if (isMainThread) process.stderr.write(`quiltt-mock: requests to ${interception.hosts.join(', ')} (https and http) go to ${interception.url} in this process (QUILTT_MOCK_URL)\n`)
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n(from QUILTT_MOCK_URL=${url}${process.env.QUILTT_MOCK_HOSTS ? ` QUILTT_MOCK_HOSTS=${process.env.QUILTT_MOCK_HOSTS}` : ''} and --import quiltt-mock/register)\n`)
      process.exit(1)
    }
  }
}
