// Routes: GET /emulator/v1/health.
import type { Handlers } from '../http/operations.js'

export function emulatorHealthRoutes (version: string): Handlers {
  return {
    async emulatorHealth () {
      return { status: 'ok', version }
    }
  }
}
