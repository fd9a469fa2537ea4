import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'

/** The passwordless flow and the current session, on the singular path as the SDK calls it. */
export function usersSessionRoutes ({ passwordless, sessions }: Services): Handlers {
  return {
    async identify (req, reply) {
      const result = passwordless.identify(req.body)
      if (result.status === 202) return reply.code(202).send()
      return reply.code(201).header('authorization', `Bearer ${result.session.token}`).send(result.session)
    },
    async authenticate (req, reply) {
      const session = passwordless.authenticate(req.body)
      return reply.code(201).header('authorization', `Bearer ${session.token}`).send(session)
    },
    async ping (req) {
      return sessions.view(sessions.authenticate(bearer(req.headers.authorization)))
    },
    async revoke (req, reply) {
      sessions.revoke(sessions.authenticate(bearer(req.headers.authorization)))
      return reply.code(204).send()
    }
  }
}
