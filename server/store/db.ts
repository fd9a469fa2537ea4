// Opens the SQLite database (settings, the native addon by path) and runs the migrations.
import { existsSync, mkdirSync } from 'node:fs'
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
  if (path === ':memory:') return prepare(new Database(path, ADDON === undefined ? {} : { nativeBinding: ADDON }), path)
  const folder = dirname(path)
  try {
    makeFolder(folder)
  } catch (err) {
    throw new DatabaseOpenError(`--db ${path}: its folder ${folder} cannot be created (${reason(err)}). Choose another --db.`)
  }
  let db: Db
  try {
    db = new Database(path, ADDON === undefined ? {} : { nativeBinding: ADDON })
  } catch (err) {
    throw new DatabaseOpenError(`--db ${path} cannot be opened (${reason(err)}). Choose another --db.`)
  }
  try {
    return prepare(db, path)
  } catch (err) {
    db.close()
    if (err instanceof DatabaseOpenError || (err as Error).message.includes('newer than this quiltt-mock')) throw err
    const code = (err as { code?: string }).code ?? ''
    if (code.startsWith('SQLITE_BUSY')) throw new DatabaseOpenError(`--db ${path} is locked by another process, still after ${STARTUP_BUSY_TIMEOUT_MS / 1000} s (${reason(err)}).`)
    const what = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? 'cannot be opened' : 'cannot be written'
    throw new DatabaseOpenError(`--db ${path} ${what} (${reason(err)}). Check its permissions, or choose another --db.`)
  }
}

/** A database that cannot be used: the message names --db, the path and why; the start stops with it. */
export class DatabaseOpenError extends Error {}

const reason = (err: unknown): string => {
  const e = err as { code?: string, message?: string }
  return e.code && !String(e.message).includes(e.code) ? `${e.code}: ${e.message}` : String(e.message ?? err)
}

/**
 * The folder and any missing parents, one level at a time: Node's own `recursive: true` loops forever
 * under /proc (a --db under /proc hung the start with no output).
 */
function makeFolder (folder: string): void {
  const missing: string[] = []
  for (let d = folder; !existsSync(d); d = dirname(d)) {
    missing.unshift(d)
    if (dirname(d) === d) break
  }
  for (const d of missing) mkdirSync(d)
}

/** Settings and migrations; for a file, a write at the end proves it can be written (migrate always writes). */
function prepare (db: Db, path: string): Db {
  if (path !== ':memory:') {
    // At start another process may be migrating or seeding the same file: waiting for it is right.
    // Serving, the wait is short (useServingBusyTimeout).
    db.pragma(`busy_timeout = ${STARTUP_BUSY_TIMEOUT_MS}`)
    useWal(db)
    db.pragma('synchronous = NORMAL')
    // better-sqlite3 builds SQLite with a 16 MB page cache; an emulator's hot pages (the indexes near
    // the root, the newest rows) fit in 2 MB, and the rest comes from the OS cache; a smaller cache
    // keeps the emulator's resident memory small (docs/performance.md).
    db.pragma('cache_size = -2000')
  }
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

/**
 * Switches the file to WAL. On a new file (still in rollback mode) processes starting together each
 * read it, then need it alone to switch: SQLite answers all but one SQLITE_BUSY at once, without
 * waiting (its deadlock rule, so busy_timeout does not apply), and the switch is tried again until
 * the start's deadline. Seen as one of four processes failing to start on a loaded CI machine.
 */
export function useWal (db: Pick<Db, 'pragma'>, waitMs = STARTUP_BUSY_TIMEOUT_MS): void {
  const deadline = Date.now() + waitMs
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err
      Atomics.wait(pause, 0, 0, 10) // a start may block: nothing is served yet
    }
  }
}

/** How long a start waits for another process holding the file's write lock. */
export const STARTUP_BUSY_TIMEOUT_MS = 10_000
/**
 * How long a request's write waits for another process holding the lock (a long seed, a migration).
 * better-sqlite3 waits synchronously, so this is how long the event loop stands still: short. Past
 * it the request is a 503 with Retry-After (errors.databaseBusy), never a 500.
 */
export const SERVING_BUSY_TIMEOUT_MS = 200

/** Once the emulator starts serving: a locked file is a quick 503, not a frozen event loop. */
export function useServingBusyTimeout (db: Db): void {
  if (!db.memory) db.pragma(`busy_timeout = ${SERVING_BUSY_TIMEOUT_MS}`)
}

/**
 * Brings the schema up to date in one IMMEDIATE transaction that reads `user_version` inside it: two
 * processes starting together on a new file take turns, and the second finds the schema made (it read
 * the version outside the transaction before, and failed with "table environments already exists").
 */
export function migrate (db: Db): number {
  return db.transaction((): number => {
    let version = db.pragma('user_version', { simple: true }) as number
    if (version > migrations.length) {
      throw new Error(`The database is at schema version ${version}, newer than this quiltt-mock (${migrations.length}). Use a newer quiltt-mock or another --db.`)
    }
    for (; version < migrations.length; version++) {
      const migration = migrations[version]!
      if (typeof migration === 'string') db.exec(migration)
      else migration(db)
    }
    db.pragma(`user_version = ${version}`)
    return version
  }).immediate()
}
