// Routes: the SDK's session calls on /v1/users/session (identify, authenticate, ping, revoke).
import type { Services } from '../services/index.js'
import type { SessionView } from '../services/sessions.js'
import { bearer, type Handlers } from '../http/operations.js'

/** Ping's answer from the Authorization header, which session token introspection gives too. */
export function pingAnswer ({ sessions }: Services): (authorization: string | undefined) => SessionView {
  return authorization => sessions.view(sessions.authenticate(bearer(authorization)))
}

/** The passwordless flow and the current session, on the singular path as the SDK calls it. */
export function usersSessionRoutes (services: Services): Handlers {
  const { passwordless, sessions } = services
  const ping = pingAnswer(services)
  return {
    async identify (req, reply) {
      const result = passwordless.identify(req.body)
      if (result.status === 202) {
        // Through the logger, not straight to stdout: --log-level and --log-format hold for it, and JSON logs stay one object a line.
        const { code, username, clientId } = result.passcode
        req.log.info({ passcode: code, username, clientId }, `passcode ${code} for ${username} (${clientId})`)
        return reply.code(202).send()
      }
      return reply.code(201).header('authorization', `Bearer ${result.session.token}`).send(result.session)
    },
    async authenticate (req, reply) {
      const session = passwordless.authenticate(req.body)
      return reply.code(201).header('authorization', `Bearer ${session.token}`).send(session)
    },
    async ping (req) {
      return ping(req.headers.authorization)
    },
    async revoke (req, reply) {
      sessions.revoke(sessions.authenticate(bearer(req.headers.authorization)))
      return reply.code(204).send()
    }
  }
}
