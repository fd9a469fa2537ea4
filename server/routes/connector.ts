// Routes: the Connector stand-in: its script (/v1/connector.js), its page (/connector/{connectorId}) and
// the page's calls, and the SDK-only REST calls (/v1/sdk/connectors/...). docs/connector.md.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Handlers } from '../http/operations.js'
import { ROOT } from '../paths.js'

export const CONNECTOR_SCRIPT_PATH = join(ROOT, 'connector', 'connector.js')

/** GET /v1/connector.js, on every host (cdn.<domain> included: the Host header is ignored). */
export function connectorRoutes (): Handlers {
  const script = readFileSync(CONNECTOR_SCRIPT_PATH, 'utf8')
  return {
    async connectorScript (_req, reply) {
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(script)
    }
  }
}
