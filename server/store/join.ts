// A JOIN's row split into one object per table.
import type { Statement } from 'better-sqlite3'

/**
 * Reads a JOIN as one object per table (`{ sessions: {...}, profiles: {...} }`), using the statement's
 * column metadata, so a column added to a table by a later migration comes along by itself.
 * better-sqlite3's own `expand()` does the same but measured 2.5 times slower on the hot paths.
 */
export function byTable<P extends unknown[], R extends Record<string, object>> (stmt: Statement<P, unknown>): (...params: P) => R | undefined {
  const raw = stmt.raw(true)
  const columns = raw.columns().map(c => {
    if (c.table === null) throw new Error(`byTable: column ${c.name} belongs to no table`)
    return { table: c.table, name: c.name }
  })
  const tables = [...new Set(columns.map(c => c.table))]
  return (...params: P): R | undefined => {
    const values = raw.get(...params) as unknown[] | undefined
    if (values === undefined) return undefined
    const out: Record<string, Record<string, unknown>> = {}
    for (const t of tables) out[t] = {}
    for (let i = 0; i < columns.length; i++) out[columns[i]!.table]![columns[i]!.name] = values[i]
    return out as R
  }
}
