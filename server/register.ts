/**
 * `node --import quiltt-mock/register app.js`: makes every `*.localhost` name resolve to 127.0.0.1 in
 * this process, so the unmodified Quiltt SDK, whose URLs are always `auth.<QUILTT_API_DOMAIN>`, reaches
 * the emulator with `QUILTT_API_DOMAIN=localhost:4000 QUILTT_API_INSECURE=true`.
 *
 * Browsers already resolve `*.localhost` to loopback (RFC 6761); glibc does not, hence this preload.
 * It patches `dns.lookup`, which Node's global fetch (undici), `http`, `https` and `net` all use.
 */
import dns from 'node:dns'

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
}
