import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { migrations } from '../server/store/migrations.js'
import { migrate, openDatabase } from '../server/store/db.js'
import { bearer, DEFAULT, expectStatus, issue } from './helper.js'

t.test('a fresh database migrates to the latest user_version; running again is a no-op', async t => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  t.equal(db.pragma('user_version', { simple: true }), migrations.length)
  t.equal(migrate(db), migrations.length)
  t.equal(db.pragma('foreign_keys', { simple: true }), 1)
})

t.test('migration 3 moves a database of the previous schema to Quiltt\'s current session format and the documented secrets', async t => {
  const path = join(mkdtempSync(join(tmpdir(), 'qm-')), 'v2.db')
  const old = new Database(path)
  for (const step of migrations.slice(0, 2)) typeof step === 'string' ? old.exec(step) : step(old)
  old.pragma('user_version = 2')
  const insert = old.prepare(`INSERT INTO environments (id, name, mode, auth_strategy, signups_enabled, client_id, signing_key, rate_limits,
    user_id_format, passcode_ttl_seconds, session_ttl_seconds, created_at, seq) VALUES (?, 'x', 'SANDBOX', 'email', 1, ?, 'YWJj+/==', 1, ?, 600, 86400, 0, ?)`)
  insert.run(DEFAULT.environmentId, DEFAULT.clientId, 'uuid', 1)
  insert.run('env_mine', 'mine', 'profileId', 2)
  old.close()
  const app = await buildApp({ db: path })
  t.teardown(() => app.close())
  const environments = (await app.inject({ url: '/emulator/v1/environments' })).json().environments as Array<{ id: string, sessionFormat: string, signingSecret: string }>
  t.strictSame(environments.map(e => [e.id, e.sessionFormat, e.signingSecret]), [
    [DEFAULT.environmentId, 'current', 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000'],
    ['env_mine', 'current', 'YWJj+/==']
  ], 'every environment answers Quiltt\'s current shape; the bundled one has the documented secret, others keep theirs')
  const signup = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'after@example.com' } } })
  expectStatus(t, signup, 201, 'and it serves')
  t.match(signup.json().userId, /^p_/)
})

t.test('a database from a newer quiltt-mock is refused with a clear message', async t => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  db.pragma(`user_version = ${migrations.length + 1}`)
  t.throws(() => migrate(db), /newer than this quiltt-mock/)
})

t.test('file databases use WAL and keep state across restarts', async t => {
  const path = join(mkdtempSync(join(tmpdir(), 'qm-')), 'state.db')
  const first = await buildApp({ db: path })
  t.equal(first.emulator.db.pragma('journal_mode', { simple: true }), 'wal')
  const s = (await issue(first, {})).json()
  await first.close()
  const second = await buildApp({ db: path })
  t.teardown(() => second.close())
  expectStatus(t, await second.inject({ url: '/v1/users/session', headers: bearer(s.token) }), 200, 'the session survived a restart')
  t.equal((await second.inject({ url: '/emulator/v1/environments' })).json().environments.length, 1, 'fixtures were not loaded twice')
  t.equal((await second.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) })).json().length, 1)
})

t.test('unique constraints: one profile per username and per UUID in an environment', async t => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  db.prepare(`INSERT INTO environments (id, name, mode, auth_strategy, signups_enabled, client_id, signing_secret, rate_limits,
    passcode_ttl_seconds, session_ttl_seconds, created_at, seq) VALUES ('env_a','a','SANDBOX','email',1,'c1','k',1,600,86400,0,1)`).run()
  const insert = db.prepare('INSERT INTO profiles (id, environment_id, uuid, email, created_at, updated_at) VALUES (?, \'env_a\', ?, ?, 0, 0)')
  insert.run('p_1', 'u1', 'a@b.co')
  t.throws(() => insert.run('p_2', 'u2', 'a@b.co'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })
  t.throws(() => insert.run('p_3', 'u1', 'z@b.co'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })
})

t.test('a passcode is consumed by exactly one conditional UPDATE', async t => {
  const { createStore } = await import('../server/store/index.js')
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  const store = createStore(db)
  db.prepare(`INSERT INTO environments (id, name, mode, auth_strategy, signups_enabled, client_id, signing_secret, rate_limits,
    passcode_ttl_seconds, session_ttl_seconds, created_at, seq) VALUES ('env_a','a','SANDBOX','email',1,'c1','k',1,600,86400,0,1)`).run()
  db.prepare('INSERT INTO profiles (id, environment_id, uuid, email, created_at, updated_at) VALUES (\'p_1\', \'env_a\', \'u1\', \'a@b.co\', 0, 0)').run()
  const id = store.passcodes.insert({ environment_id: 'env_a', profile_id: 'p_1', channel: 'email', username: 'a@b.co', code: '123456', issued_at: 0, expires_at: 1000 })
  t.equal(store.passcodes.consume(id, '654321', 10), false, 'wrong code')
  t.equal(store.passcodes.consume(id, '123456', 1000), false, 'expired')
  t.equal(store.passcodes.consume(id, '123456', 10), true, 'first use')
  t.equal(store.passcodes.consume(id, '123456', 11), false, 'second use')
})

t.test('the webhooks migration gives the bundled environment its documented webhook secret and every other one its own', async t => {
  const step = migrations.findIndex(m => typeof m === 'function' && m.toString().includes('webhook_subscriptions'))
  t.ok(step > 0, 'found')
  const path = join(mkdtempSync(join(tmpdir(), 'qm-')), 'before-webhooks.db')
  const old = new Database(path)
  for (const m of migrations.slice(0, step)) typeof m === 'string' ? old.exec(m) : m(old)
  old.pragma(`user_version = ${step}`)
  const insert = old.prepare(`INSERT INTO environments (id, name, mode, auth_strategy, signups_enabled, client_id, signing_secret, rate_limits,
    passcode_ttl_seconds, session_ttl_seconds, created_at, seq) VALUES (?, 'x', 'SANDBOX', 'email', 1, ?, 'ss_0000000000000000000000000000000000', 1, 600, 86400, 0, ?)`)
  insert.run(DEFAULT.environmentId, DEFAULT.clientId, 1)
  insert.run('env_mine', 'mine', 2)
  insert.run('env_other', 'other', 3)
  old.close()
  const app = await buildApp({ db: path })
  t.teardown(() => app.close())
  const environments = (await app.inject({ url: '/emulator/v1/environments' })).json().environments as Array<{ id: string, webhookSecret: string }>
  t.equal(environments[0]!.webhookSecret, 'whsec_quilttmock_0000000000000000000000000000', 'the documented one')
  t.match(environments[1]!.webhookSecret, /^whsec_[A-Za-z0-9_-]{32}$/)
  t.not(environments[1]!.webhookSecret, environments[2]!.webhookSecret, 'each its own')
})
