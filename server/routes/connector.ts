// Routes: the Connector stand-in: its script (/v1/connector.js), its page (/connector/{connectorId}) and
// the page's calls, the SDK-only REST calls (/v1/sdk/connectors/...), and the inspector's list of
// Connector sessions. docs/connector.md.
import { readFileSync } from 'node:fs'
import type { FastifyReply } from 'fastify'
import { join } from 'node:path'
import { bearer, type Handlers } from '../http/operations.js'
import { ROOT } from '../paths.js'
import type { FinishInput, StartInput } from '../services/connector.js'
import type { Services } from '../services/index.js'

export const CONNECTOR_SCRIPT_PATH = join(ROOT, 'connector', 'connector.js')
export const CONNECTOR_PAGE_PATH = join(ROOT, 'connector', 'index.html')
export const CONNECTOR_OAUTH_PAGE_PATH = join(ROOT, 'connector', 'oauth.html')

// The page runs inside any app's page (an iframe) or a native webview: it may be framed by anyone, and
// it talks only to this server.
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'"
  // No frame-ancestors: any page may frame it, about:blank and file: test pages included.
].join('; ')

type ConnectorParams = { connectorId: string }
type SessionParams = { connectorId: string, sessionId: string }

export function connectorRoutes ({ connector }: Services): Handlers {
  const script = readFileSync(CONNECTOR_SCRIPT_PATH, 'utf8')
  const page = readFileSync(CONNECTOR_PAGE_PATH, 'utf8')
  const oauthPage = readFileSync(CONNECTOR_OAUTH_PAGE_PATH, 'utf8')
  const html = (reply: FastifyReply, body: string) => reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(body)
  return {
    /** GET /v1/connector.js, on every host (cdn.<domain> included: the Host header is ignored). */
    async connectorScript (_req, reply) {
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(script)
    },
    /** GET /connector/{connectorId}: the page; what it was opened with stays in its URL, for its own script. */
    async connectorPage (_req, reply) {
      return html(reply, page)
    },
    /** GET /connector/{connectorId}/oauth: an OAuth institution's mock login page; its script reads its URL. */
    async connectorOAuthPage (_req, reply) {
      return html(reply, oauthPage)
    },
    async connectorStartSession (req, reply) {
      const { connectorId } = req.params as ConnectorParams
      const session = connector.start(connectorId, bearer(req.headers.authorization), (req.body ?? {}) as StartInput)
      return reply.code(201).send(session)
    },
    async connectorGetSession (req) {
      const { connectorId, sessionId } = req.params as SessionParams
      return connector.get(connectorId, sessionId, bearer(req.headers.authorization))
    },
    async connectorFinishSession (req) {
      const { connectorId, sessionId } = req.params as SessionParams
      return connector.finish(connectorId, sessionId, bearer(req.headers.authorization), req.body as FinishInput)
    },
    async sdkSearchInstitutions (req) {
      const { connectorId } = req.params as ConnectorParams
      return connector.searchInstitutions(connectorId, bearer(req.headers.authorization), (req.query as { term?: string }).term)
    },
    async sdkResolvable (req) {
      const { connectorId } = req.params as ConnectorParams
      return connector.resolvable(connectorId, bearer(req.headers.authorization), req.query as Record<string, string | undefined>)
    },
    async emulatorListConnectorSessions (req) {
      const { environmentId } = req.params as { environmentId: string }
      const { limit } = req.query as { limit?: number }
      return { connectorSessions: connector.list(environmentId, limit) }
    }
  }
}
