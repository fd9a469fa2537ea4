// Opens the SQLite database (settings, the native addon by path) and runs the migrations.
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { migrations } from './migrations.js'

export type Db = Database.Database

// The addon's own path, so better-sqlite3 loads it directly: its default is the `bindings` package,
// which tries a dozen candidate paths and works out the package root from a stack trace, a few ms of
// every start (and no answer at all from inside the CLI's bundle). Without it, that default.
const ADDON = ((): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node')
  } catch {
    return undefined
  }
})()

/**
 * Opens the database and brings it to the latest schema.
 * File databases use WAL with synchronous=NORMAL: a commit is written to the WAL before it returns,
 * so a write acknowledged to a client survives a crash or SIGKILL of the process. What it does not
 * survive is the machine losing power (or its kernel crashing) before the next checkpoint: the last
 * commits may then be lost, though the file stays consistent. FULL would add an fsync to every
 * write, which for a local emulator costs more than it protects (see the README, Performance).
 * `:memory:` keeps nothing past the process.
 */
export function openDatabase (path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, ADDON === undefined ? {} : { nativeBinding: ADDON })
  if (path !== ':memory:') {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    // better-sqlite3 builds SQLite with a 16 MB page cache; an emulator's hot pages (the indexes near
    // the root, the newest rows) fit in 2 MB, and the rest comes from the OS cache; a smaller cache
    // keeps the emulator's resident memory small (docs/performance.md).
    db.pragma('cache_size = -2000')
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
      const migration = migrations[version]!
      if (typeof migration === 'string') db.exec(migration)
      else migration(db)
      db.pragma(`user_version = ${step}`)
    })()
  }
  return version
}
