// SQL for statements (bank data, issue 23).
import type { Db } from './db.js'
import type { Page, Pager, Position } from './pages.js'

/** Quiltt's StatementFilter as SQL values. */
export interface StatementQuery {
  profileId: string
  accountId?: string
  accountIds?: string[]
  /** Statements whose period overlaps the range. */
  for?: { start: string, end: string }
  /** Statements whose period ends in the month (YYYY-MM). */
  issuedFor?: string
  /** Statements whose period includes the date. */
  on?: string
}

// Statements with an unknown period sort after every dated one (last ascending, first descending).
const KEY = "CASE WHEN end_on IS NULL THEN '1' ELSE '0' || end_on END"

export interface StatementRow {
  id: string
  profile_id: string
  account_id: string
  start_on: string | null
  end_on: string | null
  at: number
}

export function createStatementStore (db: Db, pager: Pager) {
  const s = {
    insert: db.prepare<StatementRow>(`INSERT INTO statements (id, profile_id, account_id, start_on, end_on, at)
      VALUES (@id, @profile_id, @account_id, @start_on, @end_on, @at)`),
    byId: db.prepare<[string, string], StatementRow>('SELECT * FROM statements WHERE profile_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM statements WHERE id = ?').pluck(true)
  }
  return {
    insert: (row: StatementRow) => s.insert.run(row),
    byId: (profileId: string, id: string) => s.byId.get(profileId, id),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    page (q: StatementQuery, order: { desc: boolean, after?: Position, before?: Position, first?: number, last?: number }): Page<StatementRow> {
      const where = ['profile_id = @profileId']
      const params: Record<string, unknown> = { profileId: q.profileId }
      if (q.accountId !== undefined) { where.push('account_id = @accountId'); params.accountId = q.accountId }
      if (q.accountIds !== undefined) { where.push('account_id IN (SELECT value FROM json_each(@accountIds))'); params.accountIds = JSON.stringify(q.accountIds) }
      if (q.for !== undefined) { where.push('start_on <= @forEnd AND end_on >= @forStart'); params.forStart = q.for.start; params.forEnd = q.for.end }
      if (q.issuedFor !== undefined) { where.push('substr(end_on, 1, 7) = @issuedFor'); params.issuedFor = q.issuedFor }
      if (q.on !== undefined) { where.push('start_on <= @on AND end_on >= @on'); params.on = q.on }
      return pager<StatementRow>({ table: 'statements', key: KEY, where, params, ...order })
    }
  }
}
