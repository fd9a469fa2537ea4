import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { readConfig } from '../server/cli/config.js'
import { authenticate, bearer, build, DEFAULT, expectStatus, identify, issue, passcodes } from './helper.js'

interface Entry {
  id: number,
  at: string,
  method: string,
  path: string,
  query: string | null,
  status: number,
  durationMs: number,
  requestBody: unknown,
  responseBody: unknown,
  faultId?: string
}
const journal = async (app: FastifyInstance, query = ''): Promise<Entry[]> => {
  const res = await app.inject({ url: `/emulator/v1/requests${query}` })
  if (res.statusCode !== 200) throw new Error(res.body)
  return (res.json() as { requests: Entry[] }).requests
}

t.test('records Quiltt API requests newest first, with what was sent and what came back', async t => {
  const { app, clock } = await build(t)
  await identify(app, { email: 'j@example.com' })
  clock.advance(1500)
  const created = await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { email: 'p@example.com', name: 'P' } })
  await app.inject({ url: '/v1/profiles?limit=1&page=1', headers: bearer(DEFAULT.secret) })
  await app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'j@example.com', passcode: '000000' } } })

  const entries = await journal(app)
  t.strictSame(entries.map(e => `${e.method} ${e.path} ${e.status}`), [
    'PUT /v1/users/session 401',
    'GET /v1/profiles 200',
    'POST /v1/profiles 201',
    'POST /v1/users/session 201'
  ])
  t.ok(entries[0]!.id > entries[1]!.id && entries[1]!.id > entries[2]!.id, 'ids increase with time')
  const [put, list, create, ident] = entries as [Entry, Entry, Entry, Entry]
  t.strictSame(Object.keys(ident).sort(), ['at', 'durationMs', 'id', 'method', 'path', 'query', 'requestBody', 'responseBody', 'status'])
  t.equal(ident.at, '2026-01-01T12:00:00.000Z', 'arrival in emulator time, with milliseconds')
  t.equal(create.at, '2026-01-01T12:00:01.500Z')
  t.type(ident.durationMs, 'number')
  t.ok(ident.durationMs >= 0)
  t.strictSame(ident.requestBody, { session: { clientId: DEFAULT.clientId, email: 'j@example.com' } })
  t.match(ident.responseBody, { token: String, userId: /^p_/, environmentId: DEFAULT.environmentId })
  t.strictSame(create.requestBody, { email: 'p@example.com', name: 'P' })
  t.strictSame(create.responseBody, created.json())
  t.equal(list.query, 'limit=1&page=1')
  t.equal(list.path, '/v1/profiles')
  t.equal(list.requestBody, null)
  t.strictSame(put.responseBody, { message: 'Not Authenticated', instruction: 'Is the passcode correct and unexpired? Submit the username again to receive a new one.' })
})

t.test('credentials never appear: no headers, secrets and tokens redacted', async t => {
  const { app } = await build(t)
  const issued = await issue(app, { email: 'secret@example.com' })
  const token = issued.json().token as string
  await app.inject({ url: '/v1/users/session', headers: bearer(token) })
  await app.inject({ method: 'POST', url: '/v1/introspect/api_key', headers: bearer(DEFAULT.secret) })
  await app.inject({ method: 'POST', url: '/v1/introspect/session_token', headers: bearer(token) })
  await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { email: 'x@example.com', metadata: { note: `pasted ${DEFAULT.secret} and ${token}`, apiSecret: 'x' } } })
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(DEFAULT.secret), payload: { token: 'my-own-token', secret: 'hunter22' } })
  await app.inject({ url: `/v1/profiles?token=${token}`, headers: bearer(DEFAULT.secret) })
  // A sign-up answers with the token in the body and in the Authorization response header.
  await identify(app, { email: 'fresh@example.com' })

  const raw = (await app.inject({ url: '/emulator/v1/requests' })).body
  t.notOk(raw.includes(DEFAULT.secret), 'no API key secret')
  t.notOk(raw.includes(token), 'no session token')
  t.notOk(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(raw), 'no JWT at all')
  t.notOk(/authorization/i.test(raw), 'no Authorization header')
  t.notOk(raw.includes('hunter22') || raw.includes('my-own-token'), 'fields named token or secret are redacted')
  const entries = JSON.parse(raw).requests as Entry[]
  const signup = entries[0]!
  t.match(signup.responseBody, { token: '[REDACTED]', userId: String })
  const pasted = entries.find(e => e.path === '/v1/profiles' && e.method === 'POST')!
  t.match(pasted.requestBody, { metadata: { note: 'pasted [REDACTED] and [REDACTED]', apiSecret: 'x' } })
  t.match(entries.find(e => e.path === '/v1/profiles' && e.method === 'GET')!.query, 'token=[REDACTED]')

  // The redaction is on the copy shown: the caller's own answer kept its token.
  t.match(issued.json().token, /^eyJ/)
})

t.test("the emulator's own calls and the docs are not journaled", async t => {
  const { app } = await build(t)
  await app.inject({ url: '/emulator/v1/health' })
  await app.inject({ url: '/emulator/v1/environments' })
  await app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { advanceSeconds: 1 } })
  await app.inject({ url: '/docs/json' })
  await passcodes(app, 'email=a@example.com')
  t.strictSame(await journal(app), [])
  await app.inject({ url: '/v1/nope' })
  await app.inject({ url: '/emulatorx' })
  t.strictSame((await journal(app)).map(e => `${e.path} ${e.status}`), ['/emulatorx 404', '/v1/nope 404'], 'unknown Quiltt-side paths are journaled')
})

t.test('filters by method, path (with * and **) and limit', async t => {
  const { app } = await build(t)
  const a = (await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: {} })).json().id
  await app.inject({ url: `/v1/profiles/${a}`, headers: bearer(DEFAULT.secret) })
  await app.inject({ method: 'PATCH', url: `/v1/profiles/${a}`, headers: bearer(DEFAULT.secret), payload: { name: 'A' } })
  await identify(app, { email: 'f@example.com' })
  await app.inject({ url: '/v1/users/session' })

  t.strictSame((await journal(app, '?method=get')).map(e => e.path), ['/v1/users/session', `/v1/profiles/${a}`])
  t.strictSame((await journal(app, '?path=/v1/users/session')).map(e => e.method), ['GET', 'POST'])
  t.strictSame((await journal(app, '?path=/v1/profiles/*')).map(e => e.method), ['PATCH', 'GET'])
  t.strictSame((await journal(app, '?path=/v1/**')).length, 5)
  t.strictSame((await journal(app, '?path=/v1/*')).map(e => e.path), ['/v1/profiles'])
  t.strictSame((await journal(app, '?method=GET&path=/v1/profiles/*')).map(e => e.method), ['GET'])
  t.strictSame((await journal(app, '?limit=2')).map(e => e.method), ['GET', 'POST'])
  t.strictSame(await journal(app, '?method=DELETE'), [])

  const bad = await app.inject({ url: '/emulator/v1/requests?limit=0' })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), { limit: ['must be greater than or equal to 1'] })
  expectStatus(t, await app.inject({ url: '/emulator/v1/requests?limit=x' }), 422)
  const relative = await app.inject({ url: '/emulator/v1/requests?path=v1/profiles' })
  expectStatus(t, relative, 422)
  t.strictSame(relative.json(), { path: ['must start with /'] })
  // Bounds on a match's work: 7,000 wildcards against long paths held the event loop for seconds.
  const wild = await app.inject({ url: `/emulator/v1/requests?path=/${encodeURIComponent('*a'.repeat(9))}` })
  expectStatus(t, wild, 422)
  t.strictSame(wild.json(), { path: ['may hold at most 8 wildcards (* or **)'] })
  const long = await app.inject({ url: `/emulator/v1/requests?path=/${'a'.repeat(256)}` })
  t.strictSame(long.json(), { path: ['must be at most 256 characters'] })
  expectStatus(t, await app.inject({ url: `/emulator/v1/requests?path=/${encodeURIComponent('*a'.repeat(8))}` }), 200, '8 wildcards are fine')
})

t.test('the journal is bounded: the oldest entries drop off', async t => {
  const { app } = await build(t, { journalSize: 3 })
  for (let i = 0; i < 5; i++) await app.inject({ url: `/v1/nope/${i}` })
  t.strictSame((await journal(app)).map(e => e.path), ['/v1/nope/4', '/v1/nope/3', '/v1/nope/2'])
  t.strictSame((await journal(app, '?limit=100')).length, 3)
})

t.test('the default size is 1000', async t => {
  const { app } = await build(t)
  t.equal(app.emulator.control.journal.size, 1000)
  for (let i = 0; i < 1005; i++) await app.inject({ url: `/v1/nope/${i}` })
  const entries = await journal(app)
  t.equal(entries.length, 1000)
  t.equal(entries.at(-1)!.path, '/v1/nope/5')
})

t.test('journalSize 0 turns the journal off', async t => {
  const { app } = await build(t, { journalSize: 0 })
  await identify(app, { email: 'off@example.com' })
  t.strictSame(await journal(app), [])
})

t.test('DELETE empties it, a full reset empties it, resetting one environment does not', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'd@example.com' })
  const del = await app.inject({ method: 'DELETE', url: '/emulator/v1/requests' })
  expectStatus(t, del, 204)
  t.strictSame(await journal(app), [])
  await identify(app, { email: 'd2@example.com' })
  await authenticate(app, { email: 'd2@example.com', passcode: '123456' })
  await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } })
  t.equal((await journal(app)).length, 2)
  await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
  t.strictSame(await journal(app), [])
  await app.inject({ url: '/v1/nope' })
  const [after] = await journal(app)
  t.ok(after!.id > 2, `ids keep counting after a clear (got ${after!.id})`)
})

t.test('--journal-size and QUILTT_MOCK_JOURNAL_SIZE set the size, within bounds', async t => {
  t.equal(readConfig([], {}).journalSize, 1000)
  t.equal(readConfig(['--journal-size', '50'], {}).journalSize, 50)
  t.equal(readConfig(['--journal-size=0'], {}).journalSize, 0)
  t.equal(readConfig([], { QUILTT_MOCK_JOURNAL_SIZE: '7' }).journalSize, 7)
  t.equal(readConfig(['--journal-size', '8'], { QUILTT_MOCK_JOURNAL_SIZE: '7' }).journalSize, 8)
  t.throws(() => readConfig(['--journal-size=-1'], {}), /--journal-size must be a whole number from 0 to 100000/)
  t.throws(() => readConfig(['--journal-size', '1.5'], {}), /--journal-size/)
  t.throws(() => readConfig(['--journal-size', '100001'], {}), /--journal-size/)
  await t.rejects(build(t, { journalSize: -1 }), RangeError)
})

t.test('bodies over 64 KiB are noted by size, not kept', async t => {
  const { app } = await build(t)
  const big = 'x'.repeat(70 * 1024)
  const created = await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { metadata: { big } } })
  expectStatus(t, created, 201)
  const [entry] = await journal(app)
  const bytes = Buffer.byteLength(JSON.stringify({ metadata: { big } }))
  t.equal(entry!.requestBody, `[${bytes} bytes, not kept: the journal keeps bodies up to 65536 bytes]`)
  t.equal(entry!.responseBody, `[${Buffer.byteLength(created.body)} bytes, not kept: the journal keeps bodies up to 65536 bytes]`)
  // Small bodies next to it are kept whole.
  await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { name: 'small' } })
  t.match((await journal(app))[0]!.requestBody, { name: 'small' })
})

t.test('the inspector page and CORS preflights are not journaled', async t => {
  const { app } = await build(t)
  await app.inject({ url: '/' })
  await app.inject({ method: 'OPTIONS', url: '/v1/users/session', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
  await app.inject({ method: 'GET', url: '/v1/users/session' })
  t.strictSame((await journal(app)).map(r => `${r.method} ${r.path}`), ['GET /v1/users/session'])
})

t.test('a deeply nested body is journaled cut at 64 levels, and reading the journal never fails', async t => {
  const { app } = await build(t)
  const deep = '['.repeat(5000) + ']'.repeat(5000)
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: 'Bearer sk_sandbox_quilttmock_0000000000000000000000', 'content-type': 'application/json' }, payload: deep })
  const res = await app.inject({ url: '/emulator/v1/requests' })
  t.equal(res.statusCode, 200)
  let node: unknown = res.json().requests[0].requestBody
  let depth = 0
  while (Array.isArray(node)) { node = node[0]; depth++ }
  t.equal(depth, 64)
  t.equal(node, '[nested too deep]')
})

t.test('repeated identical answers and different ones in between each keep their own body', async t => {
  const { app } = await build(t)
  const a = (await issue(app, {})).json() as { id: string, token: string }
  const b = (await issue(app, {})).json() as { id: string, token: string }
  // Polling answers the same text again and again (the journal then keeps one copy); the order here makes sure
  // an entry never shows a neighbour's body.
  for (const token of [a.token, a.token, b.token, a.token, a.token]) {
    expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(token) }), 200)
  }
  const pings = (await journal(app, '?method=GET&path=/v1/users/session')).reverse()
  t.strictSame(pings.map(e => (e.responseBody as { id: string }).id), [a.id, a.id, b.id, a.id, a.id])
  t.strictSame(pings.map(e => (e.responseBody as { token: string }).token), Array(5).fill('[REDACTED]'))
})

t.test('a chunked body (no Content-Length) over 64 KiB is noted by size too, and the journal holds bodies as text', async t => {
  const { app } = await build(t, { validateResponses: false })
  const { Readable } = await import('node:stream')
  const text = JSON.stringify({ query: `{ ${'a '.repeat(60 * 1024)}}` })
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { ...bearer(DEFAULT.secret), 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, payload: Readable.from([text.slice(0, 1000), text.slice(1000)]) })
  t.equal(res.headers['content-length'] === undefined, false, 'answered')
  const [entry] = await journal(app)
  t.equal(entry!.requestBody, `[${Buffer.byteLength(text)} bytes, not kept: the journal keeps bodies up to 65536 bytes]`)
})

t.test('bodies kept add up to 16 MiB at most: the oldest are let go, the newest kept', async t => {
  const { app } = await build(t, { validateResponses: false, validateAgainstQuiltt: undefined })
  const body = JSON.stringify({ metadata: { fill: 'y'.repeat(60 * 1024) } })
  // 300 requests of 60 KiB: 18 MiB sent, more than the journal keeps.
  for (let i = 0; i < 300; i++) {
    await app.inject({ method: 'PUT', url: '/v1/profiles/p_nope', headers: { ...bearer(DEFAULT.secret), 'content-type': 'application/json' }, payload: body })
  }
  const entries = await journal(app)
  t.equal(entries.length, 300, 'every entry is still listed')
  t.match(entries[0]!.requestBody, { metadata: { fill: /^y+$/ } }, 'the newest body is kept')
  t.match(entries[299]!.requestBody, /^\[\d+ characters, let go: the journal keeps the newest 16 MiB of bodies\]$/, 'the oldest is let go')
  const keptChars = entries.filter(e => typeof e.requestBody === 'object').length * body.length
  t.ok(keptChars <= 16 * 1024 * 1024, `kept ${keptChars} characters of bodies`)
})

t.test('signing secrets are never journaled in clear', async t => {
  const { app } = await build(t, { validateResponses: false })
  // Quiltt API requests only are journaled; a secret can still appear in one's body.
  await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { metadata: { signingSecret: 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000', note: 'mine is ss_sandbox_abcdefgh12345678' } } })
  const [entry] = await journal(app)
  t.strictSame((entry!.requestBody as { metadata: unknown }).metadata, { signingSecret: '[REDACTED]', note: 'mine is [REDACTED]' })
})
