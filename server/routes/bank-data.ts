// Routes: Quiltt's REST operations on bank data (transactions and balance refreshes, ACH numbers,
// institutions by routing number). The API key's environment; the record may be any profile's.
import { QUILTT_VERSION } from '../graphql/schema.js'
import { bearer, type Handlers } from '../http/operations.js'
import type { Services } from '../services/index.js'

export function bankDataRoutes ({ environments, connections, accounts, institutions }: Services): Handlers {
  const envOf = (authorization: string | undefined) => environments.authenticateApiKey(bearer(authorization)).environment
  return {
    async refreshConnectionTransactions (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      connections.refreshTransactions(envOf(req.headers.authorization).id, (req.params as { connectionId: string }).connectionId)
      return reply.code(202).send()
    },
    async refreshAccountBalance (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      accounts.refreshBalance(envOf(req.headers.authorization).id, (req.params as { accountId: string }).accountId)
      return reply.code(202).send()
    },
    async getAccountAchNumbers (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      return accounts.achNumbers(envOf(req.headers.authorization).id, (req.params as { accountId: string }).accountId)
    },
    async searchInstitutionsByRoutingNumber (req, reply) {
      reply.header('quiltt-version', QUILTT_VERSION)
      envOf(req.headers.authorization)
      return institutions.byRoutingNumber((req.query as { routingNumber?: string }).routingNumber ?? '')
    }
  }
}
