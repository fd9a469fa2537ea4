// A database that cannot be opened or written stops the start at once, with a message naming --db,
// the path and why (it hung under /proc, and an unwritable file started "healthy" and 500ed on writes).
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { openDatabase } from '../server/store/db.js'
import { assertBuilt, BIN } from './built.js'
import { ROOT } from '../server/paths.js'

assertBuilt()
const { NODE_V8_COVERAGE: _c, NODE_OPTIONS: _o, ...env } = process.env

/** The CLI as a user starts it (as `nobody` when the tests run as root, for whom no file is read-only). */
function start (db: string, asNobody = false): Promise<{ code: number | null, stderr: string, ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [BIN, '--port', '0', '--db', db], {
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asNobody && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {})
    })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', d => { stderr += d })
    child.stdout.on('data', d => {
      stdout += d
      // It started after all: stop it, the assertions below say why that is wrong.
      if (/listening on/.test(stdout)) child.kill()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stderr: stderr + stdout, ms: Date.now() - started }) })
  })
}

t.test('a --db whose folder cannot be created (under /proc) stops the start at once, naming --db, the path and why', async t => {
  const res = await start('/proc/no-such-dir/q.db')
  t.equal(res.code, 1)
  t.match(res.stderr, /quiltt-mock: --db \/proc\/no-such-dir\/q\.db: its folder \/proc\/no-such-dir cannot be created \(ENOENT/)
  t.ok(res.ms < 5000, `stopped after ${res.ms} ms`)
})

t.test('a --db that is a folder, or not a database, cannot be opened', async t => {
  const dir = t.testdir({ folder: {}, 'notes.db': 'these are not the bytes of an SQLite database, but quite long enough to look like a header: '.repeat(20) })
  const folder = await start(join(dir, 'folder'))
  t.equal(folder.code, 1)
  t.match(folder.stderr, new RegExp(`--db ${join(dir, 'folder')} cannot be opened \\(`))
  const notes = await start(join(dir, 'notes.db'))
  t.equal(notes.code, 1)
  t.match(notes.stderr, new RegExp(`--db ${join(dir, 'notes.db')} cannot be opened \\(SQLITE_NOTADB`))
})

/**
 * Whether `nobody` can run the CLI of this checkout: every folder above it searchable by others, and
 * the checkout readable. A checkout in a private folder (`mktemp -d` makes one) is not.
 */
function othersCanRun (path: string): boolean {
  for (let d = dirname(path); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false
    if (dirname(d) === d) return (statSync(path).mode & 0o004) !== 0
  }
}
const asRoot = process.getuid?.() === 0

t.test('a database file the process cannot write stops the start, instead of starting healthy and answering every write with a 500', {
  // Root writes any file whatever its mode, so the CLI runs as `nobody`, which must be able to read the checkout.
  skip: asRoot && !othersCanRun(BIN) ? `the tests run as root in a folder the nobody user cannot reach (${ROOT}): clone into a folder others can read` : false
}, async t => {
  // Under the system's temporary folder: every user can reach it (the tests' own folder may not be).
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-ro-'))
  t.teardown(() => { chmodSync(dir, 0o755); rmSync(dir, { recursive: true, force: true }) })
  const path = join(dir, 'q.db')
  openDatabase(path).close() // a good, migrated database
  const db = new Database(path)
  db.pragma('journal_mode = DELETE') // no -wal/-shm files left for the other user to write
  db.close()
  chmodSync(path, 0o444)
  chmodSync(dir, 0o555)
  const res = await start(path, true)
  t.equal(res.code, 1, res.stderr)
  t.match(res.stderr, new RegExp(`--db ${path} cannot be written \\(.*readonly.*\\)\\. Check its permissions, or choose another --db\\.`))
  t.ok(res.ms < 5000, `stopped after ${res.ms} ms`)
})
