// Transactions: Relay pages for GraphQL, one by id, and transactionUpdate's metadata.
import { errors, FieldErrorCollector } from '../errors.js'
import type { Position } from '../store/pages.js'
import type { TransactionQuery, TransactionRow } from '../store/transactions.js'
import type { ServiceContext } from './context.js'
import { parseMetadata } from './metadata.js'

export function createTransactionService ({ store }: ServiceContext) {
  return {
    page: (q: TransactionQuery, order: { desc: boolean, after?: Position, before?: Position, first?: number, last?: number }, columns?: number) =>
      store.transactions.page(q, order, columns),
    row: (profileId: string, id: string) => store.transactions.byId(profileId, id),
    updateMetadata (profileId: string, id: string, metadata: unknown): TransactionRow {
      return store.transaction(() => {
        if (!store.transactions.byId(profileId, id)) throw errors.recordNotFound('Transaction')
        const errs = new FieldErrorCollector()
        const json = parseMetadata(metadata, errs)
        errs.throwIfAny()
        store.transactions.updateMetadata(profileId, id, json ?? null)
        return store.transactions.byId(profileId, id)!
      })
    }
  }
}

export type TransactionService = ReturnType<typeof createTransactionService>
