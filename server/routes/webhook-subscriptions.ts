// Routes: Quiltt's webhook subscriptions (/v1/webhooks/subscriptions and /v1/webhooks/subscriptions/{id}).
import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'

type IdParams = { id: string }

export function webhookSubscriptionRoutes ({ environments, webhooks }: Services): Handlers {
  const envOf = (authorization: string | undefined) => environments.authenticateApiKey(bearer(authorization)).environment

  return {
    async listWebhookSubscriptions (req, reply) {
      const { page, limit } = req.query as { page: number, limit: number }
      const { subscriptions, total, pages } = webhooks.list(envOf(req.headers.authorization).id, page, limit)
      return reply.headers({ 'current-page': page, 'page-items': limit, 'total-count': total, 'total-pages': pages }).send(subscriptions)
    },
    async createWebhookSubscription (req, reply) {
      return reply.code(201).send(webhooks.create(envOf(req.headers.authorization), req.body))
    },
    async getWebhookSubscription (req) {
      return webhooks.get(envOf(req.headers.authorization).id, (req.params as IdParams).id)
    },
    async updateWebhookSubscription (req) {
      return webhooks.update(envOf(req.headers.authorization).id, (req.params as IdParams).id, req.body)
    },
    async deleteWebhookSubscription (req, reply) {
      webhooks.delete(envOf(req.headers.authorization).id, (req.params as IdParams).id)
      return reply.code(204).send()
    }
  }
}
