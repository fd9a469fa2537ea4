// Routes: seeding in bulk (POST /emulator/v1/fixtures).
import type { Handlers } from '../http/operations.js'
import { parseFixtureDocument } from '../services/fixtures.js'
import type { Services } from '../services/index.js'

export function emulatorFixtureRoutes ({ fixtures, profiles }: Services): Handlers {
  return {
    async emulatorLoadFixtures (req, reply) {
      const created = fixtures.load(parseFixtureDocument(req.body, profiles))
      return reply.code(201).send({ environments: created })
    }
  }
}
