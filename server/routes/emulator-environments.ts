// Routes: environments (GET, POST /emulator/v1/environments; PATCH, DELETE /emulator/v1/environments/{environmentId}).
import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'

type EnvParams = { environmentId: string }

export function emulatorEnvironmentRoutes ({ environments }: Services): Handlers {
  return {
    async emulatorListEnvironments () {
      return { environments: environments.list() }
    },
    async emulatorCreateEnvironment (req, reply) {
      return reply.code(201).send(environments.createFromBody(req.body))
    },
    async emulatorUpdateEnvironment (req) {
      return environments.updateFromBody((req.params as EnvParams).environmentId, req.body)
    },
    async emulatorDeleteEnvironment (req, reply) {
      environments.delete((req.params as EnvParams).environmentId)
      return reply.code(204).send()
    }
  }
}
