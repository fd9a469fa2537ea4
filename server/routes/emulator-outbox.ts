// Routes: what was sent (GET /emulator/v1/environments/{environmentId}/passcodes and /messages).
import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'

type EnvParams = { environmentId: string }

/** What the emulator "sent": passcodes and the messages that carried them. */
export function emulatorOutboxRoutes ({ outbox }: Services): Handlers {
  return {
    async emulatorListPasscodes (req) {
      const query = req.query as { email?: string, phone?: string, limit?: number }
      return { passcodes: outbox.passcodes((req.params as EnvParams).environmentId, query) }
    },
    async emulatorListMessages (req) {
      return { messages: outbox.messages((req.params as EnvParams).environmentId, (req.query as { limit?: number }).limit) }
    }
  }
}
