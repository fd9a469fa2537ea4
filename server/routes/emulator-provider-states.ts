// Routes: Pact provider states (POST /emulator/v1/provider-states).
import type { Handlers } from '../http/operations.js'
import type { ProviderStateService } from '../services/provider-states.js'

/** Pact's provider-state changes over HTTP (the verifier's `providerStatesSetupUrl`). */
export function emulatorProviderStateRoutes (providerStates: ProviderStateService): Handlers {
  return {
    async emulatorProviderState (req) {
      return providerStates.change(req.body)
    }
  }
}
