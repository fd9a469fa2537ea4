// Routes: the emulator clock (GET and POST /emulator/v1/clock).
import type { Handlers } from '../http/operations.js'
import type { Control } from '../services/control.js'

export function emulatorClockRoutes ({ clock }: Control): Handlers {
  return {
    async emulatorGetClock () {
      return clock.view()
    },
    async emulatorSetClock (req) {
      return clock.move(req.body)
    }
  }
}
