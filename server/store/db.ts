import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { migrations } from './migrations.js'

export type Db = Database.Database

/**
 * Opens the database and brings it to the latest schema.
 * File databases use WAL with synchronous=FULL: a write acknowledged to a client survives a
 * SIGKILL of the process and a power loss. `:memory:` keeps nothing past the process.
 */
export function openDatabase (path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  if (path !== ':memory:') {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('busy_timeout = 5000')
  }
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

export function migrate (db: Db): number {
  let version = db.pragma('user_version', { simple: true }) as number
  if (version > migrations.length) {
    throw new Error(`The database is at schema version ${version}, newer than this quiltt-mock (${migrations.length}). Use a newer quiltt-mock or another --db.`)
  }
  for (; version < migrations.length; version++) {
    const step = version + 1
    db.transaction(() => {
      db.exec(migrations[version]!)
      db.pragma(`user_version = ${step}`)
    })()
  }
  return version
}
