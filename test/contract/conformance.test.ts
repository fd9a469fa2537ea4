import { readFileSync } from 'node:fs'
import t from 'tap'
import { deriveFacts } from '../../scripts/derive-quiltt-facts.js'
import { checkAgainstQuiltt, loadQuilttDocument, UNDOCUMENTED_STATUSES } from '../../server/contract/conformance.js'
import { type Json, type JsonObject, loadSpec, resolve } from '../../server/openapi/spec.js'
import { QUILTT_FACTS_PATH } from '../../server/paths.js'
import { bearer, build, DEFAULT, expectStatus, issue } from '../helper.js'

const quiltt = loadQuilttDocument()
const ours = loadSpec()

t.test('the facts file records its source and holds no prose or examples', async t => {
  t.match(quiltt.source, { source: 'quiltt-openapi-2026-04-01.json', sourceSha256: /^[0-9a-f]{64}$/, apiVersion: '2026-04-01' })
  const prose: string[] = []
  const walk = (node: Json, path: string, namesHere: boolean): void => {
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${path}.${i}`, false)); return }
    if (node === null || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      if (!namesHere && ['description', 'summary', 'example', 'examples', 'title'].includes(k)) prose.push(`${path}.${k}`)
      walk(v, `${path}.${k}`, ['properties', 'schemas', 'responses', 'paths', 'headers', 'securitySchemes', 'content'].includes(k))
    }
  }
  const { 'x-facts': _, ...rest } = JSON.parse(readFileSync(QUILTT_FACTS_PATH, 'utf8')) as JsonObject
  walk(rest, '', false)
  t.strictSame(prose, [], 'no description, summary, title or example anywhere')
  t.ok(quiltt.operations.some(o => o.method === 'POST' && o.path === '/v1/users/sessions'), 'issue session is there')
})

t.test('the derivation keeps facts and drops prose', async t => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 'T', description: 'prose', version: '2026-04-01' },
    servers: [{ url: 'https://auth.example', description: 'prose' }],
    paths: {
      '/x': {
        summary: 'prose',
        post: {
          operationId: 'x',
          summary: 'prose',
          description: 'prose',
          tags: ['T'],
          responses: { 201: { description: 'Created', content: { 'application/json': { example: { a: 1 }, schema: { $ref: '#/components/schemas/X' } } } } }
        }
      }
    },
    components: {
      schemas: { X: { type: 'object', title: 'X', additionalProperties: false, required: ['description'], properties: { description: { type: 'string', example: 'e', format: 'uuid' } } } }
    }
  }
  const facts = deriveFacts(doc, 'doc.json', 'abc') as JsonObject
  t.strictSame(facts.paths, { '/x': { post: { responses: { 201: { content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } } } } } } })
  t.strictSame(facts.components, { schemas: { X: { type: 'object', additionalProperties: false, required: ['description'], properties: { description: { type: 'string', format: 'uuid' } } } } },
    'a property named description is kept; its example is not')
  t.strictSame(facts.servers, [{ url: 'https://auth.example' }])
  t.match(facts['x-facts'], { source: 'doc.json', sourceSha256: 'abc', apiVersion: '2026-04-01' })
})

/**
 * Whether our schema promises no more than Quiltt's and names the same fields: every answer valid
 * under ours is then valid under Quiltt's, and a consumer of either sees the same names.
 */
function disagreements (mine: Json | undefined, theirs: Json | undefined, path: string): string[] {
  if (theirs === undefined || theirs === null || typeof theirs !== 'object' || Array.isArray(theirs)) return []
  if (mine === undefined || mine === null || typeof mine !== 'object' || Array.isArray(mine)) return [`${path}: missing`]
  const m = (Array.isArray(mine.oneOf) ? mine.oneOf[0] : mine) as JsonObject // a session answer's first branch is Quiltt's shape
  const q = theirs
  const out: string[] = []
  if (q.type !== undefined && m.type !== q.type && !(m.type === 'integer' && q.type === 'number')) out.push(`${path}: type ${String(m.type)}, Quiltt ${String(q.type)}`)
  if (q.format !== undefined && m.format !== q.format) out.push(`${path}: format ${String(m.format)}, Quiltt ${String(q.format)}`)
  if (m.nullable === true && q.nullable !== true) out.push(`${path}: nullable here, not in Quiltt's`)
  if (Array.isArray(q.enum) && !(Array.isArray(m.enum) && m.enum.every(v => (q.enum as Json[]).includes(v)))) out.push(`${path}: enum differs`)
  if (q.additionalProperties === false && m.additionalProperties !== false) out.push(`${path}: Quiltt forbids other fields, ours does not`)
  const req = (s: JsonObject): string => JSON.stringify([...((s.required ?? []) as string[])].sort())
  if (q.type === 'object' && req(m) !== req(q)) out.push(`${path}: required ${req(m)}, Quiltt ${req(q)}`)
  for (const k of ['minLength', 'minProperties', 'minimum', 'minItems'] as const) if (typeof q[k] === 'number' && !((m[k] as number) >= (q[k] as number))) out.push(`${path}: ${k} ${String(m[k])}, Quiltt ${String(q[k])}`)
  for (const k of ['maxLength', 'maxProperties', 'maximum'] as const) if (typeof q[k] === 'number' && !((m[k] as number) <= (q[k] as number))) out.push(`${path}: ${k} ${String(m[k])}, Quiltt ${String(q[k])}`)
  const qp = (q.properties ?? {}) as JsonObject
  const mp = (m.properties ?? {}) as JsonObject
  const names = (o: JsonObject): string => JSON.stringify(Object.keys(o).sort())
  if (q.properties !== undefined && names(mp) !== names(qp)) out.push(`${path}: fields ${names(mp)}, Quiltt ${names(qp)}`)
  for (const k of Object.keys(qp)) out.push(...disagreements(mp[k], qp[k], `${path}.${k}`))
  if (q.items !== undefined) out.push(...disagreements(m.items, q.items, `${path}[]`))
  if (typeof q.additionalProperties === 'object') out.push(...disagreements(m.additionalProperties as Json, q.additionalProperties, `${path}{}`))
  return out
}

// Statuses Quiltt documents that the emulator never answers, and why (the README says the same).
const NEVER_ANSWERED: Record<string, string> = {
  'POST /v1/users/sessions 403': 'the Profile limit of an environment is not emulated',
  'POST /v1/profiles 403': 'the Profile limit of an environment is not emulated',
  'POST /v1/introspect/processor_token 200': 'no processor tokens exist without a Connector',
  'GET /v1/accounts/{accountId}/ach_numbers 202': 'no Finicity numbers are ever still being fetched',
  'GET /v1/accounts/{accountId}/ach_numbers 410': 'a seeded account\'s numbers are always available',
  'POST /v1/accounts/{accountId}/balances/refresh 429': 'no provider rate limit',
  'POST /v1/connections/{connectionId}/transactions/refresh 409': 'a refresh completes at once',
  'POST /v1/connections/{connectionId}/transactions/refresh 429': 'refreshes are not limited'
}

t.test('openapi.yaml agrees with Quiltt\'s document for every operation both describe', async t => {
  const routeOf = (method: string, path: string) => ours.operations.find(o => o.method === method && o.path === path)
  const shared = quiltt.operations.filter(o => routeOf(o.method, o.path))
  t.strictSame(shared.map(o => `${o.method} ${o.path}`).sort(), [
    'DELETE /v1/profiles/{id}', 'DELETE /v1/users/session', 'GET /v1/accounts/{accountId}/ach_numbers', 'GET /v1/institutions', 'GET /v1/profiles', 'GET /v1/profiles/{id}', 'PATCH /v1/profiles/{id}',
    'POST /v1/accounts/{accountId}/balances/refresh', 'POST /v1/connections/{connectionId}/transactions/refresh',
    'POST /v1/introspect/api_key', 'POST /v1/introspect/processor_token', 'POST /v1/introspect/session_token', 'POST /v1/profiles', 'POST /v1/users/sessions',
    'DELETE /v1/webhooks/subscriptions/{id}', 'GET /v1/webhooks/subscriptions', 'GET /v1/webhooks/subscriptions/{id}', 'PATCH /v1/webhooks/subscriptions/{id}', 'POST /v1/webhooks/subscriptions'
  ].sort(), 'every operation of the auth API, of Profiles, of bank data and of webhook subscriptions that Quiltt documents is served')
  for (const q of shared) {
    const mine = routeOf(q.method, q.path)!
    for (const [status, theirs] of Object.entries(q.responses)) {
      const key = `${q.method} ${q.path} ${status}`
      const own = mine.responses[status]
      if (!own) { t.ok(NEVER_ANSWERED[key], `${key}: documented by Quiltt; ours ${NEVER_ANSWERED[key] ? 'never answers it: ' + NEVER_ANSWERED[key] : 'must document it'}`); continue }
      t.strictSame(disagreements(own.json, theirs.json, 'body'), [], `${key}: the body schemas agree`)
      t.equal(own.hasContent, theirs.hasContent, `${key}: both say whether there is a body`)
      for (const h of theirs.headers.filter(h => h.required)) {
        t.ok(own.headers.some(o => o.name === h.name && o.required), `${key}: the required header ${h.name} is documented as required`)
      }
    }
    for (const status of Object.keys(mine.responses)) {
      if (q.responses[status] || ['400', '413', '415', '500', '503'].includes(status)) continue
      t.ok((UNDOCUMENTED_STATUSES[`${q.method} ${q.path}`] ?? []).includes(Number(status)), `${q.method} ${q.path} ${status}: an undocumented status is a listed choice`)
    }
  }
})

t.test('the conformance check rules out what Quiltt\'s document rules out', async t => {
  const json = { 'content-type': 'application/json' }
  const session = { token: 'a.b.c', userId: 'p_1hyoxpVVFib1HngGwKAzIr', userUuid: '174ec567-2492-4498-a706-504a79437235', environmentId: 'env_0mock', expiration: 1, expiresAt: '2026-01-01T00:00:00Z' }
  t.strictSame(checkAgainstQuiltt('POST', '/v1/users/sessions', 201, json, JSON.stringify(session)), [])
  t.match(checkAgainstQuiltt('POST', '/v1/users/sessions', 201, json, JSON.stringify({ ...session, id: 'x' })), [/must NOT have additional properties/], 'the legacy id')
  t.match(checkAgainstQuiltt('GET', '/v1/users/session', 200, json, JSON.stringify({ ...session, userId: session.userUuid })), [/userId must match format "global_id-v1"/], 'a UUID userId, on ping too')
  t.match(checkAgainstQuiltt('PUT', '/v1/users/session', 201, json, JSON.stringify({ ...session, expiresAt: undefined })), [/required property 'expiresAt'/])
  t.match(checkAgainstQuiltt('GET', '/v1/profiles/:id', 200, json, JSON.stringify({ id: 'p_1', uuid: session.userUuid })), [/required property 'metadata'/])
  t.match(checkAgainstQuiltt('GET', '/v1/profiles', 200, json, '[]'), [/header current-page is required but missing/])
  t.match(checkAgainstQuiltt('POST', '/v1/users/sessions', 418, json, '{}'), [/status 418 is neither in Quiltt's document/])
  t.strictSame(checkAgainstQuiltt('POST', '/v1/users/sessions', 429, json, JSON.stringify({ message: 'x', instruction: 'y' })), [], 'a documented choice in Quiltt\'s error shape')
  t.match(checkAgainstQuiltt('POST', '/v1/users/sessions', 404, json, JSON.stringify({ error: 'x' })), [/required property 'message'/])
  t.equal(checkAgainstQuiltt('GET', '/emulator/v1/environments', 200, json, '{}'), undefined, 'the emulator\'s own API is not Quiltt\'s')
  t.equal(checkAgainstQuiltt('POST', '/v1/users/session', 202, {}, ''), undefined, 'a 202 of identify has nothing to check')
})

t.test('a Profile has every field Quiltt requires, at included; the list has Quiltt\'s pagination headers', async t => {
  const { app, clock } = await build(t)
  const created = await app.inject({ method: 'POST', url: '/v1/profiles', headers: bearer(DEFAULT.secret), payload: { email: 'at@example.com' } })
  expectStatus(t, created, 201)
  t.equal(created.json().at, '2026-01-01T12:00:00Z')
  clock.advance(60_000)
  const patched = await app.inject({ method: 'PATCH', url: `/v1/profiles/${created.json().id}`, headers: bearer(DEFAULT.secret), payload: { name: 'At' } })
  t.match(patched.json(), { at: '2026-01-01T12:01:00Z', updatedAt: '2026-01-01T12:01:00Z', createdAt: '2026-01-01T12:00:00Z' }, 'at moves with every change')
  for (let i = 0; i < 4; i++) await issue(app, {})
  const page = await app.inject({ url: '/v1/profiles?page=2&limit=2', headers: bearer(DEFAULT.secret) })
  expectStatus(t, page, 200)
  t.match(page.headers, { 'current-page': '2', 'page-items': '2', 'total-count': '5', 'total-pages': '3' })
  t.equal(page.json().length, 2)
  const empty = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { apiKey: { secret: 'sk_sandbox_empty_environment' } } })
  const none = await app.inject({ url: '/v1/profiles', headers: bearer(empty.json().apiKey.secret) })
  t.match(none.headers, { 'current-page': '1', 'page-items': '25', 'total-count': '0', 'total-pages': '1' }, 'one page even when empty, as pagy counts')
})

t.test('processor tokens: none exist, so introspection is a 401 in Quiltt\'s shape', async t => {
  const { app } = await build(t)
  for (const headers of [{}, { authorization: `Basic ${Buffer.from('processor-sandbox-1:secret').toString('base64')}` }, bearer(DEFAULT.secret)]) {
    const res = await app.inject({ method: 'POST', url: '/v1/introspect/processor_token', headers })
    expectStatus(t, res, 401)
    t.match(res.json(), { message: 'Not Authenticated', instruction: /^Are you sending a valid and unexpired Processor Token in the `Authorization` header\?/ })
  }
})

t.test('422 messages quote Quiltt\'s document where it gives one', async t => {
  const { app } = await build(t)
  for (const [url, method] of [['/v1/users/sessions', 'POST'], ['/v1/profiles', 'POST']] as const) {
    const res = await app.inject({ method, url, headers: bearer(DEFAULT.secret), payload: { email: 'BAD_EMAIL' } })
    expectStatus(t, res, 422, url)
    t.strictSame(res.json(), { email: ['Email is not a valid email address'] })
  }
  const resolved = resolve(quiltt.document, { $ref: '#/components/schemas/ValidationErrors' }) as JsonObject
  t.equal(resolved.type, 'object', 'Quiltt\'s 422 is a field map')
})

t.test('the session answers rule is one list: the answers\' conformance and the pact check both follow facts.ts\' SESSION_ANSWERS', async t => {
  const { SESSION_ANSWERS, SESSION_PATH } = await import('../../server/contract/facts.js')
  const { checkPactAgainstQuiltt } = await import('../../server/contract/check.js')
  t.strictSame(Object.keys(SESSION_ANSWERS).sort(), ['GET', 'POST', 'PUT'])
  for (const [method, { status }] of Object.entries(SESSION_ANSWERS)) {
    const problems = checkAgainstQuiltt(method, SESSION_PATH, status, { 'content-type': 'application/json' }, JSON.stringify({ id: 1 }))
    t.ok(problems && problems.length > 0, `conformance: ${method} ${SESSION_PATH} ${status} must be a UserSession`)
    t.equal(checkAgainstQuiltt(method, SESSION_PATH, status + 1, { 'content-type': 'application/json' }, '{}'), undefined, `conformance: only its ${status} is held to it`)
    const pact = {
      consumer: { name: 'c' },
      provider: { name: 'quiltt' },
      metadata: { pactSpecification: { version: '3.0.0' } },
      interactions: [{ description: 'd', request: { method, path: SESSION_PATH, headers: { Authorization: 'Bearer a.b.c' } }, response: { status, body: { id: 1 } } }]
    }
    const check = checkPactAgainstQuiltt(pact)
    t.equal(check.interactions[0]!.checked, true, `pact check: ${method} ${status} is checked`)
    t.ok(check.summary.conflicts > 0, `pact check: ${method} ${status} must be a UserSession`)
  }
})
