import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'

// The API version Quiltt's spec is written against; reported by API key introspection.
const API_VERSION = '2026-04-01'

export function introspectRoutes ({ environments, sessions }: Services): Handlers {
  return {
    async introspectSessionToken (req) {
      return sessions.view(sessions.authenticate(bearer(req.headers.authorization)))
    },
    async introspectApiKey (req) {
      const { environment, apiKey } = environments.authenticateApiKey(bearer(req.headers.authorization))
      return {
        id: apiKey.id,
        name: apiKey.name,
        apiVersion: API_VERSION,
        metadata: null,
        environment: { id: environment.id, mode: environment.mode, name: environment.name, metadata: null }
      }
    }
  }
}
