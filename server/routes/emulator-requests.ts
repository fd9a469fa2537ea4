// Routes: the request journal (GET and DELETE /emulator/v1/requests).
import type { Handlers } from '../http/operations.js'
import type { Control } from '../services/control.js'
import { parseJournalFilter } from '../services/journal.js'

/** The request journal: what clients sent to the Quiltt API and what they got. */
export function emulatorRequestRoutes ({ journal }: Control): Handlers {
  return {
    async emulatorListRequests (req) {
      return { requests: journal.list(parseJournalFilter(req.query as Record<string, unknown>)) }
    },
    async emulatorClearRequests (_req, reply) {
      journal.clear()
      return reply.code(204).send()
    }
  }
}
