// SQL for balances (bank data, issue 23): an account's balance is its latest row.
import type { Db } from './db.js'

export interface BalanceRow {
  id: string
  profile_id: string
  account_id: string
  source: string
  current: number | null
  available: number | null
  limit: number | null
  at: number
}

export function createBalanceStore (db: Db) {
  const s = {
    insert: db.prepare<BalanceRow>(`INSERT INTO balances (id, profile_id, account_id, source, current, available, "limit", at)
      VALUES (@id, @profile_id, @account_id, @source, @current, @available, @limit, @at)`),
    latest: db.prepare<[string], BalanceRow>('SELECT * FROM balances WHERE account_id = ? ORDER BY at DESC, rowid DESC LIMIT 1'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM balances WHERE id = ?').pluck(true)
  }
  return {
    insert: (row: BalanceRow) => s.insert.run(row),
    latest: (accountId: string) => s.latest.get(accountId),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined
  }
}
