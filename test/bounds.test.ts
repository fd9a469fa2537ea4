// Bounded by design: what the emulator keeps of passcodes, messages and revocations, and what one read answers.
import t from 'tap'
import { KEPT_MESSAGES } from '../server/store/messages.js'
import { KEPT_PASSCODES, OUTBOX_RETENTION_MS, PRUNE_BY_AGE_EVERY } from '../server/store/passcodes.js'
import { KEPT_REVOCATIONS, PRUNE_EVERY, REVOCATION_GRACE_MS } from '../server/store/revoked-tokens.js'
import { build, DEFAULT, expectStatus, identify } from './helper.js'

t.test('passcodes and messages: the newest 10,000 are kept, and none older than 7 days once closed', async t => {
  const { app } = await build(t)
  const { store, clock } = app.emulator
  const profile = (await app.inject({ method: 'POST', url: '/v1/profiles', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: { email: 'flood@example.com' } })).json() as { id: string }
  const start = clock.now()
  const send = (i: number, at: number): void => {
    store.passcodes.insert({ environment_id: DEFAULT.environmentId, profile_id: profile.id, channel: 'email', username: `u${i}@example.com`, code: '123456', issued_at: at, expires_at: at + 600_000 })
    store.messages.insert({ environment_id: DEFAULT.environmentId, channel: 'email', recipient: `u${i}@example.com`, subject: null, text: 'x', passcode: '123456', sent_at: at })
  }
  store.transaction(() => { for (let i = 0; i < KEPT_PASSCODES + 500; i++) send(i, start) })
  const count = (table: string): number => app.emulator.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number } && (app.emulator.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  t.equal(count('passcodes'), KEPT_PASSCODES, 'passcodes: the newest 10,000')
  t.equal(count('messages'), KEPT_MESSAGES, 'messages: the newest 10,000')
  const newest = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/messages?limit=1` })).json().messages
  t.equal(newest[0].to, `u${KEPT_PASSCODES + 499}@example.com`, 'the newest are the ones kept')
  // Eight days on, a few more: the old, closed ones are gone.
  const later = start + OUTBOX_RETENTION_MS + 24 * 3600 * 1000
  store.transaction(() => { for (let i = 0; i < PRUNE_BY_AGE_EVERY; i++) send(100_000 + i, later) })
  t.equal(count('passcodes'), PRUNE_BY_AGE_EVERY, 'only the recent passcodes are left')
  t.equal(count('messages'), PRUNE_BY_AGE_EVERY, 'only the recent messages are left')
})

t.test('the outbox reads a page: limit, default 1000, at most 1000', async t => {
  const { app } = await build(t)
  for (let i = 0; i < 3; i++) { await identify(app, { email: `p${i}@example.com` }); expectStatus(t, await identify(app, { email: `p${i}@example.com` }), 202) }
  const base = `/emulator/v1/environments/${DEFAULT.environmentId}`
  t.equal((await app.inject({ url: `${base}/passcodes?limit=2` })).json().passcodes.length, 2)
  t.equal((await app.inject({ url: `${base}/messages?limit=2` })).json().messages.length, 2)
  t.equal((await app.inject({ url: `${base}/messages` })).json().messages.length, 3)
  t.equal((await app.inject({ url: `${base}/messages?limit=1001` })).statusCode, 422)
})

t.test('revocations: the newest 10,000 per environment, and kept for 30 days past the token\'s expiry', async t => {
  const { app } = await build(t)
  const { store, clock } = app.emulator
  const now = clock.now()
  const total = (Math.floor(KEPT_REVOCATIONS / PRUNE_EVERY) + 2) * PRUNE_EVERY // ends on a prune
  store.transaction(() => { for (let i = 0; i < total; i++) store.revokedTokens.revoke(DEFAULT.environmentId, `jti-${i}`, now + i, now + 3600_000) })
  const count = (): number => (app.emulator.db.prepare('SELECT count(*) AS n FROM revoked_tokens').get() as { n: number }).n
  t.equal(count(), KEPT_REVOCATIONS, 'the newest 10,000')
  t.equal(store.revokedTokens.isRevoked(DEFAULT.environmentId, 'jti-0'), false, 'the oldest went')
  t.equal(store.revokedTokens.isRevoked(DEFAULT.environmentId, `jti-${total - 1}`), true)
  // Past the expiry but within the grace: kept (moving the clock back must not revive the token).
  const survivor = `jti-${total - 10}`
  store.transaction(() => { for (let i = 0; i < PRUNE_EVERY; i++) store.revokedTokens.revoke(DEFAULT.environmentId, `later-${i}`, now + 2 * 3600_000, now + 3 * 3600_000) })
  t.equal(store.revokedTokens.isRevoked(DEFAULT.environmentId, survivor), true, 'kept past its expiry')
  store.transaction(() => { for (let i = 0; i < PRUNE_EVERY; i++) store.revokedTokens.revoke(DEFAULT.environmentId, `much-later-${i}`, now + REVOCATION_GRACE_MS + 2 * 3600_000, now + REVOCATION_GRACE_MS * 2) })
  t.equal(store.revokedTokens.isRevoked(DEFAULT.environmentId, survivor), false, 'gone 30 days after')
})

t.test('a GraphQL batch is bounded in all, not per operation: 400 before anything is parsed', async t => {
  const { app } = await build(t)
  const session = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: {} })
  const token = session.json().token as string
  // Each operation is under the per-operation limits (5,000 tokens); fifty of them are not, together.
  const fragments = Array.from({ length: 300 }, (_, i) => `fragment F${i} on Profile { id }`).join('\n')
  const query = `query Q { profile { ${Array.from({ length: 300 }, (_, i) => `...F${i}`).join(' ')} } }\n${fragments}`
  const started = Date.now()
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { authorization: `Bearer ${token}` }, payload: Array.from({ length: 50 }, () => ({ query })) })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { message: 'Bad Request', instruction: /The 50 operations of this batch ask more than 15,000 tokens in all; quiltt-mock reads at most 15,000 per request/ })
  t.ok(Date.now() - started < 1000, 'answered at once')
  // One of them alone runs.
  const one = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { authorization: `Bearer ${token}` }, payload: [{ query }, { query: '{ profile { id } }' }] })
  t.equal(one.statusCode, 200)
})

t.test('a fixture document is bounded in all: a thousand profiles with a thousand sessions each is a 422 at once, and nothing is written', async t => {
  const { app } = await build(t)
  const doc = { environments: [{ name: 'Flood', profiles: Array.from({ length: 1000 }, () => ({ sessions: 1000 })) }] }
  const started = Date.now()
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: doc })
  t.equal(res.statusCode, 422)
  t.match(res.json().environments[0], /start 1,000,000 sessions in all \(the profiles' "sessions" added up\); a fixture document may start at most 10,000/)
  t.ok(Date.now() - started < 1000, 'refused before any work')
  const environments = (await app.inject({ url: '/emulator/v1/environments' })).json().environments as Array<{ name: string }>
  t.notOk(environments.some(e => e.name === 'Flood'), 'nothing committed')
  const many = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ name: 'Many', profiles: Array.from({ length: 100_001 }, () => ({})) }] } })
  t.equal(many.statusCode, 422)
  t.match(many.json().environments[0], /hold more than 100,000 objects/)
  // Within the bounds, it loads.
  const fine = await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ name: 'Fine', profiles: [{ sessions: 2 }] }] } })
  t.equal(fine.statusCode, 201)
})
