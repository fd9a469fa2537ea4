import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { verifyWebhook, webhookSignature } from '../../server/index.js'
import { resolve as resolveRef, type JsonObject } from '../../server/openapi/spec.js'
import { checkResponse } from '../../server/openapi/response-check.js'
import { loadQuilttDocument } from '../../server/contract/conformance.js'
import { readConfig } from '../../server/cli/config.js'
import { bearer, build, DEFAULT, expectStatus } from '../helper.js'
import { type Received, startReceiver } from './receiver.js'

const auth = bearer(DEFAULT.secret)
const SECRET = 'whsec_quilttmock_0000000000000000000000000000'
const EVENTS = `/emulator/v1/environments/${DEFAULT.environmentId}/events`
const DELIVERIES = `/emulator/v1/environments/${DEFAULT.environmentId}/webhook-deliveries`

interface Delivery { id: string, state: string, eventType: string, subscriptionId: string, attempts: Array<{ attempt: number, statusCode: number | null, durationMs: number, error: string | null }>, nextAttemptAt: string | null }

const subscribe = (app: FastifyInstance, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/v1/webhooks/subscriptions', headers: auth, payload })
const createProfile = async (app: FastifyInstance, payload: Record<string, unknown> = {}) =>
  (await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload })).json() as { id: string, uuid: string }
const deliveries = async (app: FastifyInstance): Promise<Delivery[]> => ((await app.inject({ url: DELIVERIES })).json() as { deliveries: Delivery[] }).deliveries
const advance = (app: FastifyInstance, seconds: number) => app.inject({ method: 'POST', url: '/emulator/v1/clock', payload: { advanceSeconds: seconds } })
const settle = (app: FastifyInstance) => app.emulator.webhookDispatcher.idle()

/** Quiltt's WebhookPayload schema (its published document), strictly. */
function quilttPayloadProblems (raw: string): string[] {
  const quiltt = loadQuilttDocument()
  const json = resolveRef(quiltt.document, { $ref: '#/components/schemas/WebhookPayload' }) as JsonObject
  return checkResponse({ json, hasContent: true, headers: [] }, 200, { 'content-type': 'application/json' }, raw)
}

t.test('subscriptions: Quiltt\'s operations, shapes and statuses', async t => {
  const { app } = await build(t)
  expectStatus(t, await app.inject({ url: '/v1/webhooks/subscriptions' }), 401, 'no API key secret')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/webhooks/subscriptions', headers: bearer('sk_nope_0000000000'), payload: { name: 'x' } }), 401, 'a wrong one')

  const created = await subscribe(app, { name: 'ACME Webhook', targetUrl: 'https://localhost/webhooks/quiltt', eventTypes: ['profile.created', 'connection'] })
  expectStatus(t, created, 201)
  const sub = created.json()
  t.match(sub, { id: /^wh_[0-9A-Za-z]{23}$/, name: 'ACME Webhook', targetUrl: 'https://localhost/webhooks/quiltt', eventTypes: ['profile.created', 'connection'], disabled: false, createdAt: '2026-01-01T12:00:00Z', updatedAt: '2026-01-01T12:00:00Z' })

  const second = (await subscribe(app, { name: 'Two', targetUrl: 'http://127.0.0.1:9/hook', eventTypes: ['profile'], disabled: true })).json()
  t.equal(second.disabled, true)
  const page = await app.inject({ url: '/v1/webhooks/subscriptions?page=2&limit=1', headers: auth })
  expectStatus(t, page, 200)
  t.strictSame(page.json().map((s: { id: string }) => s.id), [second.id], 'oldest first, paged')
  t.match(page.headers, { 'current-page': '2', 'page-items': '1', 'total-count': '2', 'total-pages': '2' })

  t.strictSame((await app.inject({ url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth })).json(), sub)
  await advance(app, 60)
  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth, payload: { eventTypes: ['profile.deleted'], disabled: true } })
  expectStatus(t, patched, 200)
  t.match(patched.json(), { eventTypes: ['profile.deleted'], disabled: true, name: 'ACME Webhook', createdAt: sub.createdAt, updatedAt: '2026-01-01T12:01:00Z' })

  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth }), 204)
  expectStatus(t, await app.inject({ url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth }), 404, 'gone')
  expectStatus(t, await app.inject({ method: 'PATCH', url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth, payload: { name: 'x' } }), 404)
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth }), 404)

  // Another environment's subscriptions are not this one's.
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })).json()
  expectStatus(t, await app.inject({ url: `/v1/webhooks/subscriptions/${second.id}`, headers: bearer(other.apiKey.secret) }), 404, 'isolated')
})

t.test('subscriptions: bad input is a 422 field map that says what to do', async t => {
  const { app } = await build(t)
  const missing = await subscribe(app, {})
  expectStatus(t, missing, 422)
  t.strictSame(Object.keys(missing.json()).sort(), ['eventTypes', 'name', 'targetUrl'])

  const unknown = await subscribe(app, { name: 'x', targetUrl: 'http://localhost:3000/h', eventTypes: ['profile.created', 'profile.updated'] })
  expectStatus(t, unknown, 422)
  t.match(unknown.json().eventTypes[0], /"profile.updated" is not an event type/)
  expectStatus(t, await subscribe(app, { name: 'x', targetUrl: 'http://localhost:3000/h', eventTypes: [] }), 422, 'no types')
  const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
  t.match((await app.inject({ method: 'POST', url: '/v1/webhooks/subscriptions', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"name":"x","targetUrl":"http://localhost:3000/h","eventTypes":["profile",${nested},"${'x'.repeat(1000)}",7]}` })).json(),
    { eventTypes: [/^an array, "x{60}…", a number are not event types/] }, 'a deep or long entry is named, not echoed')

  const remote = await subscribe(app, { name: 'x', targetUrl: 'https://example.com/webhooks', eventTypes: ['profile'] })
  expectStatus(t, remote, 422)
  t.match(remote.json().targetUrl[0], /example\.com is not this machine.*--webhook-hosts example\.com/)
  t.match((await subscribe(app, { name: 'x', targetUrl: 'ftp://localhost/x', eventTypes: ['profile'] })).json(), { targetUrl: ['Target URL is not a valid HTTPS URL'] })
  t.match((await subscribe(app, { name: 'x', targetUrl: 'not a url', eventTypes: ['profile'] })).json(), { targetUrl: ['Target URL is not a valid HTTPS URL'] })
  t.match((await subscribe(app, { name: ' ', targetUrl: 'http://[::1]:4000/', eventTypes: ['charge.execute'] })).json(), { name: ["can't be blank"] }, 'IPv6 loopback and charge.execute are fine; a blank name is not')

  const { app: opted } = await build(t, { webhookHosts: ['receiver.internal'] })
  expectStatus(t, await subscribe(opted, { name: 'x', targetUrl: 'http://receiver.internal:8080/h', eventTypes: ['profile'] }), 201, 'a host the user named')
  expectStatus(t, await subscribe(opted, { name: 'x', targetUrl: 'https://example.com/h', eventTypes: ['profile'] }), 422, 'not the others')
})

t.test('a profile created over REST is delivered signed, in Quiltt\'s envelope, after the request answered', async t => {
  const { app, clock } = await build(t)
  const receiver = await startReceiver(t)
  const sub = (await subscribe(app, { name: 'Mine', targetUrl: receiver.url, eventTypes: ['profile'] })).json()
  await subscribe(app, { name: 'Not mine', targetUrl: receiver.url, eventTypes: ['connection'] })

  const arrived = receiver.next()
  const profile = await createProfile(app, { email: 'hook@example.com', metadata: { plan: 'gold' } })
  const got = await arrived
  t.equal(got.headers['content-type'], 'application/json')
  t.equal(got.headers['quiltt-timestamp'], String(clock.now() / 1000), 'Unix seconds of the emulator clock')
  t.equal(got.headers['quiltt-signature'], webhookSignature(SECRET, got.headers['quiltt-timestamp'] as string, got.raw))
  t.notOk(/\n|": /.test(got.raw), 'compact JSON')
  t.strictSame(quilttPayloadProblems(got.raw), [], 'valid against Quiltt\'s WebhookPayload')
  t.match(got.body, {
    environment: { id: DEFAULT.environmentId, name: 'Sandbox', mode: 'SANDBOX', metadata: null },
    eventTypes: ['profile.created'],
    events: [{ id: /^evt_/, type: 'profile.created', at: '2026-01-01T12:00:00Z', profile: { id: profile.id, uuid: profile.uuid, metadata: { plan: 'gold' } }, record: { id: profile.id, email: 'hook@example.com' }, metadata: {} }]
  })

  const verified = verifyWebhook(got.raw, got.headers, SECRET, { now: clock.now() })
  t.ok(verified.ok, 'verifyWebhook accepts it')
  if (verified.ok) t.same(verified.payload, got.body)

  await settle(app)
  const [d] = await deliveries(app)
  t.match(d, { state: 'delivered', subscriptionId: sub.id, eventType: 'profile.created', nextAttemptAt: null, attempts: [{ attempt: 1, statusCode: 200, error: null }] })
  t.equal((await deliveries(app)).length, 1, 'only the subscription that takes profile events')

  const events = (await app.inject({ url: EVENTS })).json().events
  t.equal(events[0].id, got.body.events[0]!.id, 'the event is listed')

  // Deleted: profile.deleted goes out too, with the profile as it was.
  const deleted = receiver.next()
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${profile.id}`, headers: auth }), 204)
  t.match((await deleted).body.events[0], { type: 'profile.deleted', record: { id: profile.id } })
  t.strictSame((await app.inject({ url: EVENTS })).json().events.map((e: { type: string }) => e.type).slice(0, 2), ['profile.deleted', 'profile.created'], 'newest first')
})

t.test('every way a profile comes to be publishes profile.created; a failed one publishes nothing', async t => {
  const { app } = await build(t)
  const types = async () => ((await app.inject({ url: EVENTS })).json().events as Array<{ type: string, record: { email: string | null } }>)
  const before = (await types()).length
  await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'signup@example.com' } } })
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: auth, payload: {} })
  await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: auth, payload: { uuid: '44444444-4444-4444-8444-444444444444' } })
  await app.inject({ method: 'POST', url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles`, payload: { email: 'seeded@example.com' } })
  await createProfile(app, { email: 'rest@example.com' })
  const taken = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: { email: 'rest@example.com' } })
  expectStatus(t, taken, 422, 'a taken email')
  const after = await types()
  t.equal(after.length - before, 5, 'signup, issued {} and {uuid}, seeding and REST; not the refused one')
  t.ok(after.every(e => e.type === 'profile.created'))
  t.strictSame(after.slice(0, 5).map(e => e.record.email).filter(Boolean).sort(), ['rest@example.com', 'seeded@example.com', 'signup@example.com'])
})

t.test('a failing receiver is retried with backoff on the emulator clock; order per subscription holds', async t => {
  const { app } = await build(t)
  let answer = 500
  const receiver = await startReceiver(t, (_r, res) => { res.writeHead(answer).end() })
  await subscribe(app, { name: 'Flaky', targetUrl: receiver.url, eventTypes: ['profile.created'] })

  const first = receiver.next()
  const p1 = await createProfile(app)
  await first
  await settle(app)
  const p2 = await createProfile(app)
  await settle(app)
  t.equal(receiver.received.length, 1, 'the second event waits behind the first, which is being retried')
  let [d2, d1] = await deliveries(app)
  t.match(d1, { state: 'pending', attempts: [{ attempt: 1, statusCode: 500, error: 'answered 500, not 2xx' }], nextAttemptAt: '2026-01-01T12:00:02Z' })
  t.match(d2, { state: 'pending', attempts: [] })

  // Moving the clock 2 s sends the due retry at once; 4 s more the next.
  const retry = receiver.next()
  await advance(app, 2)
  t.equal((await retry).body.events[0]!.record.id, p1.id, 'the first event again')
  await settle(app)
  ;[, d1] = await deliveries(app)
  t.equal(d1!.attempts.length, 2)
  t.match(d1!.nextAttemptAt, '2026-01-01T12:00:06Z', 'then 4 s')

  answer = 204
  const seen = receiver.received.length
  await advance(app, 4)
  const again = await receiver.next(seen)
  t.equal(again.body.events[0]!.record.id, p1.id)
  const then = await receiver.next(seen + 1)
  t.equal(then.body.events[0]!.record.id, p2.id, 'the second event follows the first, in order')
  await settle(app)
  ;[d2, d1] = await deliveries(app)
  t.match(d1, { state: 'delivered', attempts: [{ statusCode: 500 }, { statusCode: 500 }, { statusCode: 204, error: null }] })
  t.match(d2, { state: 'delivered', attempts: [{ statusCode: 204 }] })
})

t.test('after 20 failed attempts a delivery fails and the next one goes', async t => {
  const { app } = await build(t)
  const receiver = await startReceiver(t, (_r, res) => { res.writeHead(503).end() })
  await subscribe(app, { name: 'Down', targetUrl: receiver.url, eventTypes: ['profile.created'] })
  await createProfile(app)
  for (let i = 0; i < 25; i++) {
    await settle(app)
    await advance(app, 3600)
  }
  await settle(app)
  const [d2] = await deliveries(app)
  t.match(d2, { state: 'failed', nextAttemptAt: null })
  t.equal(d2!.attempts.length, 20, 'twenty attempts in all')
  // Its successor is attempted once the first has given up.
  await createProfile(app)
  await settle(app)
  const [next] = await deliveries(app)
  t.equal(next!.attempts.length, 1)
})

t.test('a receiver that hangs or answers 10 MB never blocks the emulator', async t => {
  const { app } = await build(t, { webhookTimeoutMs: 200 })
  const hanging = await startReceiver(t, () => { /* never answers */ })
  await subscribe(app, { name: 'Hangs', targetUrl: hanging.url, eventTypes: ['profile.created'] })
  const arrived = hanging.next()
  const started = Date.now()
  const res = await app.inject({ method: 'POST', url: '/v1/profiles', headers: auth, payload: {} })
  expectStatus(t, res, 201, 'the request that made the event is answered')
  await arrived
  t.ok(Date.now() - started < 2000, 'without waiting on the receiver')
  await settle(app)
  t.match((await deliveries(app))[0], { state: 'pending', attempts: [{ statusCode: null, error: 'no answer within 0.2 s' }] })

  const { app: app2 } = await build(t)
  const huge = await startReceiver(t, (_r, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    const chunk = Buffer.alloc(1024 * 1024, 'x')
    for (let i = 0; i < 10; i++) res.write(chunk)
    res.end()
  })
  await subscribe(app2, { name: 'Huge', targetUrl: huge.url, eventTypes: ['profile.created'] })
  const got = huge.next()
  await createProfile(app2)
  await got
  await settle(app2)
  t.match((await deliveries(app2))[0], { state: 'delivered', attempts: [{ statusCode: 200, error: /cut off after 65536 bytes/ }] })

  // Nothing listens: refused, and retried later.
  const { app: app3 } = await build(t)
  await subscribe(app3, { name: 'Nobody', targetUrl: 'http://127.0.0.1:9/none', eventTypes: ['profile.created'] })
  await createProfile(app3)
  await app3.emulator.webhookDispatcher.idle()
  await new Promise(resolve => setImmediate(resolve))
  await settle(app3)
  t.match((await deliveries(app3))[0], { state: 'pending', attempts: [{ statusCode: null, error: /ECONNREFUSED/ }] })
})

t.test('events on demand: POST .../events with a type and the record\'s id', async t => {
  const { app, clock } = await build(t)
  const receiver = await startReceiver(t)
  await subscribe(app, { name: 'All profile events', targetUrl: receiver.url, eventTypes: ['profile'] })
  const profile = await createProfile(app)
  await receiver.next()

  const arrived = receiver.next(1)
  const fired = await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'profile.ready', profileId: profile.uuid, metadata: { startDate: '2025-01-01', endDate: '2025-01-31' } } })
  expectStatus(t, fired, 201)
  t.match(fired.json(), { id: /^evt_/, type: 'profile.ready', profile: { id: profile.id }, record: { id: profile.id }, metadata: { startDate: '2025-01-01' } })
  const got = await arrived
  t.equal(got.body.events[0]!.id, fired.json().id)
  t.strictSame(quilttPayloadProblems(got.raw), [])
  t.ok(verifyWebhook(got.raw, got.headers, SECRET, { now: clock.now() }).ok)

  t.match((await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'profile' } })).json(), { type: [/is a scope a subscription may list, not an event/] })
  t.match((await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'profile.updated', profileId: profile.id } })).json(), { type: [/is not an event type/] })
  t.match((await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'profile.created' } })).json(), { profileId: [/can't be blank/] })
  const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`
  t.match((await app.inject({ method: 'POST', url: EVENTS, headers: { 'content-type': 'application/json' }, payload: `{"type":"profile.ready","profileId":"${profile.id}","metadata":${deep}}` })).json(), { metadata: [/nested too deeply/] })
  const missing = await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'profile.created', profileId: 'p_nope' } })
  expectStatus(t, missing, 404)
  t.match(missing.json(), { message: 'Not Found', instruction: 'Does Profile with ID `p_nope` exist in this Environment?' })
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/environments/env_nope/events', payload: { type: 'profile.created', profileId: profile.id } }), 404)
})

t.test('reset and environment deletion take subscriptions, events and deliveries with them', async t => {
  const { app } = await build(t)
  const receiver = await startReceiver(t)
  await subscribe(app, { name: 'x', targetUrl: receiver.url, eventTypes: ['profile'] })
  await createProfile(app)
  await receiver.next()
  await settle(app)
  await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: {} })
  t.strictSame((await app.inject({ url: '/v1/webhooks/subscriptions', headers: auth })).json(), [])
  t.strictSame(await deliveries(app), [])
  t.strictSame((await app.inject({ url: EVENTS })).json().events, [], 'the fixture has no profiles, so no events')

  const env = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { webhookSecret: 'my-own-webhook-secret' } })).json()
  t.equal(env.webhookSecret, 'my-own-webhook-secret')
  const sub = (await app.inject({ method: 'POST', url: '/v1/webhooks/subscriptions', headers: bearer(env.apiKey.secret), payload: { name: 'x', targetUrl: receiver.url, eventTypes: ['profile'] } })).json()
  const seen = receiver.received.length
  await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(env.apiKey.secret), payload: {} })
  const got = await receiver.next(seen)
  t.ok(verifyWebhook(got.raw, got.headers, 'my-own-webhook-secret', { now: app.emulator.clock.now() }).ok, 'signed with the environment\'s own secret')
  await settle(app)
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${env.id}` }), 204)
  t.equal(app.emulator.store.webhooks.subscription(env.id, sub.id), undefined)
  t.equal(app.emulator.db.prepare('SELECT count(*) AS n FROM webhook_events WHERE environment_id = ?').pluck().get(env.id), 0)
})

t.test('a webhookSecret PATCHed signs what is sent from then on', async t => {
  const { app } = await build(t)
  const bad = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { webhookSecret: 'short' } })
  expectStatus(t, bad, 422)
  const env = (await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { webhookSecret: 'rotated_secret_0123456789' } })).json()
  t.equal(env.webhookSecret, 'rotated_secret_0123456789')
  const receiver = await startReceiver(t)
  await subscribe(app, { name: 'x', targetUrl: receiver.url, eventTypes: ['profile'] })
  await createProfile(app)
  const got: Received = await receiver.next()
  t.ok(verifyWebhook(got.raw, got.headers, 'rotated_secret_0123456789', { now: app.emulator.clock.now() }).ok)
  t.notOk(verifyWebhook(got.raw, got.headers, SECRET, { now: app.emulator.clock.now() }).ok, 'not the old one')
})

t.test('verifyWebhook: the receiver\'s check, window included', async t => {
  const body = '{"eventTypes":["profile.created"],"events":[]}'
  const now = Date.UTC(2026, 0, 1)
  const ts = String(now / 1000)
  const headers = { 'Quiltt-Timestamp': ts, 'Quiltt-Signature': webhookSignature(SECRET, ts, body) }
  t.match(verifyWebhook(body, headers, SECRET, { now }), { ok: true, timestamp: now / 1000, payload: { eventTypes: ['profile.created'] } })
  t.ok(verifyWebhook(Buffer.from(body), new Headers(headers), SECRET, { now: new Date(now + 300_000) }).ok, 'a Buffer and Fetch Headers; 300 s later still fine')
  t.match(verifyWebhook(body, headers, SECRET, { now: now + 301_000 }), { ok: false, reason: /301 s from now/ })
  t.match(verifyWebhook(body, headers, SECRET, { now: now - 301_000 }), { ok: false, reason: /301 s from now/ }, 'either way')
  t.match(verifyWebhook(body.replace('created', 'deleted'), headers, SECRET, { now }), { ok: false, reason: /does not match/ })
  t.match(verifyWebhook(body, headers, 'another_secret_00000', { now }), { ok: false, reason: /does not match/ })
  t.match(verifyWebhook(body, { 'quiltt-timestamp': ts }, SECRET, { now }), { ok: false, reason: 'no Quiltt-Signature header' })
  t.match(verifyWebhook(body, { 'quiltt-signature': 'x' }, SECRET, { now }), { ok: false, reason: 'no Quiltt-Timestamp header' })
  t.match(verifyWebhook(body, { ...headers, 'Quiltt-Timestamp': '1.5' }, SECRET, { now }), { ok: false, reason: /not Unix seconds/ })
  // The formula, spelt out: base64(HMAC-SHA256(secret, "1" + timestamp + body)).
  const { createHmac } = await import('node:crypto')
  t.equal(headers['Quiltt-Signature'], createHmac('sha256', SECRET).update(`1${ts}${body}`).digest('base64'))
})

t.test('a change that rolls back records no event and no delivery', async t => {
  const { app } = await build(t)
  await subscribe(app, { name: 'x', targetUrl: 'http://127.0.0.1:9/x', eventTypes: ['profile'] })
  const { store, services } = app.emulator
  const env = services.environments.require(DEFAULT.environmentId)
  const before = services.webhooks.events(env.id).length
  t.throws(() => store.transaction(() => {
    services.profiles.create(env, undefined, { email: 'rolled@example.com' })
    throw new Error('later in the same transaction')
  }), /later in the same transaction/)
  t.equal(services.webhooks.events(env.id).length, before, 'no event')
  t.strictSame(await deliveries(app), [], 'no delivery')
})

t.test('--webhook-hosts and QUILTT_MOCK_WEBHOOK_HOSTS', async t => {
  t.strictSame(readConfig([], {}).webhookHosts, [], 'loopback only by default')
  t.strictSame(readConfig(['--webhook-hosts', 'App, receiver.internal'], {}).webhookHosts, ['app', 'receiver.internal'])
  t.strictSame(readConfig([], { QUILTT_MOCK_WEBHOOK_HOSTS: '*' }).webhookHosts, ['*'])
  t.strictSame(readConfig(['--webhook-hosts=[fd00::1]'], {}).webhookHosts, ['fd00::1'])
  t.throws(() => readConfig(['--webhook-hosts', 'https://app:3000'], {}), /--webhook-hosts takes host names such as receiver.internal \(no scheme, port or path\), or \*, got "https:\/\/app:3000"/)
})

t.test('a disabled subscription holds its deliveries until enabled; a new targetUrl takes the retries', async t => {
  const { app } = await build(t)
  const broken = await startReceiver(t, (_r, res) => { res.writeHead(500).end() })
  const fixed = await startReceiver(t)
  const sub = (await subscribe(app, { name: 'x', targetUrl: broken.url, eventTypes: ['profile.created'] })).json()
  const first = broken.next()
  const profile = await createProfile(app)
  await first
  await settle(app)

  const patch = (body: Record<string, unknown>) => app.inject({ method: 'PATCH', url: `/v1/webhooks/subscriptions/${sub.id}`, headers: auth, payload: body })
  expectStatus(t, await patch({ disabled: true, targetUrl: fixed.url }), 200)
  await advance(app, 10)
  await settle(app)
  t.equal(fixed.received.length, 0, 'disabled: the due retry is held')
  t.equal(broken.received.length, 1)
  t.match((await deliveries(app))[0], { state: 'pending' })
  await createProfile(app)
  await settle(app)
  t.equal((await deliveries(app)).length, 1, 'no delivery is made for a disabled subscription')

  const arrived = fixed.next()
  expectStatus(t, await patch({ disabled: false }), 200)
  t.equal((await arrived).body.events[0]!.record.id, profile.id, 'enabled again: the held retry goes to the new URL')
  await settle(app)
  t.match((await deliveries(app))[0], { state: 'delivered', attempts: [{ statusCode: 500 }, { statusCode: 200 }] })
})

t.test('a generated webhookSecret of a startup environment survives a reset, as its other credentials do', async t => {
  const { app } = await build(t, { fixtures: { environments: [{ id: 'env_generated', clientId: 'generated' }] } })
  const before = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0].webhookSecret
  t.match(before, /^whsec_[0-9A-Za-z]{40}$/)
  await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: {} })
  t.equal((await app.inject({ url: '/emulator/v1/environments' })).json().environments[0].webhookSecret, before)
})

t.test('bank changes published on the seam (connection, account, balance) are delivered in Quiltt\'s shapes, in order', async t => {
  const { app, clock } = await build(t)
  const receiver = await startReceiver(t)
  await subscribe(app, { name: 'bank', targetUrl: receiver.url, eventTypes: ['connection', 'account.created', 'balance'] })
  const profile = await createProfile(app)
  const { store, services } = app.emulator
  const at = '2026-01-01T12:00:00Z'
  const who = { id: profile.id, uuid: profile.uuid, metadata: null }
  const connection = { id: 'conn_14TJiFDKRJlPiBHuukUIlXZ', at, provider: 'MOCK', features: ['ACCOUNT_BALANCES_AND_TRANSACTIONS'], products: ['ACCOUNT_BALANCES_AND_TRANSACTIONS'], status: 'SYNCED', metadata: null, createdAt: at, updatedAt: at }
  const account = { id: 'acct_1', connectionId: connection.id, at, state: 'OPEN', metadata: null, createdAt: at, updatedAt: at }
  const balance = { id: 'bal_1', accountId: account.id, at, source: 'INITIAL', available: 100.5, current: 120, limit: null }
  store.transaction(() => {
    for (const [type, record] of [['connection.created', connection], ['account.created', account], ['balance.created', balance], ['connection.synced.successful.initial', connection], ['connection.disconnected', connection]] as const) {
      services.webhooks.record({ environmentId: DEFAULT.environmentId, type, profile: who, record })
    }
  })
  const got: Received[] = []
  for (let i = 0; i < 5; i++) got.push(await receiver.next(i))
  t.strictSame(got.map(r => r.body.events[0]!.type), ['connection.created', 'account.created', 'balance.created', 'connection.synced.successful.initial', 'connection.disconnected'], 'every one, in the order published')
  for (const r of got) {
    t.strictSame(quilttPayloadProblems(r.raw), [], `${r.body.events[0]!.type} is a valid WebhookPayload`)
    t.ok(verifyWebhook(r.raw, r.headers, SECRET, { now: clock.now() }).ok)
  }
  t.strictSame(got[2]!.body.events[0]!.record, balance)
})

t.test('a seeded connection\'s events (bank data) reach the receiver signed and valid; connection events fire on demand by connectionId', async t => {
  const { app, clock } = await build(t)
  const receiver = await startReceiver(t)
  await subscribe(app, { name: 'bank', targetUrl: receiver.url, eventTypes: ['connection', 'account', 'balance'] })
  const profile = await createProfile(app)
  const seeded = await app.inject({
    method: 'POST',
    url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${profile.id}/connections`,
    payload: { institution: { name: 'First Platypus Bank' }, accounts: [{ name: 'Everyday Checking', mask: '1234', balance: { current: 1520.33, available: 1490.1 } }] }
  })
  expectStatus(t, seeded, 201)
  const connectionId = seeded.json().connection.id as string
  const got: Received[] = []
  for (let i = 0; i < 5; i++) got.push(await receiver.next(i))
  t.strictSame(got.map(r => r.body.events[0]!.type), ['connection.created', 'account.created', 'balance.created', 'connection.synced.successful.initial', 'connection.synced.successful.historical'])
  t.equal(got[0]!.body.events[0]!.record.id, connectionId)
  for (const r of got) {
    t.strictSame(quilttPayloadProblems(r.raw), [], `${r.body.events[0]!.type}: Quiltt's WebhookPayload`)
    t.ok(verifyWebhook(r.raw, r.headers, SECRET, { now: clock.now() }).ok, 'verified')
  }
  const accountId = got[1]!.body.events[0]!.record.id as string
  const balanceId = got[2]!.body.events[0]!.record.id as string

  for (const [type, body] of [['connection.synced.errored.repairable', { connectionId }], ['account.verified', { accountId }], ['balance.created', { balanceId }]] as const) {
    const fired = await app.inject({ method: 'POST', url: EVENTS, payload: { type, ...body } })
    expectStatus(t, fired, 201, type)
    const r = await receiver.next(got.length)
    got.push(r)
    t.equal(r.body.events[0]!.id, fired.json().id, `${type} delivered`)
    t.strictSame(quilttPayloadProblems(r.raw), [])
  }
  expectStatus(t, await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'connection.created', connectionId: 'conn_nope' } }), 404)
  expectStatus(t, await app.inject({ method: 'POST', url: EVENTS, payload: { type: 'statement.ready', statementId: 'stmt_nope' } }), 404)
})
