// SQL for holdings (bank data, issue 23): paged by rowid, oldest first.
import type { Db } from './db.js'
import type { Page, Pager, Position } from './pages.js'

export interface HoldingRow {
  id: string
  profile_id: string
  account_id: string
  /** JSON {cusip, isin, name, tickerSymbol}, or null. */
  security: string | null
  price: number | null
  quantity: number | null
  value: number | null
  at: number
}

export function createHoldingStore (db: Db, pager: Pager) {
  const s = {
    insert: db.prepare<HoldingRow>(`INSERT INTO holdings (id, profile_id, account_id, security, price, quantity, value, at)
      VALUES (@id, @profile_id, @account_id, @security, @price, @quantity, @value, @at)`),
    byId: db.prepare<[string, string], HoldingRow>('SELECT * FROM holdings WHERE profile_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM holdings WHERE id = ?').pluck(true)
  }
  return {
    insert: (row: HoldingRow) => s.insert.run(row),
    byId: (profileId: string, id: string) => s.byId.get(profileId, id),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    /** In the order they were recorded; `accountId` narrows to one account. */
    page (profileId: string, accountId: string | undefined, order: { after?: Position, before?: Position, first?: number, last?: number }): Page<HoldingRow> {
      const where = ['profile_id = @profileId']
      if (accountId !== undefined) where.push('account_id = @accountId')
      return pager<HoldingRow>({ table: 'holdings', key: "''", desc: false, where, params: { profileId, ...(accountId === undefined ? {} : { accountId }) }, ...order })
    }
  }
}
