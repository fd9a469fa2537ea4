// Two emulator processes on one database file, as documented: they start together, and a write that
// finds the file locked by the other is a quick 503 with Retry-After, never a frozen event loop or a 500.
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { useWal } from '../server/store/db.js'
import { migrations } from '../server/store/migrations.js'
import { assertBuilt } from './built.js'
import { DEFAULT } from './helper.js'
import { ROOT } from '../server/paths.js'

assertBuilt()
const DB_MODULE = join(ROOT, 'dist', 'server', 'store', 'db.js')

/** Opens (and so migrates) `path` in `n` threads at once: each its own connection, as two processes have. */
function openTogether (path: string, n: number): Promise<string[]> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { Atomics: A } = globalThis
    // All wait on one flag, then open at the same moment.
    A.wait(workerData.flag, 0, 0)
    import(workerData.module).then(({ openDatabase }) => {
      try { openDatabase(workerData.path).close(); parentPort.postMessage('ok') } catch (err) { parentPort.postMessage(String(err.message)) }
    })`
  const flag = new Int32Array(new SharedArrayBuffer(4))
  const workers = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: { path, module: DB_MODULE, flag } }))
  const answers = workers.map(w => new Promise<string>(resolve => { w.once('message', resolve); w.once('error', err => resolve(String(err))) }))
  setTimeout(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0) }, 200)
  return Promise.all(answers).finally(() => Promise.all(workers.map(w => w.terminate())))
}

t.test('processes starting together on a new file all migrate it, once', async t => {
  const dir = t.testdir({})
  for (let i = 0; i < 4; i++) {
    const path = join(dir, `new-${i}.db`)
    const answers = await openTogether(path, 4)
    t.strictSame(answers, ['ok', 'ok', 'ok', 'ok'], `try ${i + 1}: every one opened it`)
    const db = new Database(path, { readonly: true })
    t.equal(db.pragma('user_version', { simple: true }), migrations.length)
    db.close()
  }
})

t.test('switching a new file to WAL is tried again when SQLite answers SQLITE_BUSY at once, until the start\'s deadline', async t => {
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
  let calls = 0
  useWal({ pragma: ((sql: string) => { calls++; t.equal(sql, 'journal_mode = WAL'); if (calls < 3) throw busy; return 'wal' }) as never })
  t.equal(calls, 3, 'two refusals, then the switch')

  calls = 0
  const started = Date.now()
  t.throws(() => useWal({ pragma: (() => { calls++; throw busy }) as never }, 50), busy, 'past the deadline the refusal stands')
  t.ok(Date.now() - started >= 50 && calls > 1, `tried ${calls} times in ${Date.now() - started} ms`)

  const other = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })
  calls = 0
  t.throws(() => useWal({ pragma: (() => { calls++; throw other }) as never }), other, 'any other error at once')
  t.equal(calls, 1)
})

t.test('a write that finds the file locked by another process is a 503 with Retry-After within a fraction of a second, then works', async t => {
  const path = join(t.testdir({}), 'shared.db')
  const app = await buildApp({ db: path })
  t.teardown(() => app.close())
  // Warm: the first request's one-time work is not the wait being measured.
  t.equal((await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })).statusCode, 201)
  // The other process: a long seed holding the write lock.
  const other = new Database(path)
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const started = Date.now()
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })
  const waited = Date.now() - started
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '1')
  t.match(res.json(), { message: 'Service Unavailable', instruction: /another quiltt-mock process on the same --db is writing/ })
  t.ok(waited < 2500, `answered in ${waited} ms (a 200 ms wait), not after the 5 s one`)
  // GraphQL too: a whole-request 503, not an errorId.
  other.exec('COMMIT')
  const token = (await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })).json().token as string
  other.exec('BEGIN IMMEDIATE')
  const gql = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { authorization: `Bearer ${token}` }, payload: { query: 'mutation { profileUpdate(input: { name: "X" }) { record { id } } }' } })
  t.equal(gql.statusCode, 503, gql.body)
  other.exec('COMMIT')
  const after = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })
  t.equal(after.statusCode, 201, 'once the other is done, writes go through')
})
