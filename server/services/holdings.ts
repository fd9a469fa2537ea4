// Holdings: Relay pages and one by id, for GraphQL (seeded with investment accounts).
import type { Position } from '../store/pages.js'
import type { ServiceContext } from './context.js'

export function createHoldingService ({ store }: ServiceContext) {
  return {
    page: (profileId: string, accountId: string | undefined, order: { after?: Position, before?: Position, first?: number, last?: number }) =>
      store.holdings.page(profileId, accountId, order),
    row: (profileId: string, id: string) => store.holdings.byId(profileId, id)
  }
}

export type HoldingService = ReturnType<typeof createHoldingService>
