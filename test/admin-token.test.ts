import t from 'tap'
import { exposureWarning, readConfig } from '../server/cli/config.js'
import { isLoopbackHost } from '../server/drop-in/loopback.js'
import { loadSpec } from '../server/openapi/spec.js'
import { bearer, build, DEFAULT, expectStatus, identify, issue } from './helper.js'
import { startCli } from './process-helper.js'

const TOKEN = 'admin-Token_0123456789'
const ADMIN_401 = {
  message: 'Not Authenticated',
  instruction: 'This quiltt-mock was started with --admin-token: send `Authorization: Bearer <admin token>` to /emulator/ endpoints.'
}

t.test('without --admin-token the emulator API is open', async t => {
  const { app } = await build(t)
  expectStatus(t, await app.inject({ url: '/emulator/v1/environments' }), 200)
})

t.test('with --admin-token, /emulator/ needs the token', async t => {
  const { app } = await build(t, { adminToken: TOKEN })
  for (const headers of [{}, bearer('wrong'), bearer(`${TOKEN}x`), bearer(TOKEN.slice(0, -1)), { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
    const res = await app.inject({ url: '/emulator/v1/environments', headers })
    expectStatus(t, res, 401, JSON.stringify(headers))
    t.strictSame(res.json(), ADMIN_401)
    t.equal(res.headers['www-authenticate'], 'Bearer realm="quiltt-mock emulator API"')
  }
  expectStatus(t, await app.inject({ url: '/emulator/v1/environments', headers: bearer(TOKEN) }), 200, 'right token')
  expectStatus(t, await app.inject({ url: '/emulator/v1/environments', headers: { authorization: `bearer  ${TOKEN}` } }), 200, 'scheme is case-insensitive')
  expectStatus(t, await app.inject({ url: '/emulator/v1/health' }), 200, 'health stays open')
  expectStatus(t, await app.inject({ method: 'HEAD', url: '/emulator/v1/health' }), 200, 'HEAD health stays open')
})

t.test('every /emulator/ route but health is guarded, whatever its method', async t => {
  const { app } = await build(t, { adminToken: TOKEN })
  const guarded = app.emulator.routes.filter(r => r.url.startsWith('/emulator/') && r.url !== '/emulator/v1/health')
  t.ok(guarded.length >= 6, `${guarded.length} guarded routes`)
  for (const r of guarded) {
    const url = r.url.replace(/:[A-Za-z]+/g, DEFAULT.environmentId)
    const res = await app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : {} })
    expectStatus(t, res, 401, `${r.method} ${r.url}`)
  }
  // The body is not even read: a huge or broken one gets the same 401.
  const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset', headers: { 'content-type': 'application/json' }, payload: '{"broken' })
  expectStatus(t, res, 401, 'broken body')
})

t.test('other spellings of the path do not get around the token', async t => {
  const { app } = await build(t, { adminToken: TOKEN })
  for (const url of ['/%65mulator/v1/environments', '/emulator/v1/environments?x=1', '/emulator/v1/environments/', '/emulator/v1//environments', '/EMULATOR/v1/environments']) {
    const res = await app.inject({ url })
    t.ok(res.statusCode === 401 || res.statusCode === 404, `${url} -> ${res.statusCode}`)
    t.notMatch(res.body, /apiKey/, `${url} reveals no environment`)
  }
})

t.test('the Quiltt API does not look at the admin token', async t => {
  const { app } = await build(t, { adminToken: TOKEN })
  expectStatus(t, await issue(app), 201, 'issue with the App Secret only')
  expectStatus(t, await identify(app, { email: 'new@example.com' }), 201, 'identify without any token')
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(TOKEN), payload: {} })
  expectStatus(t, res, 401, 'the admin token is not an App Secret')
  t.match(res.json().instruction, /API Key secret/)
})

t.test('every guarded emulator operation documents the 401', async t => {
  for (const op of loadSpec().operations.filter(o => o.path.startsWith('/emulator/') && o.path !== '/emulator/v1/health')) {
    t.ok(op.schema.response?.['401'], `${op.operationId} documents 401`)
  }
})

t.test('--admin-token and QUILTT_MOCK_ADMIN_TOKEN', async t => {
  t.equal(readConfig([], {}).adminToken, undefined)
  t.equal(readConfig(['--admin-token', 'abc'], {}).adminToken, 'abc')
  t.equal(readConfig(['--admin-token=abc'], { QUILTT_MOCK_ADMIN_TOKEN: 'env' }).adminToken, 'abc', 'the flag wins')
  t.equal(readConfig([], { QUILTT_MOCK_ADMIN_TOKEN: 'env' }).adminToken, 'env')
  t.equal(readConfig([], { QUILTT_MOCK_ADMIN_TOKEN: '' }).adminToken, undefined, 'empty means none')
  t.throws(() => readConfig(['--admin-token', 'has space'], {}), { message: /--admin-token must be printable/ })
  t.throws(() => readConfig(['--admin-token', 'tab\there'], {}), { message: /--admin-token must be printable/ })
})

t.test('binding beyond loopback without a token warns', async t => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'api.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    t.ok(isLoopbackHost(host), `${host} is loopback`)
    t.equal(exposureWarning({ host, adminToken: undefined }), undefined)
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1', 'localhost.example.com']) {
    t.notOk(isLoopbackHost(host), `${host} is not loopback`)
    t.match(exposureWarning({ host, adminToken: undefined }), /WARNING: listening on .* without --admin-token/)
    t.equal(exposureWarning({ host, adminToken: 'x' }), undefined, 'a token silences it')
  }
})

t.test('the CLI prints the warning when it binds 0.0.0.0 without a token, and not with one', async t => {
  const open = await startCli(t, ['--host', '0.0.0.0', '--db', ':memory:'])
  await open.kill()
  t.match(open.stderr(), /WARNING: listening on 0\.0\.0\.0 without --admin-token/)
  const guarded = await startCli(t, ['--host', '0.0.0.0', '--db', ':memory:', '--admin-token', TOKEN])
  const res = await fetch(guarded.url.replace('0.0.0.0', '127.0.0.1') + '/emulator/v1/environments')
  t.equal(res.status, 401, 'the flag reaches the app')
  await guarded.kill()
  t.notMatch(guarded.stderr(), /without --admin-token/)
  // What the token does not cover, the published credentials, has its own warning (test/cli/cli.test.ts).
  t.match(guarded.stderr(), /WARNING: listening on 0\.0\.0\.0 with published credentials/)
})
