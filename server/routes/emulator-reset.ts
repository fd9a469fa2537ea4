// Routes: POST /emulator/v1/reset.
import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'
import type { FixtureDocument } from '../services/fixtures.js'

export function emulatorResetRoutes ({ fixtures, environments }: Services, startup: FixtureDocument, onReset: () => void): Handlers {
  return {
    async emulatorReset (req) {
      const body = (req.body ?? {}) as { environmentId?: string }
      // Clock first, so the reloaded fixtures are stamped with real time, not the moved one.
      if (body.environmentId === undefined) onReset()
      fixtures.reset(startup, body.environmentId)
      return { environments: environments.list() }
    }
  }
}
