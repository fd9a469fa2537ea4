// Snapshots of environments, every row they own, and putting them back (verify's provider states).
import type { Db } from './db.js'

type Row = Record<string, unknown>

interface TableShape {
  table: string
  /**
   * The column naming the owner: `id` for environments, `environment_id` for tables that carry it,
   * `profile_id` for the rest (rows of a profile of the environments).
   */
  scope: string
  /** The columns that identify a row (its primary key, else its rowid). */
  key: string[]
  /** The columns a restore writes. */
  columns: string[]
}

export interface EnvironmentSnapshot {
  environmentIds: string[]
  tables: Array<{ shape: TableShape, rows: Row[] }>
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

const same = (a: unknown, b: unknown): boolean =>
  Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b

/**
 * Every table of environment data, found in the schema itself: the environments, every table with an
 * `environment_id` column, and every table with a `profile_id` column (bank data hangs off profiles).
 * That is the rule for new tables (docs/architecture.md): whatever a branch adds is snapshotted and
 * restored with no change here.
 */
function shapes (db: Db): TableShape[] {
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()
  const out: TableShape[] = []
  for (const table of tables) {
    const info = db.pragma(`table_info(${quote(table)})`) as Array<{ name: string, pk: number }>
    const columns = info.map(c => c.name)
    const scope = table === 'environments' ? 'id' : columns.includes('environment_id') ? 'environment_id' : columns.includes('profile_id') ? 'profile_id' : undefined
    if (scope === undefined) continue
    const pk = info.filter(c => c.pk > 0).sort((a, b) => a.pk - b.pk).map(c => c.name)
    out.push({ table, scope, key: pk.length > 0 ? pk : ['rowid'], columns: pk.length > 0 ? columns : ['rowid', ...columns] })
  }
  // The environments first, so the rows that reference them find them when put back.
  return out.sort((a, b) => Number(b.table === 'environments') - Number(a.table === 'environments'))
}

export function createSnapshotStore (db: Db) {
  // A profile-scoped table's rows: those of the environments' profiles now, and of the profiles the
  // snapshot held (a profile deleted since took its rows with it; they come back with it).
  const select = (shape: TableShape, ids: string[], profileIds: string[] = []): Row[] => {
    const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ')
    const where = shape.scope === 'profile_id'
      ? `profile_id IN (SELECT id FROM profiles WHERE environment_id IN (${marks(ids.length)}))${profileIds.length > 0 ? ' OR profile_id IN (SELECT value FROM json_each(?))' : ''}`
      : `${quote(shape.scope)} IN (${marks(ids.length)})`
    return db.prepare<unknown[], Row>(`SELECT ${shape.columns.map(quote).join(', ')} FROM ${quote(shape.table)} WHERE ${where}`)
      .all(...ids, ...(shape.scope === 'profile_id' && profileIds.length > 0 ? [JSON.stringify(profileIds)] : []))
  }

  return {
    /** Every row the environments own, read in one go (call inside a transaction for a consistent read). */
    take (environmentIds: string[]): EnvironmentSnapshot {
      if (environmentIds.length === 0) return { environmentIds, tables: [] }
      return { environmentIds, tables: shapes(db).map(shape => ({ shape, rows: select(shape, environmentIds) })) }
    },

    /**
     * Puts the environments back as the snapshot holds them: rows made since are deleted, rows changed
     * or deleted since are written back, rows untouched are not written at all (so nothing that
     * cascades from them moves). Call inside a transaction.
     */
    restore (snapshot: EnvironmentSnapshot): void {
      const ids = snapshot.environmentIds
      if (ids.length === 0) return
      const profileIds = snapshot.tables.find(t => t.shape.table === 'profiles')?.rows.map(r => String(r.id)) ?? []
      // The rows go back in table order; a reference to a row put back later in the same restore is
      // checked at commit.
      db.pragma('defer_foreign_keys = ON')
      for (const { shape, rows } of snapshot.tables) {
        const keyOf = (row: Row): string => JSON.stringify(shape.key.map(k => row[k]))
        const wanted = new Map(rows.map(r => [keyOf(r), r]))
        const where = shape.key.map(k => `${quote(k)} = ?`).join(' AND ')
        const del = db.prepare(`DELETE FROM ${quote(shape.table)} WHERE ${where}`)
        const current = new Map(select(shape, ids, profileIds).map(r => [keyOf(r), r]))
        for (const [key, row] of current) if (!wanted.has(key)) del.run(...shape.key.map(k => row[k]))
        const settable = shape.columns.filter(c => !shape.key.includes(c))
        const update = settable.length > 0
          ? db.prepare(`UPDATE ${quote(shape.table)} SET ${settable.map(c => `${quote(c)} = ?`).join(', ')} WHERE ${where}`)
          : undefined
        const insert = db.prepare(`INSERT INTO ${quote(shape.table)} (${shape.columns.map(quote).join(', ')}) VALUES (${shape.columns.map(() => '?').join(', ')})`)
        for (const [key, row] of wanted) {
          const now = current.get(key)
          if (now === undefined) insert.run(...shape.columns.map(c => row[c]))
          else if (update && settable.some(c => !same(now[c], row[c]))) update.run(...settable.map(c => row[c]), ...shape.key.map(k => row[k]))
        }
      }
    }
  }
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>
