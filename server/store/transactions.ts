// SQL for transactions (bank data, issue 23): inserts in bulk, and pages by (sort_key, rowid).
import type { Db } from './db.js'
import type { Page, Pager, Position } from './pages.js'

export interface TransactionRow {
  id: string
  profile_id: string
  account_id: string
  date: string
  /** The date, after a '0' for posted and a '1' for pending records: pending sort after every posted one. */
  sort_key: string
  amount: number
  description: string
  status: string
  entry_type: string
  kind: string
  currency_code: string
  metadata: string | null
}

/**
 * What a page reads of each transaction, as an array (better-sqlite3's raw rows cost about half of
 * objects of as many keys): the columns its query asks for, in PAGE_COLUMNS' order, then the rowid
 * and the sort key. `layout` says where each of PAGE_COLUMNS sits in the row (-1: not read).
 */
export type TransactionPageRow = Array<string | number | null>
export const PAGE_COLUMNS = ['id', 'account_id', 'date', 'amount', 'description', 'status', 'entry_type', 'kind', 'currency_code', 'metadata'] as const
export type PageColumn = typeof PAGE_COLUMNS[number]
/** Where each of PAGE_COLUMNS sits in a page's rows, -1 where the page does not read it. */
export type PageLayout = Int8Array
/** A set of page columns as a bit mask (bit i: PAGE_COLUMNS[i]), so a page shape is one number. */
export const pageColumns = (names: Iterable<PageColumn>): number => {
  let mask = 0
  for (const n of names) mask |= 1 << PAGE_COLUMNS.indexOf(n)
  return mask
}
export const ALL_PAGE_COLUMNS = (1 << PAGE_COLUMNS.length) - 1
// Always read: a page with no column asked (only __typename) still needs a SELECT list.
const ID_COLUMN = 1

interface Shape { select: string, layout: PageLayout }
const shapes = new Map<number, Shape>()
/** The SELECT list and the row layout of a column mask (at most 1,024 of them, made once each). */
function shapeOf (mask: number): Shape {
  let shape = shapes.get(mask)
  if (shape === undefined) {
    const read = PAGE_COLUMNS.filter((_, i) => mask & (1 << i))
    shape = { select: read.join(', '), layout: Int8Array.from(PAGE_COLUMNS, c => read.indexOf(c)) }
    shapes.set(mask, shape)
  }
  return shape
}
/** The layout of a row with every column (`pageRowOf`). */
export const FULL_LAYOUT: PageLayout = shapeOf(ALL_PAGE_COLUMNS).layout

/** A transaction read by id, as a page with every column reads it (FULL_LAYOUT). */
export const pageRowOf = (r: TransactionRow): TransactionPageRow => [
  r.id, r.account_id, r.date, r.amount, r.description, r.status, r.entry_type, r.kind, r.currency_code, r.metadata, 0, r.sort_key
]

const OPS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const

/** What Quiltt's TransactionFilter (and the search argument) can ask, as SQL values. */
export interface TransactionQuery {
  profileId: string
  accountId?: string
  accountIds?: string[]
  amount?: Partial<Record<keyof typeof OPS, number>>
  amountAbs?: Partial<Record<keyof typeof OPS, number>>
  date?: Partial<Record<keyof typeof OPS, string>>
  entryType?: string
  kind?: string[]
  kindNot?: string[]
  status?: string[]
  /** Top-level keys and the JSON text each must hold; null: records without metadata. */
  metadata?: Array<[string, string]> | null
  term?: string
}

export interface PageOrder { desc: boolean, after?: Position, before?: Position, first?: number, last?: number }

export const transactionSortKey = (date: string, status: string): string => `${status === 'PENDING' ? '1' : '0'}${date}`

export function createTransactionStore (db: Db, pager: Pager) {
  const s = {
    // Positional parameters: seeding inserts 100,000 of these at a time, and binding by name costs more.
    insert: db.prepare<[string, string, string, string, string, number, string, string, string, string, string, string | null]>(`INSERT INTO transactions
      (id, profile_id, account_id, date, sort_key, amount, description, status, entry_type, kind, currency_code, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateMetadata: db.prepare<[string | null, string, string]>('UPDATE transactions SET metadata = ? WHERE profile_id = ? AND id = ?'),
    byId: db.prepare<[string, string], TransactionRow>('SELECT * FROM transactions WHERE profile_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM transactions WHERE id = ?').pluck(true),
    countOfAccount: db.prepare<[string], number>('SELECT count(*) FROM transactions WHERE account_id = ?').pluck(true)
  }

  function conditions (q: TransactionQuery): { where: string[], params: Record<string, unknown> } {
    const where = ['profile_id = @profileId']
    const params: Record<string, unknown> = { profileId: q.profileId }
    if (q.accountId !== undefined) { where.push('account_id = @accountId'); params.accountId = q.accountId }
    if (q.accountIds !== undefined) { where.push('account_id IN (SELECT value FROM json_each(@accountIds))'); params.accountIds = JSON.stringify(q.accountIds) }
    for (const [column, range, name] of [['amount', q.amount, 'amount'], ['abs(amount)', q.amountAbs, 'amountAbs'], ['date', q.date, 'date']] as const) {
      for (const [op, value] of Object.entries(range ?? {})) {
        where.push(`${column} ${OPS[op as keyof typeof OPS]} @${name}_${op}`)
        params[`${name}_${op}`] = value
      }
    }
    if (q.entryType !== undefined) { where.push('entry_type = @entryType'); params.entryType = q.entryType }
    if (q.kind !== undefined) { where.push('kind IN (SELECT value FROM json_each(@kind))'); params.kind = JSON.stringify(q.kind) }
    if (q.kindNot !== undefined) { where.push('kind NOT IN (SELECT value FROM json_each(@kindNot))'); params.kindNot = JSON.stringify(q.kindNot) }
    if (q.status !== undefined) { where.push('status IN (SELECT value FROM json_each(@status))'); params.status = JSON.stringify(q.status) }
    if (q.metadata === null) where.push('metadata IS NULL')
    else if (q.metadata !== undefined) {
      q.metadata.forEach(([key, json], i) => {
        // Both sides as SQLite reads JSON: numbers, text, 0/1 for booleans, minified text for objects.
        where.push(`json_extract(metadata, @mdPath${i}) = json_extract(@mdValue${i}, '$')`)
        params[`mdPath${i}`] = `$.${JSON.stringify(key)}`
        params[`mdValue${i}`] = json
      })
    }
    if (q.term !== undefined && q.term !== '') { where.push('instr(lower(description), lower(@term)) > 0'); params.term = q.term }
    return { where, params }
  }

  return {
    insert: (r: TransactionRow) => s.insert.run(
      r.id, r.profile_id, r.account_id, r.date, r.sort_key, r.amount, r.description, r.status, r.entry_type, r.kind, r.currency_code, r.metadata
    ),
    updateMetadata: (profileId: string, id: string, metadata: string | null) => s.updateMetadata.run(metadata, profileId, id),
    byId: (profileId: string, id: string) => s.byId.get(profileId, id),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    countOfAccount: (accountId: string): number => s.countOfAccount.get(accountId)!,
    /** A page of transactions as arrays of the columns `columns` (a `pageColumns` mask) names, and where each sits. */
    page (q: TransactionQuery, order: PageOrder, columns = ALL_PAGE_COLUMNS): Page<TransactionPageRow> & { layout: PageLayout } {
      const { select, layout } = shapeOf(columns | ID_COLUMN)
      return { ...pager<TransactionPageRow>({ table: 'transactions', columns: select, raw: true, key: 'sort_key', ...conditions(q), ...order }), layout }
    }
  }
}
