import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { build, DEFAULT } from './helper.js'
import { startCli } from './process-helper.js'

// Races are settled by the database (unique indexes, the conditional UPDATE that consumes a passcode,
// IMMEDIATE transactions), never by luck. The requests are fired together at listening servers: one
// process first, then two processes sharing one database file, where Node's single thread cannot be
// what serialises them.

const json = { 'content-type': 'application/json' }

async function send (url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: unknown }> {
  const res = await fetch(url, { method, headers: { ...json, ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown }
}

const counts = (results: Array<{ status: number }>): Record<number, number> => {
  const out: Record<number, number> = {}
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1
  return out
}

/** Fires `n` requests at once, spread over the given servers in turn. */
const together = (urls: string[], n: number, request: (url: string, i: number) => Promise<{ status: number, body: unknown }>) =>
  Promise.all(Array.from({ length: n }, (_, i) => request(urls[i % urls.length]!, i)))

const identifyAt = (email: string) => (url: string) => send(`${url}/v1/users/session`, 'POST', { session: { clientId: DEFAULT.clientId, email } })
const authenticateAt = (email: string, passcode: string) => (url: string) =>
  send(`${url}/v1/users/session`, 'PUT', { session: { clientId: DEFAULT.clientId, email, passcode } })
const issueAt = (body: unknown) => (url: string) => send(`${url}/v1/users/sessions`, 'POST', body, { authorization: `Bearer ${DEFAULT.secret}` })

async function profilesWithEmail (url: string, email: string): Promise<number> {
  let found = 0
  for (let page = 1; ; page++) {
    const res = await send(`${url}/v1/profiles?page=${page}&limit=100`, 'GET', undefined, { authorization: `Bearer ${DEFAULT.secret}` })
    const list = res.body as Array<{ email: string | null }>
    found += list.filter(p => p.email === email).length
    if (list.length < 100) return found
  }
}

async function latestPasscode (url: string, email: string): Promise<{ code: string, state: string, attempts: number }> {
  const res = await send(`${url}/emulator/v1/environments/${DEFAULT.environmentId}/passcodes?email=${encodeURIComponent(email)}`, 'GET')
  return (res.body as { passcodes: Array<{ code: string, state: string, attempts: number }> }).passcodes[0]!
}

/** The four races, against whatever servers are given (they share one database). */
function races (t: Test, servers: () => string[]): void {
  t.test('50 identifies of one new username: one 201 and one profile, the rest 202', async t => {
    const urls = servers()
    const email = 'race-identify@example.com'
    const results = await together(urls, 50, identifyAt(email))
    t.strictSame(counts(results), { 201: 1, 202: 49 })
    t.equal(await profilesWithEmail(urls[0]!, email), 1, 'one profile')
    const list = (await send(`${urls[0]}/emulator/v1/environments/${DEFAULT.environmentId}/passcodes?email=${email}`, 'GET')).body as { passcodes: Array<{ state: string }> }
    t.equal(list.passcodes.length, 49, 'each 202 issued a passcode')
    t.equal(list.passcodes.filter(p => p.state === 'outstanding').length, 1, 'and only the last is outstanding')
  })

  t.test('30 authenticates with one passcode: exactly one 201', async t => {
    const urls = servers()
    const email = 'race-authenticate@example.com'
    await identifyAt(email)(urls[0]!)
    t.equal((await identifyAt(email)(urls[0]!)).status, 202)
    const { code } = await latestPasscode(urls[0]!, email)
    const results = await together(urls, 30, authenticateAt(email, code))
    t.strictSame(counts(results), { 201: 1, 401: 29 })
    t.equal((await latestPasscode(urls[0]!, email)).state, 'used')
  })

  t.test('30 issues with one new uuid: one 201, the rest 409', async t => {
    const urls = servers()
    const uuid = '0b9a2f3c-1d4e-4f5a-8b6c-7d8e9f0a1b2c'
    const results = await together(urls, 30, issueAt({ uuid }))
    t.strictSame(counts(results), { 201: 1, 409: 29 })
    for (const r of results.filter(r => r.status === 409)) t.strictSame(r.body, { message: 'Conflict', instruction: 'UUID is not available' })
    const winner = results.find(r => r.status === 201)!.body as { userUuid: string }
    t.equal(winner.userUuid, uuid)
  })

  t.test('20 wrong passcodes at once: counted up to 5, then locked', async t => {
    const urls = servers()
    const email = 'race-wrong@example.com'
    await identifyAt(email)(urls[0]!)
    await identifyAt(email)(urls[0]!)
    const { code } = await latestPasscode(urls[0]!, email)
    const results = await together(urls, 20, authenticateAt(email, code === '000000' ? '111111' : '000000'))
    t.strictSame(counts(results), { 401: 20 })
    const after = await latestPasscode(urls[0]!, email)
    t.equal(after.attempts, 5)
    t.equal(after.state, 'locked')
    t.equal((await authenticateAt(email, code)(urls[0]!)).status, 401, 'the right code is refused after the lock')
  })
}

t.test('one server', async t => {
  const { app } = await build(t)
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  races(t, () => [url])
})

t.test('two processes on one database file', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-races-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = join(dir, 'shared.db')
  // The first creates the file and loads the fixtures; the second opens it as it is.
  const a = await startCli(t, ['--db', db])
  const b = await startCli(t, ['--db', db])
  races(t, () => [a.url, b.url])
})
