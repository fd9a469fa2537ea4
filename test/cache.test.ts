import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, issue, jti } from './helper.js'

// The hot-path row cache (server/store/cache.ts) must never answer with a row the database no
// longer has. Each test warms the cache with a successful request first, then changes the data.

const ping = (app: Awaited<ReturnType<typeof build>>['app'], token: string) =>
  app.inject({ method: 'GET', url: '/v1/users/session', headers: bearer(token) })
const introspectKey = (app: Awaited<ReturnType<typeof build>>['app'], secret: string) =>
  app.inject({ method: 'POST', url: '/v1/introspect/api_key', headers: bearer(secret) })

t.test('a revoked session stops working at once', async t => {
  const { app } = await build(t)
  const { token } = (await issue(app)).json()
  expectStatus(t, await ping(app, token), 200, 'warm')
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(token) }), 204, 'revoke')
  expectStatus(t, await ping(app, token), 401, 'after revoke')
})

t.test('deleting the profile ends its sessions', async t => {
  const { app } = await build(t)
  const session = (await issue(app)).json()
  expectStatus(t, await ping(app, session.token), 200, 'warm')
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${session.userUuid}`, headers: bearer(DEFAULT.secret) }), 204, 'delete profile')
  expectStatus(t, await ping(app, session.token), 401, 'after delete')
})

t.test('a profile update shows in the next answer', async t => {
  const { app } = await build(t)
  const session = (await issue(app)).json()
  expectStatus(t, await ping(app, session.token), 200, 'warm')
  t.equal(app.emulator.store.sessions.withOwners(jti(session.token))?.profile.email, null)
  expectStatus(t, await app.inject({
    method: 'PATCH', url: `/v1/profiles/${session.userUuid}`, headers: bearer(DEFAULT.secret), payload: { email: 'new@example.com' }
  }), 200, 'patch')
  t.equal(app.emulator.store.sessions.withOwners(jti(session.token))?.profile.email, 'new@example.com')
})

t.test('a deleted environment takes its API key and tokens with it; a new one with the same secret works', async t => {
  const { app } = await build(t)
  const created = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { apiKey: { secret: 'sk_cache_test_secret_1' } } })).json()
  expectStatus(t, await introspectKey(app, 'sk_cache_test_secret_1'), 200, 'warm')
  const { token } = (await issue(app, {}, 'sk_cache_test_secret_1')).json()
  expectStatus(t, await ping(app, token), 200, 'warm ping')
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/emulator/v1/environments/${created.id}` }), 204, 'delete')
  expectStatus(t, await introspectKey(app, 'sk_cache_test_secret_1'), 401, 'secret after delete')
  expectStatus(t, await ping(app, token), 401, 'token after delete')
  const again = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { apiKey: { secret: 'sk_cache_test_secret_1' } } })).json()
  const res = await introspectKey(app, 'sk_cache_test_secret_1')
  expectStatus(t, res, 200, 'new environment, same secret')
  t.equal(res.json().environment.id, again.id)
})

t.test('reset forgets sessions made since start', async t => {
  const { app } = await build(t)
  const { token } = (await issue(app)).json()
  expectStatus(t, await ping(app, token), 200, 'warm')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset' }), 200, 'reset')
  expectStatus(t, await ping(app, token), 401, 'after reset')
})

t.test('a write rolled back leaves nothing in the cache', async t => {
  const { app } = await build(t)
  const session = (await issue(app)).json()
  const { store } = app.emulator
  t.equal(store.sessions.withOwners(jti(session.token))?.session.revoked_at, null, 'warm')
  t.throws(() => store.transaction(() => {
    store.sessions.revoke(jti(session.token), 1)
    t.equal(store.sessions.withOwners(jti(session.token))?.session.revoked_at, 1, 'the transaction sees its own write')
    throw new Error('roll back')
  }), /roll back/)
  t.equal(store.sessions.withOwners(jti(session.token))?.session.revoked_at, null, 'after the rollback the session is not revoked')
  expectStatus(t, await ping(app, session.token), 200)
})

t.test('a commit by another connection to the same file is seen by the next request over HTTP', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-cache-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.sqlite')
  const { app } = await build(t, { db: file })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const status = async (path: string, method: string, auth: string) => (await fetch(`${url}${path}`, { method, headers: bearer(auth) })).status
  const session = (await issue(app)).json()
  t.equal(await status('/v1/introspect/api_key', 'POST', DEFAULT.secret), 200, 'warm key')
  t.equal(await status('/v1/users/session', 'GET', session.token), 200, 'warm session')

  // As a second emulator or the sqlite3 shell would: commit, then send the next request.
  const other = new Database(file)
  t.teardown(() => other.close())
  other.pragma('foreign_keys = ON')
  other.prepare('UPDATE sessions SET revoked_at = 1 WHERE id = ?').run(jti(session.token))
  t.equal(await status('/v1/users/session', 'GET', session.token), 401, 'revoked by the other connection')
  other.prepare('DELETE FROM environments WHERE id = ?').run(DEFAULT.environmentId)
  t.equal(await status('/v1/introspect/api_key', 'POST', DEFAULT.secret), 401, 'environment deleted by the other connection')
})

t.test('one check of the file serves a whole turn of the event loop, and only one', async t => {
  // The documented limit (store/cache.ts): requests handled in the same turn share one check.
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-cache-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.sqlite')
  const { app } = await build(t, { db: file })
  const session = (await issue(app)).json()
  expectStatus(t, await ping(app, session.token), 200, 'warm session')
  const other = new Database(file)
  t.teardown(() => other.close())
  other.prepare('UPDATE sessions SET revoked_at = 1 WHERE id = ?').run(jti(session.token))
  await new Promise(resolve => setImmediate(resolve))
  expectStatus(t, await ping(app, session.token), 401, 'the next turn asks the file again')
})

t.test('cached rows are read-only', async t => {
  const { app } = await build(t)
  const session = (await issue(app)).json()
  const owners = app.emulator.store.sessions.withOwners(jti(session.token))!
  t.ok(Object.isFrozen(owners) && Object.isFrozen(owners.session) && Object.isFrozen(owners.profile) && Object.isFrozen(owners.environment))
})
