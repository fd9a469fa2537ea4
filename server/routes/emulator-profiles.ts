// Routes: an environment's profiles with their sessions (GET /emulator/v1/environments/{environmentId}/profiles).
import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'

type EnvParams = { environmentId: string }

export function emulatorProfileRoutes ({ profileSessions, fixtures }: Services): Handlers {
  return {
    async emulatorListProfiles (req) {
      const { search, limit } = req.query as { search?: string, limit: number }
      return profileSessions.list((req.params as EnvParams).environmentId, { ...(search === undefined ? {} : { search }), limit })
    },
    async emulatorCreateProfile (req, reply) {
      return reply.code(201).send(fixtures.addProfile((req.params as EnvParams).environmentId, req.body ?? {}))
    }
  }
}
