// Statements: Relay pages and one by id, for GraphQL (seeded monthly for deposit and card accounts).
import type { Position } from '../store/pages.js'
import type { StatementQuery } from '../store/statements.js'
import type { ServiceContext } from './context.js'

export function createStatementService ({ store }: ServiceContext) {
  return {
    page: (q: StatementQuery, order: { desc: boolean, after?: Position, before?: Position, first?: number }) => store.statements.page(q, order),
    row: (profileId: string, id: string) => store.statements.byId(profileId, id)
  }
}

export type StatementService = ReturnType<typeof createStatementService>
