import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { DEFAULT } from './helper.js'
import { startCli } from './process-helper.js'

// Crash safety: whatever the emulator acknowledged (a 201 for a session, a 204 for a revocation)
// survives a SIGKILL in the middle of the load. Requests still in flight at the kill have no
// promised outcome and are not checked.

const WORKERS = 16
const ISSUED_BEFORE_KILL = 400

t.test('acknowledged sessions and revocations survive SIGKILL', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = join(dir, 'crash.db')
  const first = await startCli(t, ['--db', db])

  const alive: string[] = []
  const revoked: string[] = []
  let killed = false
  let inFlightAtKill = 0
  let inFlight = 0

  /** The status and body, or undefined when the connection died with the process (no acknowledgement). */
  async function request (method: string, path: string, authorization: string, body?: string): Promise<{ status: number, text: string } | undefined> {
    inFlight++
    try {
      const res = await fetch(`${first.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${authorization}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body })
      })
      return { status: res.status, text: await res.text() }
    } catch {
      return undefined
    } finally {
      inFlight--
    }
  }

  async function worker (n: number): Promise<void> {
    for (let i = 0; !killed; i++) {
      const res = await request('POST', '/v1/users/sessions', DEFAULT.secret, '{}')
      if (!res || res.status !== 201) continue
      const { token } = JSON.parse(res.text) as { token: string }
      if (killed) return
      // Every third session is revoked, so both kinds of write are in flight when the kill comes.
      if ((n + i) % 3 === 0) {
        const del = await request('DELETE', '/v1/users/session', token)
        if (del?.status === 204) revoked.push(token)
        else if (!killed) t.fail(`revoke answered ${del?.status}`)
      } else {
        alive.push(token)
      }
      if (!killed && alive.length + revoked.length >= ISSUED_BEFORE_KILL) {
        killed = true
        inFlightAtKill = inFlight
        first.child.kill('SIGKILL')
      }
    }
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)))
  await first.kill()
  t.equal(first.child.signalCode, 'SIGKILL', 'the first process was killed, not closed')
  t.ok(inFlightAtKill > 0, `${inFlightAtKill} requests were in flight at the kill`)
  t.ok(alive.length > 100 && revoked.length > 50, `${alive.length} sessions and ${revoked.length} revocations acknowledged`)

  const check = new Database(db, { readonly: true })
  t.equal(check.pragma('integrity_check', { simple: true }), 'ok', 'the file is consistent')
  check.close()

  const second = await startCli(t, ['--db', db])
  const ping = async (token: string): Promise<number> =>
    (await fetch(`${second.url}/v1/users/session`, { headers: { authorization: `Bearer ${token}` } })).status
  const lost = (await Promise.all(alive.map(async token => (await ping(token)) === 200 ? 0 : 1))).reduce((a: number, b) => a + b, 0)
  const resurrected = (await Promise.all(revoked.map(async token => (await ping(token)) === 401 ? 0 : 1))).reduce((a: number, b) => a + b, 0)
  t.equal(lost, 0, `every one of ${alive.length} acknowledged sessions is alive after the restart`)
  t.equal(resurrected, 0, `every one of ${revoked.length} acknowledged revocations still holds`)
  await second.kill()
})
