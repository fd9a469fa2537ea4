import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { verifyWebhook } from '../../server/index.js'
import { DEFAULT } from '../helper.js'
import { startCli } from '../process-helper.js'
import { startReceiver } from './receiver.js'

// Nothing lost: deliveries are pending in SQLite until a receiver takes them, so a process killed
// with SIGKILL while one was in flight (and others waited behind it) sends them all when it comes
// back, in the order the events happened.

const SECRET = 'whsec_quilttmock_0000000000000000000000000000'

t.test('pending deliveries survive SIGKILL and go out, in order, after the restart', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-webhooks-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = join(dir, 'webhooks.db')
  // The receiver takes the first delivery and never answers it: the kill comes while it is in flight.
  let hang = true
  const receiver = await startReceiver(t, (_r, res) => { if (!hang) res.writeHead(200).end() })

  const first = await startCli(t, ['--db', db])
  const api = (url: string, path: string, body: unknown) => fetch(`${url}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body)
  })
  t.equal((await api(first.url, '/v1/webhooks/subscriptions', { name: 'crash', targetUrl: receiver.url, eventTypes: ['profile.created'] })).status, 201)
  const made: string[] = []
  const inFlight = receiver.next()
  for (let i = 0; i < 3; i++) {
    const res = await api(first.url, '/v1/profiles', { email: `crash${i}@example.com` })
    t.equal(res.status, 201, 'acknowledged')
    made.push(((await res.json()) as { id: string }).id)
  }
  t.equal((await inFlight).body.events[0]!.record.id, made[0], 'the first delivery is in flight')
  await first.kill('SIGKILL')
  t.equal(first.child.signalCode, 'SIGKILL', 'killed, not closed')
  t.equal(receiver.received.length, 1, 'the others waited behind it')

  hang = false
  const seen = receiver.received.length
  const second = await startCli(t, ['--db', db])
  const got = []
  for (let i = 0; i < 3; i++) got.push(await receiver.next(seen + i))
  t.strictSame(got.map(r => r.body.events[0]!.record.id), made, 'all three, in event order, the interrupted one again first')
  for (const r of got) t.ok(verifyWebhook(r.raw, r.headers, SECRET).ok, 'signed')

  const deliveries = await (await fetch(`${second.url}/emulator/v1/environments/${DEFAULT.environmentId}/webhook-deliveries`)).json() as { deliveries: Array<{ state: string }> }
  // The last attempt is recorded just after the receiver answered; ask until it is (no sleeping: each ask is a round trip).
  let states = deliveries.deliveries.map(d => d.state)
  for (let i = 0; i < 50 && states.some(s => s !== 'delivered'); i++) {
    states = ((await (await fetch(`${second.url}/emulator/v1/environments/${DEFAULT.environmentId}/webhook-deliveries`)).json()) as { deliveries: Array<{ state: string }> }).deliveries.map(d => d.state)
  }
  t.strictSame(states, ['delivered', 'delivered', 'delivered'])
  await second.kill()
})
