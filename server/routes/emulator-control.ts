// Routes: the control plane's resources together (fixtures, clock, request journal, faults).
import type { Handlers } from '../http/operations.js'
import type { Control } from '../services/control.js'
import type { Services } from '../services/index.js'
import { emulatorClockRoutes } from './emulator-clock.js'
import { emulatorFaultRoutes } from './emulator-faults.js'
import { emulatorFixtureRoutes } from './emulator-fixtures.js'
import { emulatorRequestRoutes } from './emulator-requests.js'

/** The control plane's resources: fixtures, clock, request journal, faults. */
export function emulatorControlRoutes (services: Services, control: Control): Handlers {
  return {
    ...emulatorFixtureRoutes(services),
    ...emulatorClockRoutes(control),
    ...emulatorRequestRoutes(control),
    ...emulatorFaultRoutes(control)
  }
}
