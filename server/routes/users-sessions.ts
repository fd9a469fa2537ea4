// Routes: issuing a session with an API key (POST /v1/users/sessions).
import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'

export function usersSessionsRoutes ({ environments, sessions }: Services): Handlers {
  return {
    async issueSession (req, reply) {
      const { environment, apiKey } = environments.authenticateApiKey(bearer(req.headers.authorization))
      return reply.code(201).send(sessions.issue(environment, apiKey, req.body))
    }
  }
}
