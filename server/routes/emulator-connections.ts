// Routes: seeding a profile's bank data (/emulator/v1/environments/{environmentId}/profiles/{profileId}/connections).
import type { Handlers } from '../http/operations.js'
import type { Services } from '../services/index.js'

type Params = { environmentId: string, profileId: string }

export function emulatorConnectionRoutes ({ connections }: Services): Handlers {
  return {
    async emulatorListConnections (req) {
      const { environmentId, profileId } = req.params as Params
      return { connections: connections.list(environmentId, profileId) }
    },
    async emulatorCreateConnection (req, reply) {
      const { environmentId, profileId } = req.params as Params
      return reply.code(201).send({ connection: connections.create(environmentId, profileId, req.body) })
    }
  }
}
