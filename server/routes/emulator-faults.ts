// Routes: faults (GET, POST, DELETE /emulator/v1/faults; DELETE /emulator/v1/faults/{faultId}).
import type { Handlers } from '../http/operations.js'
import type { Control } from '../services/control.js'

export function emulatorFaultRoutes ({ faults }: Control): Handlers {
  return {
    async emulatorCreateFault (req, reply) {
      return reply.code(201).send(faults.create(req.body))
    },
    async emulatorListFaults () {
      return { faults: faults.list() }
    },
    async emulatorClearFaults (_req, reply) {
      faults.clear()
      return reply.code(204).send()
    },
    async emulatorDeleteFault (req, reply) {
      faults.delete((req.params as { faultId: string }).faultId)
      return reply.code(204).send()
    }
  }
}
