// Routes: Quiltt's Profiles API (/v1/profiles and /v1/profiles/{id}).
import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'

type IdParams = { id: string }

export function profileRoutes ({ environments, profiles }: Services): Handlers {
  const envOf = (authorization: string | undefined) => environments.authenticateApiKey(bearer(authorization)).environment

  return {
    async listProfiles (req, reply) {
      const { page, limit } = req.query as { page: number, limit: number }
      const { profiles: list, total, pages } = profiles.list(envOf(req.headers.authorization).id, page, limit)
      return reply.headers({ 'current-page': page, 'page-items': limit, 'total-count': total, 'total-pages': pages }).send(list)
    },
    async createProfile (req, reply) {
      return reply.code(201).send(profiles.view(profiles.createFromBody(envOf(req.headers.authorization), req.body)))
    },
    async getProfile (req) {
      return profiles.view(profiles.require(envOf(req.headers.authorization).id, (req.params as IdParams).id))
    },
    async updateProfile (req) {
      return profiles.view(profiles.updateFromBody(envOf(req.headers.authorization).id, (req.params as IdParams).id, req.body))
    },
    async deleteProfile (req, reply) {
      profiles.delete(envOf(req.headers.authorization).id, (req.params as IdParams).id)
      return reply.code(204).send()
    }
  }
}
