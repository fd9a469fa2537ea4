// Relay pages in SQL: keyset pagination over (sort key, rowid), one statement per query shape.
import type { Db } from './db.js'
import type BetterSqlite3 from 'better-sqlite3'

/** Where a record sits in its query's order: its sort key, then its rowid to break ties. */
export interface Position { key: string, rowid: number }

export interface PageQuery {
  table: string
  /** The columns a page needs (default `*`): reading fewer columns into objects is most of a page's cost. */
  columns?: string
  /** Rows as arrays (better-sqlite3's raw mode): the columns in order, then the rowid and the sort key. */
  raw?: boolean
  /** SQL conditions (named parameters from `params`), joined with AND. */
  where: string[]
  params: Record<string, unknown>
  /** The SQL expression records are ordered by (then by rowid). */
  key: string
  desc: boolean
  after?: Position
  before?: Position
  /** Exactly one of first and last. */
  first?: number
  last?: number
}

export interface Page<Row> {
  rows: Row[]
  /** Where a row of this page sits in its query's order (what its cursor holds). */
  positionOf: (row: Row) => Position
  hasNextPage: () => boolean
  hasPreviousPage: () => boolean
  count: () => number
}

type Params = Record<string, unknown>

/**
 * Pages of any table by keyset: `first` rows after a position, or `last` rows before one, in the
 * query's order. A position stays valid while records are added or removed around it, so cursors
 * are stable. Statements are prepared once per SQL text (a query's shape, not its values).
 */
export function createPager (db: Db) {
  const cache = new Map<string, BetterSqlite3.Statement>()
  const prepared = (sql: string, raw = false) => {
    const name = raw ? `raw ${sql}` : sql
    let stmt = cache.get(name)
    if (!stmt) { stmt = db.prepare(sql); if (raw) stmt.raw(true); cache.set(name, stmt) }
    return stmt
  }
  type Positioned = { _key: string, _rowid: number }
  const positionOfObject = (r: Positioned): Position => ({ key: r._key, rowid: r._rowid })
  const positionOfArray = (r: unknown[]): Position => ({ key: r[r.length - 1] as string, rowid: r[r.length - 2] as number })
  const order = (key: string, desc: boolean) => desc ? `${key} DESC, rowid DESC` : `${key}, rowid`
  // (key, rowid) strictly after / before a position in the query's order.
  const beyond = (key: string, desc: boolean, forward: boolean, name: string) =>
    `(${key}, rowid) ${desc === forward ? '<' : '>'} (@${name}Key, @${name}Rowid)`
  const atOrBehind = (key: string, desc: boolean, forward: boolean, name: string) =>
    `(${key}, rowid) ${desc === forward ? '>=' : '<='} (@${name}Key, @${name}Rowid)`
  const whereOf = (conds: string[]) => conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : ''

  return function page<Row> (q: PageQuery): Page<Row> {
    const params: Params = { ...q.params }
    const conds = [...q.where]
    if (q.after) { conds.push(beyond(q.key, q.desc, true, 'after')); params.afterKey = q.after.key; params.afterRowid = q.after.rowid }
    if (q.before) { conds.push(beyond(q.key, q.desc, false, 'before')); params.beforeKey = q.before.key; params.beforeRowid = q.before.rowid }
    const forward = q.last === undefined
    const size = (forward ? q.first : q.last)!
    params.limit = size + 1
    const sql = `SELECT ${q.columns ?? '*'}, rowid AS _rowid, ${q.key} AS _key FROM ${q.table} ${whereOf(conds)} ORDER BY ${order(q.key, forward ? q.desc : !q.desc)} LIMIT @limit`
    const got = prepared(sql, q.raw).all(params) as Row[]
    const more = got.length > size
    const rows = more ? got.slice(0, size) : got
    if (!forward) rows.reverse()

    // Whether anything lies on the other side of the cursor the page started from (same filters).
    const exists = (name: 'after' | 'before', forwardFrom: boolean): boolean => {
      const from = conds.filter(c => !c.includes(`@${name}Key`))
      from.push(atOrBehind(q.key, q.desc, forwardFrom, name))
      return prepared(`SELECT 1 FROM ${q.table} ${whereOf(from)} LIMIT 1`).pluck(true).get(params) !== undefined
    }
    return {
      rows,
      positionOf: (q.raw ? positionOfArray : positionOfObject) as unknown as (row: Row) => Position,
      hasNextPage: () => forward ? more : q.before !== undefined && exists('before', false),
      hasPreviousPage: () => forward ? q.after !== undefined && exists('after', true) : more,
      count: () => prepared(`SELECT count(*) FROM ${q.table} ${whereOf(q.where)}`).pluck(true).get(q.params) as number
    }
  }
}

export type Pager = ReturnType<typeof createPager>
