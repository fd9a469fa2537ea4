import t from 'tap'
import { loadSpec } from '../server/openapi/spec.js'
import { bearer, build, DEFAULT, expectStatus, identify, issue, jti, login, PHONE, WITH_PHONE } from './helper.js'

const profilesOf = (environmentId: string, query = '') => `/emulator/v1/environments/${environmentId}/profiles${query}`

interface ListedSession { id: string, via: string, state: string, issuedAt: string, expiresAt: string, revokedAt: string | null }
interface Listed { id: string, uuid: string, email: string | null, name: string | null, sessions: ListedSession[] }

t.test('the inspector and the profiles listing are operations of openapi.yaml, tagged emulator', async t => {
  const ops = loadSpec().operations
  t.match(ops.find(o => o.operationId === 'emulatorInspector'), { method: 'GET', path: '/', tags: ['emulator'] })
  t.match(ops.find(o => o.operationId === 'emulatorListProfiles'), { method: 'GET', path: '/emulator/v1/environments/{environmentId}/profiles', tags: ['emulator'] })
})

t.test('GET / is the inspector: one HTML page that loads nothing from anywhere else', async t => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/' })
  expectStatus(t, res, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(res.headers['cache-control'], 'no-store')
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, "default-src 'none'")
  t.match(csp, "connect-src 'self'", 'it may only call this server')
  t.match(res.body, '<title>quiltt-mock inspector</title>')
  t.notMatch(res.body, /<script[^>]+src=/i, 'no external script')
  t.notMatch(res.body, /<link[^>]+rel="stylesheet"/i, 'no external stylesheet')
  const refs = [...res.body.matchAll(/(?:src|href)="([^"]*)"/g)].map(m => m[1]!)
  for (const ref of refs) t.match(ref, /^(\/|#|data:)/, `${ref.slice(0, 40)} is on this server`)
  for (const path of ['/emulator/v1/environments', '/emulator/v1/reset', '/emulator/v1/clock']) {
    t.match(res.body, path, `the page reads ${path}`)
  }
  const head = await app.inject({ method: 'HEAD', url: '/' })
  t.equal(head.statusCode, 200)
})

t.test('profiles of an environment with their sessions, newest first, without an API key secret', async t => {
  const { app, clock } = await build(t)
  const alice = await login(app, 'alice@example.com') // signup session + passcode-login session
  clock.advance(1000)
  const dave = (await issue(app, { email: 'dave@example.com', name: 'Dave Smith' })).json()
  clock.advance(1000)
  const daveAgain = (await issue(app, { userId: dave.userId })).json()
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(daveAgain.token) }), 204)

  const res = await app.inject({ url: profilesOf(DEFAULT.environmentId) })
  expectStatus(t, res, 200)
  const { profiles, total } = res.json() as { profiles: Listed[], total: number }
  t.equal(total, 2)
  t.strictSame(profiles.map(p => p.email), ['dave@example.com', 'alice@example.com'], 'newest first')
  const [d, a] = profiles
  t.equal(d!.name, 'Dave Smith')
  t.strictSame(d!.sessions.map(s => [s.id, s.via, s.state]), [[jti(daveAgain.token), 'apiKey', 'revoked'], [jti(dave.token), 'apiKey', 'active']], 'newest session first')
  t.equal(d!.sessions[0]!.revokedAt, '2026-01-01T12:00:02Z')
  t.equal(d!.sessions[1]!.revokedAt, null)
  t.equal(d!.sessions[1]!.expiresAt, '2026-01-02T12:00:01Z')
  t.equal(a!.sessions.length, 2)
  t.ok(a!.sessions.every(s => s.via === 'passwordless' && s.state === 'active'))
  t.ok(a!.sessions.some(s => s.id === jti(alice.token)), 'the session login() made is listed')
  t.match(d, { id: dave.userId, uuid: dave.userUuid, phone: null, metadata: null, at: '2026-01-01T12:00:01Z', createdAt: '2026-01-01T12:00:01Z' }, 'the profile as GET /v1/profiles/{id} shows it')

  clock.advance(86_400_000)
  const later = (await app.inject({ url: profilesOf(DEFAULT.environmentId) })).json() as { profiles: Listed[] }
  t.strictSame(later.profiles[0]!.sessions.map(s => s.state), ['revoked', 'expired'], 'a session past its 24 h is expired; a revoked one stays revoked')
})

t.test('search matches part of the email, name, id or UUID, ignoring case; limit keeps the total', async t => {
  const { app } = await build(t)
  for (const [email, name] of [['ann@example.com', 'Ann Lee'], ['ben@example.org', 'Ben Stone'], ['cat@example.org', null]] as const) {
    expectStatus(t, await issue(app, { email, ...(name ? { name } : {}) }), 201)
  }
  const search = async (q: string, limit?: number) =>
    (await app.inject({ url: profilesOf(DEFAULT.environmentId, `?${new URLSearchParams({ search: q, ...(limit ? { limit: String(limit) } : {}) })}`) })).json() as { profiles: Listed[], total: number }
  t.strictSame((await search('EXAMPLE.ORG')).profiles.map(p => p.email), ['cat@example.org', 'ben@example.org'])
  t.strictSame((await search('stone')).profiles.map(p => p.email), ['ben@example.org'])
  const ann = (await search('ann@')).profiles[0]!
  t.strictSame((await search(ann.uuid.slice(4, 16).toUpperCase())).profiles.map(p => p.id), [ann.id], 'by part of the UUID')
  t.strictSame((await search(ann.id)).profiles.map(p => p.email), ['ann@example.com'], 'by profile id')
  t.strictSame((await search('nobody')).profiles, [])
  t.equal((await search('nobody')).total, 0)
  t.strictSame((await search('%')).profiles, [], 'LIKE wildcards are plain text')
  const limited = await search('example', 2)
  t.equal(limited.profiles.length, 2)
  t.equal(limited.total, 3, 'total counts beyond the limit')
})

t.test('profiles stay in their environment; unknown environment 404; bad limit 422', async t => {
  const { app } = await build(t, WITH_PHONE)
  await identify(app, { email: 'only-email@example.com' })
  const phone = (await app.inject({ url: profilesOf(PHONE.environmentId) })).json()
  t.strictSame(phone, { profiles: [], total: 0 })
  const missing = await app.inject({ url: profilesOf('env_nope') })
  expectStatus(t, missing, 404)
  t.match(missing.json(), { message: 'Not Found' })
  for (const limit of ['0', '1001', 'ten']) {
    const res = await app.inject({ url: profilesOf(DEFAULT.environmentId, `?limit=${limit}`) })
    expectStatus(t, res, 422, `limit=${limit}`)
    t.ok(res.json().limit, `limit=${limit} is reported on the limit field`)
  }
})
