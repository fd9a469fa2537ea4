import { connect } from 'node:net'
import t from 'tap'
import { ManualClock } from '../server/clock.js'
import { startEmulator } from '../server/index.js'
import { DEFAULT, PHONE, WITH_PHONE } from './helper.js'

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

t.test('startEmulator listens on a free port with an in-memory database and the default fixtures', async t => {
  const a = await startEmulator()
  const b = await startEmulator()
  t.teardown(async () => { await a.close(); await b.close() })
  t.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(a.port, 0)
  t.not(a.port, b.port, 'two at once get two ports')
  t.equal(a.url, `http://127.0.0.1:${a.port}`)
  const health = await fetch(`${a.url}/emulator/v1/health`)
  t.equal(health.status, 200)
  t.strictSame(a.environments.map(e => [e.id, e.clientId, e.apiKey.secret]), [[DEFAULT.environmentId, DEFAULT.clientId, DEFAULT.secret]])
  t.equal(a.defaultEnvironment.clientId, DEFAULT.clientId)

  t.equal((await post(`${a.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'one@example.com' } })).status, 201)
  const inB = await fetch(`${b.url}/emulator/v1/environments/${DEFAULT.environmentId}/profiles`)
  t.equal(((await inB.json()) as { total: number }).total, 0, 'each has its own database')
})

t.test('passcodes(username) reads what was sent, newest first, across environments', async t => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1))
  const emulator = await startEmulator({ clock, ...WITH_PHONE })
  t.teardown(() => emulator.close())
  const email = 'Pat@Example.com'
  for (let i = 0; i < 3; i++) {
    await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email } })
    clock.advance(1000)
  }
  const list = await emulator.passcodes('pat@example.com')
  t.equal(list.length, 2, 'the signup sends none; each identify after it sends one')
  t.strictSame(list.map(p => p.state), ['outstanding', 'replaced'])
  t.ok(list.every(p => p.environmentId === DEFAULT.environmentId && p.email === 'pat@example.com'))
  t.match(list[0]!.code, /^\d{6}$/)
  const login = await fetch(`${emulator.url}/v1/users/session`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: { clientId: DEFAULT.clientId, email, passcode: list[0]!.code } })
  })
  t.equal(login.status, 201, 'the code logs in')
  t.equal((await emulator.passcodes(email))[0]!.state, 'used')

  for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: PHONE.clientId, phone: '+15555550199' } })
  const sms = await emulator.passcodes('+15555550199')
  t.equal(sms.length, 1)
  t.equal(sms[0]!.environmentId, PHONE.environmentId)
  t.strictSame(await emulator.passcodes('+15555550199', { environmentId: DEFAULT.environmentId }), [], 'limited to one environment')
  t.strictSame(await emulator.passcodes('nobody@example.com'), [])
  await t.rejects(emulator.passcodes('x@example.com', { environmentId: 'env_missing' }), /answered 404/)
})

t.test('reset() goes back to the fixtures; close() stops listening', async t => {
  const emulator = await startEmulator()
  await fetch(`${emulator.url}/emulator/v1/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'gone@example.com' } })
  t.equal(emulator.environments.length, 2, 'environments is read live')
  await emulator.reset()
  t.equal(emulator.environments.length, 1)
  const profiles = await (await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}/profiles`)).json() as { total: number }
  t.equal(profiles.total, 0)
  await emulator.close()
  await t.rejects(fetch(`${emulator.url}/emulator/v1/health`), 'nothing listens after close()')
})

t.test('options: fixtures document, a busy port is an error', async t => {
  const emulator = await startEmulator({
    fixtures: { environments: [{ id: 'env_custom', name: 'Custom', clientId: 'customclient', authStrategy: 'phone' }] }
  })
  t.teardown(() => emulator.close())
  t.strictSame(emulator.environments.map(e => [e.id, e.clientId, e.authStrategy]), [['env_custom', 'customclient', 'phone']])
  await t.rejects(startEmulator({ port: emulator.port }), { code: 'EADDRINUSE' })
})

t.test('the README example: the official SDK in-process, logged in with a passcode read from the emulator', async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  await import('../server/drop-in/register.js') // what `node --import quiltt-mock/register` does
  process.env.QUILTT_API_DOMAIN = `localhost:${emulator.port}`
  process.env.QUILTT_API_INSECURE = 'true'
  const { AuthAPI } = await import('@quiltt/core/api/rest') // after the env vars: the SDK reads them once, at import
  const auth = new AuthAPI(DEFAULT.clientId)
  t.equal((await auth.identify({ email: 'reader@example.com' })).status, 201)
  t.equal((await auth.identify({ email: 'reader@example.com' })).status, 202)
  const [latest] = await emulator.passcodes('reader@example.com')
  const session = await auth.authenticate({ email: 'reader@example.com', passcode: latest!.code })
  t.equal(session.status, 201)
  const token = (session.data as { token: string }).token
  t.equal((await auth.ping(token)).status, 200)
})

t.test('close() does not wait for sockets a client keeps open', async t => {
  const emulator = await startEmulator()
  const unread = await fetch(`${emulator.url}/docs/static/swagger-ui-bundle.js`) // a big body nobody reads keeps its socket busy
  t.equal(unread.status, 200)
  const spare = connect(emulator.port, '127.0.0.1') // and a socket with no request yet, as browsers preconnect
  await new Promise(resolve => spare.once('connect', resolve))
  t.teardown(() => { spare.destroy() })
  let timer: NodeJS.Timeout | undefined
  const closed = await Promise.race([
    emulator.close().then(() => 'closed'),
    new Promise(resolve => { timer = setTimeout(() => resolve('still waiting after 5 s'), 5000) })
  ])
  clearTimeout(timer)
  t.equal(closed, 'closed')
})

t.test('startEmulator with bad fixtures throws an error whose message lists every bad field', async t => {
  await t.rejects(startEmulator({ fixtures: { environments: [{ name: 'x', clientId: 'bad client', authStrategy: 'carrier pigeon' }] } }), {
    name: 'InvalidFixturesError',
    statusCode: 422,
    message: /^the fixtures are invalid:\n {2}environments\.0\.\w+: .+\n {2}environments\.0\.\w+: /
  })
  const err = await startEmulator({ fixtures: { environments: [{ clientId: 'c', authStrategy: 'carrier pigeon' }] } }).catch((e: Error) => e)
  t.match((err as Error).message, /environments\.0\.authStrategy: must be one of: email, phone/)
})

t.test('a misspelled top-level fixture key is reported as unknown, with the key it likely means, not as a missing one', async t => {
  const err = await startEmulator({ fixtures: { environment: [{ clientId: 'c' }] } }).catch((e: Error) => e) as Error & { fields: Record<string, string[]> }
  t.strictSame(err.fields, { environment: ['is not a known field; did you mean environments?'] })
  const cased = await startEmulator({ fixtures: { Environments: [] } }).catch((e: Error) => e) as Error & { fields: Record<string, string[]> }
  t.strictSame(cased.fields, { Environments: ['is not a known field; did you mean environments?'] })
  const far = await startEmulator({ fixtures: { profiles: [] } }).catch((e: Error) => e) as Error & { fields: Record<string, string[]> }
  t.strictSame(far.fields, { profiles: ['is not a known field'], environments: ['must be an array of environments'] }, 'nothing like it: both said')
})
