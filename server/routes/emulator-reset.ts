import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'
import type { FixtureDocument } from '../services/fixtures.js'

export function emulatorResetRoutes ({ fixtures, environments }: Services, startup: FixtureDocument, onReset: () => void): Handlers {
  return {
    async emulatorReset (req) {
      const body = (req.body ?? {}) as { environmentId?: string }
      fixtures.reset(startup, body.environmentId)
      if (body.environmentId === undefined) onReset()
      return { environments: environments.list() }
    }
  }
}
