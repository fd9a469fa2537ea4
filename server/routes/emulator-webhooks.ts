// Routes: an environment's webhook events (GET, and POST to fire one) and deliveries (/emulator/v1/environments/{environmentId}/events, /webhook-deliveries).
import type { Services } from '../services/index.js'
import type { Handlers } from '../http/operations.js'
import type { EventTriggers } from '../services/event-triggers.js'

type EnvParams = { environmentId: string }

export function emulatorWebhookRoutes ({ environments, webhooks }: Services, triggers: EventTriggers): Handlers {
  return {
    async emulatorListEvents (req) {
      const { environmentId } = req.params as EnvParams
      environments.require(environmentId)
      return { events: webhooks.events(environmentId, (req.query as { limit: number }).limit) }
    },
    async emulatorTriggerEvent (req, reply) {
      return reply.code(201).send(triggers.fire((req.params as EnvParams).environmentId, req.body))
    },
    async emulatorListWebhookDeliveries (req) {
      const { environmentId } = req.params as EnvParams
      environments.require(environmentId)
      return { deliveries: webhooks.deliveries(environmentId, (req.query as { limit: number }).limit) }
    }
  }
}
