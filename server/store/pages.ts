// Relay pages in SQL: keyset pagination over (sort key, rowid), one statement per query shape.
import type { Db } from './db.js'
import type BetterSqlite3 from 'better-sqlite3'

/** Where a record sits in its query's order: its sort key, then its rowid to break ties. */
export interface Position { key: string, rowid: number }

export interface PageQuery {
  table: string
  /** The columns a page needs (default `*`): reading fewer columns into objects is most of a page's cost. */
  columns?: string
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
  rows: Array<Row & { _key: string, _rowid: number }>
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
  const prepared = (sql: string) => {
    let stmt = cache.get(sql)
    if (!stmt) { stmt = db.prepare(sql); cache.set(sql, stmt) }
    return stmt
  }
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
    const got = prepared(sql).all(params) as Page<Row>['rows']
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
      hasNextPage: () => forward ? more : q.before !== undefined && exists('before', false),
      hasPreviousPage: () => forward ? q.after !== undefined && exists('after', true) : more,
      count: () => prepared(`SELECT count(*) FROM ${q.table} ${whereOf(q.where)}`).pluck(true).get(q.params) as number
    }
  }
}

export type Pager = ReturnType<typeof createPager>
