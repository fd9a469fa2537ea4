// Routes: the inspector page at /.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Handlers } from '../http/operations.js'
import { ROOT } from '../paths.js'

export const INSPECTOR_PATH = join(ROOT, 'inspector', 'index.html')

// The page may only talk to this server: inline code, no CDN, nothing loaded from elsewhere.
const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** GET /: the inspector, one self-contained HTML file read once at start. */
export function emulatorInspectorRoutes (): Handlers {
  const html = readFileSync(INSPECTOR_PATH, 'utf8')
  return {
    async emulatorInspector (_req, reply) {
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .send(html)
    }
  }
}
