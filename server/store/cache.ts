// Rows every authenticated request reads, cached in memory and kept exact by the database's own change reports.
import type { Db } from './db.js'

const MAX_ENTRIES = 1024

/**
 * Rows read by every authenticated request (a session with its profile and environment; an API key
 * with its environment), kept in memory and exact. Reading them cost more than the rest of a ping
 * (see the README, Performance), so the database tells the cache what changed:
 * - TEMP triggers on this connection report every UPDATE and DELETE of the tables the rows come
 *   from, whichever code path or cascade made it;
 * - `PRAGMA data_version` reports commits made by other connections to the same file;
 * - entries are only added outside transactions, so a write that is rolled back never leaves a row
 *   behind, and a read inside a transaction always sees that transaction's writes.
 * Cached rows are frozen: callers get the same objects.
 */
export class RowCache<V extends object> {
  readonly #map = new Map<string, V>()

  constructor (private readonly db: Db, private readonly sync: () => void) {}

  get (key: string, load: () => V | undefined): V | undefined {
    this.sync()
    const hit = this.#map.get(key)
    if (hit !== undefined) return hit
    const value = load()
    if (value !== undefined && !this.db.inTransaction) {
      if (this.#map.size >= MAX_ENTRIES) this.#map.delete(this.#map.keys().next().value!)
      for (const part of Object.values(value)) if (typeof part === 'object' && part !== null) Object.freeze(part)
      this.#map.set(key, Object.freeze(value))
    }
    return value
  }

  delete (key: string): void { this.#map.delete(key) }
  clear (): void { this.#map.clear() }
  get size (): number { return this.#map.size }
}

/** What each table's changes invalidate: one session by id, or a whole cache. */
const TRIGGERS: Array<{ table: string, events: string[], target: 'session' | 'sessions' | 'all' }> = [
  { table: 'sessions', events: ['UPDATE', 'DELETE'], target: 'session' },
  { table: 'profiles', events: ['UPDATE', 'DELETE'], target: 'sessions' },
  { table: 'environments', events: ['INSERT', 'UPDATE', 'DELETE'], target: 'all' },
  { table: 'api_keys', events: ['INSERT', 'UPDATE', 'DELETE'], target: 'all' }
]

export function createRowCaches<S extends object, K extends object> (db: Db) {
  // Only a file can have other connections. Asking SQLite takes a shared lock and releases it: two
  // fcntl calls, a sizeable part of a ping (docs/performance.md). So one answer serves every read until the event
  // loop's next check phase (setImmediate): all requests read from the sockets in one poll were sent
  // before that poll returned, so before the check, and a client that commits in another process and
  // then sends a request is read in a later poll, which asks again.
  const version = db.prepare<[], number>('PRAGMA data_version').pluck(true)
  let seen = version.get()
  let checked = false
  const expire = (): void => { checked = false }
  const sync = db.memory
    ? () => {}
    : (): void => {
        if (checked) return
        checked = true
        setImmediate(expire)
        const v = version.get()
        if (v !== seen) { seen = v; clearAll() }
      }
  const sessionOwners = new RowCache<S>(db, sync)
  const apiKeys = new RowCache<K>(db, sync)
  const clearAll = (): void => { sessionOwners.clear(); apiKeys.clear() }

  db.function('quiltt_mock_changed', { deterministic: false }, (target: unknown, id: unknown) => {
    if (target === 'session') sessionOwners.delete(String(id))
    else if (target === 'sessions') sessionOwners.clear()
    else clearAll()
    return null
  })
  for (const { table, events, target } of TRIGGERS) {
    for (const event of events) {
      const row = event === 'INSERT' ? 'NEW' : 'OLD'
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS quiltt_mock_cache_${table}_${event.toLowerCase()} AFTER ${event} ON main.${table}
        BEGIN SELECT quiltt_mock_changed('${target}', ${row}.id); END`)
    }
  }
  return { sessionOwners, apiKeys }
}
