import { createHmac } from 'node:crypto'
import { connect } from 'node:net'
import fc from 'fast-check'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { loadSpec } from '../server/openapi/spec.js'
import { bearer, build, DEFAULT, expectStatus, issue, PHONE, WITH_PHONE } from './helper.js'

// Property-based fuzzing of every operation in openapi.yaml (the Quiltt API and the emulator API, so
// operations added later are fuzzed too) with malformed bodies, content types, tokens and headers.
// Every answer must be below 500 and in one of Quiltt's two shapes, and the process must stay
// healthy. The seed is fixed and the runs bounded, so a failure reproduces and the file stays fast.

const SEED = 20_260_101
const RUNS = Number(process.env.QUILTT_MOCK_FUZZ_RUNS ?? 2500)

const { operations, document } = loadSpec()

/** A schema without its prose (descriptions, examples): two fields whose schemas read the same are validated alike. */
const ruleOf = (node: unknown): unknown => Array.isArray(node)
  ? node.map(ruleOf)
  : node !== null && typeof node === 'object'
    ? Object.fromEntries(Object.entries(node).filter(([k]) => !['description', 'example', 'examples', 'title'].includes(k)).map(([k, v]) => [k, ruleOf(v)]))
    : node

/** Each property name under `node`, with the rules it has there (a name can appear at several places). */
function fieldRules (node: unknown, out = new Map<string, string[]>()): Map<string, string[]> {
  if (Array.isArray(node)) { for (const n of node) fieldRules(n, out); return out }
  if (node === null || typeof node !== 'object') return out
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v !== null && typeof v === 'object') {
      for (const [name, schema] of Object.entries(v)) out.set(name, [...(out.get(name) ?? []), JSON.stringify(ruleOf(schema))])
    }
    fieldRules(v, out)
  }
  return out
}

const FIELDS = [...fieldRules(document).keys(), 'session', 'deploymentId', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '']

/** The credential an operation takes, read from its `security` in the spec. */
const usesSessionToken = (op: typeof operations[number]): boolean =>
  JSON.stringify((document.paths as Record<string, Record<string, { security?: unknown }>>)[op.path]?.[op.method.toLowerCase()]?.security ?? []).includes('SessionToken')

/** Why a response is not acceptable, or undefined. */
function problem (method: string, res: { statusCode: number, headers: Record<string, unknown>, body: string }): string | undefined {
  if (res.statusCode >= 500) return `status ${res.statusCode}`
  if (res.statusCode < 400 || method === 'HEAD') return undefined
  if (!/^application\/json/.test(String(res.headers['content-type']))) return `content-type ${String(res.headers['content-type'])}`
  let body: unknown
  try { body = JSON.parse(res.body) } catch { return 'body is not JSON' }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object'
  const entries = Object.entries(body)
  if (res.statusCode === 422) {
    if (entries.length === 0) return 'empty field map'
    const bad = entries.find(([, v]) => !Array.isArray(v) || v.length === 0 || !v.every(m => typeof m === 'string'))
    return bad ? `field ${bad[0]} is not a list of messages` : undefined
  }
  const keys = Object.keys(body).sort().join(',')
  if (keys !== 'instruction,message') return `keys ${keys}`
  const { message, instruction } = body as Record<string, unknown>
  return typeof message === 'string' && typeof instruction === 'string' ? undefined : 'message/instruction are not strings'
}

// ---- arbitraries ----------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('a@b.co', 'ALICE@Example.com ', '+15555550100', '+1', '123456', '12345', '1234567', DEFAULT.clientId, PHONE.clientId,
    DEFAULT.environmentId, '11111111-1111-1111-1111-111111111111', 'p_11ewrVkEnd7LIvSVAmt8XL5', '2000-02-30', 'USA', '\u0000', '\ud800', '💥', ' ',
    // Object.prototype's names as values (a provider state named valueOf was a 500) and a backtracking path pattern.
    'valueOf', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '/**a**a**a**b')
)
const leaf = fc.oneof(
  text.map(s => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(n => JSON.stringify(n)),
  fc.constantFrom('true', 'false', 'null', '0', '-0', '1e308', '-1', '4.2', '9007199254740993', '[]', '{}')
)
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('toString', 'valueOf', 'constructor', 'hasOwnProperty', '__defineGetter__') })
/** JSON text built by hand, so `__proto__` and duplicate keys reach the server as written. */
const json = fc.letrec<{ value: string, array: string, object: string }>(tie => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map(xs => `[${xs.join(',')}]`),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map(es => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)
}))
const nested = (open: string, close: string, inner = '1') => fc.constantFrom(10, 40, 1_000, 10_000, 60_000).map(d => open.repeat(d) + inner + close.repeat(d))
const body = fc.oneof(
  { weight: 6, arbitrary: json.object },
  { weight: 3, arbitrary: json.object.map(o => `{"session":${o}}`) },
  { weight: 2, arbitrary: json.value },
  { weight: 1, arbitrary: nested('[', ']') },
  { weight: 1, arbitrary: nested('{"session":', '}', '{}') },
  { weight: 1, arbitrary: nested('{"metadata":', '}', '{"a":1}') },
  { weight: 1, arbitrary: fc.constantFrom(100_000, 1_100_000).chain(n => fc.constantFrom('email', 'name', 'clientId', 'userId', 'uuid', 'x').map(f => `{"${f}":"${'a'.repeat(n)}"}`)) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 60_000).map(n => `{"metadata":{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}}`) },
  { weight: 2, arbitrary: json.object.chain(o => fc.nat({ max: Math.max(0, o.length - 1) }).map(cut => o.slice(0, cut))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'null', 'nul', "{'a':1}", '{"a":1,}', '\ufeff{}', '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}', '{"a":1}{"b":2}', '[1,2', 'undefined', 'NaN', '\u0000', '"\\ud800"', '{"session":[]}', '{"session":"x"}')
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) }
)
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1',
      'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx',
      '', ';', 'application/', 'application/json; charset=utf-16', '*/*', 'application/vnd.api+json', 'text/json')
  }
)

const b64 = (s: string): string => Buffer.from(s).toString('base64url')
// The default fixture's signing secret: tokens signed with it reach the self-signed checks.
const SIGNING_SECRET = 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000'
function selfSigned (header: unknown, claims: unknown, alg: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`
  return `${input}.${createHmac(alg, SIGNING_SECRET).update(input).digest('base64url')}`
}
function tokens (good: string): fc.Arbitrary<string | undefined> {
  const [h, p, s] = good.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  const uid = claims.uid
  const exp = Math.floor(Date.UTC(2026, 0, 2) / 1000)
  const hs256 = { alg: 'HS256', typ: 'JWT' }
  return fc.oneof(
    fc.constantFrom(selfSigned(hs256, { uid, exp }), selfSigned({ alg: 'HS512' }, { uid, exp, jti: 'j' }, 'sha512'),
      selfSigned(hs256, { uid, exp: 1e308 }), selfSigned(hs256, { uid, exp: -1 }), selfSigned(hs256, { uid: '__proto__', exp }),
      selfSigned(hs256, { uid: 'x'.repeat(300), exp }), selfSigned(hs256, { uid: { id: uid }, exp }), selfSigned(hs256, { uid, exp, jti: {} }),
      selfSigned(hs256, { uid, exp, jti: 'x'.repeat(300) }), selfSigned(hs256, { uid, exp, eid: 'constructor' }), selfSigned(hs256, { uid, exp, nbf: 'later' }),
      selfSigned(hs256, { uid: claims.sub, exp, eid: DEFAULT.environmentId }), selfSigned({ alg: 'HS256', typ: 'JWS' }, { uid, exp }),
      selfSigned({ alg: 'HS256', crit: ['exp'] }, { uid, exp }), selfSigned(hs256, [uid, exp]), selfSigned('HS256', { uid, exp })),
    fc.constantFrom(undefined, good, DEFAULT.secret, PHONE.secret, '', 'x', '..', `${h}.${p}.`, `${h}..${s}`, `${h}.${p}.${s}x`, `${h}.${p}.${s.slice(0, -2)}`,
      `${b64('{"alg":"none"}')}.${p}.`, `${b64('{"alg":"HS256"}')}.${p}.${s}`, `${b64('{"alg":"HS512","typ":"JWT"}')}.${p}.${s}`,
      `${h}.${b64(JSON.stringify({ ...claims, exp: 'soon' }))}.${s}`, `${h}.${b64(JSON.stringify({ ...claims, eid: PHONE.environmentId }))}.${s}`,
      `${h}.${b64(JSON.stringify({ ...claims, jti: '00000000-0000-4000-8000-000000000000' }))}.${s}`,
      `${h}.${b64('[]')}.${s}`, `${h}.${b64('null')}.${s}`, `${h}.${b64('{"__proto__":{"eid":"x"}}')}.${s}`, `${h}.!!!.${s}`,
      `${good}.${s}`, `${h}.${p}.${s}`.repeat(10), `${h}.${'A'.repeat(100_000)}.${s}`, 'sk_sandbox_' + 'a'.repeat(300)),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    fc.tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 90 })).map(([a, b, c]) => `${a}.${b}.${c}`),
    fc.nat({ max: 300_000 }).map(n => `${good.slice(0, 20)}${'x'.repeat(n)}`)
  )
}
const authorization = (good: string) => fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(`Bearer ${DEFAULT.secret}`, `Bearer ${good}`, `Bearer ${PHONE.secret}`) },
  { weight: 6, arbitrary: tokens(good).map(tok => tok === undefined ? undefined : `Bearer ${tok}`) },
  { weight: 1, arbitrary: tokens(good).chain(tok => fc.constantFrom('bearer', 'BEARER', 'Basic', 'Token', 'Bearer\t', 'Bearer  ', '').map(scheme => tok === undefined ? scheme : `${scheme} ${tok}`)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 50 }) }
)
/** Path parameters: real ids, junk, unicode, traversal, and values past the router's 500-character limit. */
const param = (real: string[]) => fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(DEFAULT.environmentId, PHONE.environmentId, ...real) },
  { weight: 1, arbitrary: fc.constantFrom('env_doesNotExist', '11111111-1111-1111-1111-111111111111', 'p_x', '..', '.', '%00', '%2F', '%E0%A4%A', 'a'.repeat(600), ' ') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent) }
)
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.constantFrom('page', 'limit', 'email', 'phone', 'environmentId', '__proto__', 'x', 'email[]', 'limit[a]', 'search', 'method', 'path', 'toString'),
    fc.oneof(fc.constantFrom('1', '0', '-1', '100', '101', '1e3', 'abc', '', '%', '+15555550100', 'A@B.CO', '1e18', '1e400', '9007199254740993', 'valueOf',
      encodeURIComponent('/**a**a**a**b')), fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent))),
  { maxLength: 4 }).map(qs => `?${qs.map(([k, v]) => `${k}=${v}`).join('&')}`)
)
const extraHeaders = fc.dictionary(
  fc.constantFrom('accept', 'accept-encoding', 'x-forwarded-for', 'host', 'origin', 'cookie', 'quiltt-sdk-agent', 'x-request-id', 'content-encoding', 'expect'),
  fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }).map(s => s.replace(/[\r\n\0]/g, '')), fc.constantFrom('gzip', 'application/xml', '*/*', 'x'.repeat(20_000))),
  { maxKeys: 3 }
)

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

function requestFor (good: string, real: string[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    op: fc.constantFrom(...operations),
    otherMethod: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    params: fc.array(param(real), { minLength: 3, maxLength: 3 }),
    query,
    body: fc.option(body, { freq: 6 }),
    contentType,
    authorization: authorization(good),
    extra: extraHeaders
  })
}

interface FuzzRequest {
  op: typeof operations[number]
  otherMethod: string | null
  params: string[]
  query: string
  body: string | null
  contentType: string | undefined
  authorization: string | undefined
  extra: Partial<Record<string, string>>
}

async function send (app: FastifyInstance, r: FuzzRequest): Promise<{ method: string, url: string, res: LightMyRequestResponse }> {
  let i = 0
  const method = r.otherMethod ?? r.op.method
  const url = r.op.path.replace(/\{[^}]+\}/g, () => r.params[i++] ?? 'x') + r.query
  const headers = { ...r.extra } as Record<string, string>
  if (r.contentType !== undefined) headers['content-type'] = r.contentType
  if (r.authorization !== undefined) headers.authorization = r.authorization
  const res = await app.inject({ method: method as 'GET', url, headers, ...(r.body === null ? {} : { payload: r.body }) })
  return { method, url, res }
}

t.test('every operation answers malformed input below 500, in a Quiltt shape', async t => {
  const { app } = await build(t, WITH_PHONE)
  const session = (await issue(app, { email: 'fuzz@example.com' })).json() as { token: string, userUuid: string }
  const profileId = (await app.inject({ url: `/v1/profiles/${session.userUuid}`, headers: bearer(DEFAULT.secret) })).json().id as string
  const good = session.token
  let runs = 0
  const statuses: Record<number, number> = {}
  await fc.assert(fc.asyncProperty(requestFor(good, [session.userUuid, profileId]), async r => {
    const { method, url, res } = await send(app, r)
    runs++
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    const why = problem(method, res)
    if (why) throw new Error(`${method} ${url.slice(0, 200)} -> ${res.statusCode}: ${why}\n${res.body.slice(0, 500)}`)
  }), { seed: SEED, numRuns: RUNS, endOnFailure: true })
  t.equal(runs, RUNS)
  t.ok(Object.keys(statuses).length >= 6, `a spread of answers: ${JSON.stringify(statuses)}`)

  // Still healthy: the health check answers and the ordinary flows still work.
  expectStatus(t, await app.inject({ url: '/emulator/v1/health' }), 200, 'health')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset' }), 200, 'reset')
  const after = await issue(app)
  expectStatus(t, after, 201, 'issue')
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(after.json().token) }), 200, 'ping')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'after@fuzz.test' } } }), 201, 'identify')
})

/**
 * Bodies that have broken servers before, sent to every operation with working credentials: each
 * hostile value under each field the operation's body documents (at the top, as the flat forms take
 * them, and inside `session`), under the SDK's names, and under one name nobody documents, which
 * stands for all the others (an operation treats every field it does not know alike). The costly
 * values (10,000 levels of nesting, 100 KB of text: most of this file's time) go under one field of
 * each rule the operation documents, since fields with the same rule are checked by the same code,
 * and under every name the emulator reads by name (`session`, `metadata`); the cheap ones under every field.
 */
function hostile (op: typeof operations[number]): string[] {
  const deep = (open: string, close: string, inner: string, d: number) => open.repeat(d) + inner + close.repeat(d)
  const rules = fieldRules(op.schema.body ?? {})
  const fields = new Set([...rules.keys(), 'session', 'deploymentId', 'notDocumentedAnywhere'])
  const byRule = new Map<string, string>()
  for (const [name, texts] of rules) if (!byRule.has(texts.join('|'))) byRule.set(texts.join('|'), name)
  const costly = new Set([...byRule.values(), 'session', 'deploymentId', 'notDocumentedAnywhere', ...(rules.has('metadata') ? ['metadata'] : [])])
  const perField = [...fields].flatMap(f => [
    ...(costly.has(f)
      ? [
          `{${JSON.stringify(f)}:${deep('{"a":', '}', '1', 10_000)}}`,
          `{${JSON.stringify(f)}:${deep('[', ']', '1', 10_000)}}`,
          `{${JSON.stringify(f)}:"${'\u0000'.repeat(100)}💥${'a'.repeat(100_000)}"}`
        ]
      : []),
    `{${JSON.stringify(f)}:[{"a":1}]}`,
    `{${JSON.stringify(f)}:{"__proto__":{"x":1}}}`,
    `{${JSON.stringify(f)}:1e400}`,
    `{"session":{${JSON.stringify(f)}:{}}}`
  ])
  return [
    ...perField,
    deep('{"session":', '}', '{}', 60_000),
    deep('[', ']', '', 200_000),
    `{"metadata":{${Array.from({ length: 50 }, (_, i) => `"k${i}":${deep('[', ']', '1', 31)}`).join(',')}}}`,
    `{"email":"${'a'.repeat(1_100_000)}"}`,
    '[]', '"string"', '42', 'true', 'null', '{"session":null}', '{"session":[]}', '{"__proto__":{"admin":true}}'
  ]
}

t.test('every operation against bodies that have broken servers before', async t => {
  const { app } = await build(t, WITH_PHONE)
  let sent = 0
  for (const op of operations) {
    // Each operation starts from the fixtures, so an earlier DELETE does not turn the rest into 404s.
    await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
    const { token, userUuid } = (await issue(app)).json() as { token: string, userUuid: string }
    const url = op.path.replace(/\{[^}]+\}/g, m => m.includes('nvironment') ? DEFAULT.environmentId : userUuid)
    const auth = usesSessionToken(op) ? token : DEFAULT.secret
    for (const payload of hostile(op)) {
      const res = await app.inject({ method: op.method as 'POST', url, headers: { ...bearer(auth), 'content-type': 'application/json' }, payload })
      sent++
      const why = problem(op.method, res)
      if (why) t.fail(`${op.method} ${url} with ${payload.slice(0, 80)}... -> ${res.statusCode}: ${why} ${res.body.slice(0, 300)}`)
    }
  }
  t.pass(`${sent} requests`)
  expectStatus(t, await app.inject({ url: '/emulator/v1/health' }), 200, 'still healthy')
})

/** Raw bytes over a socket; resolves with everything the server sent before it closed. */
function raw (port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    socket.on('data', b => { out += b.toString('latin1') })
    socket.on('error', err => { if (out) resolve(out); else reject(err) })
    socket.on('close', () => resolve(out))
    socket.end(request)
  })
}

function parseRaw (response: string): { statusCode: number, headers: Record<string, string>, body: string } {
  const [head = '', body = ''] = response.split('\r\n\r\n', 2)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body }
}

t.test('what the HTTP parser rejects is answered in the same envelope', async t => {
  const { app } = await build(t, WITH_PHONE)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const big = 'x'.repeat(20_000)
  const cases: Array<[string, string | Buffer, number]> = [
    ['headers over 16 KiB', `GET /v1/users/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${big}\r\n\r\n`, 431],
    ['a broken request line', 'GET /v1/users/session HTTP/1.1 junk\r\nHost: x\r\n\r\n', 400],
    ['a NUL in a header', 'GET /v1/users/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\u0000b\r\n\r\n', 400],
    ['a bad chunk', 'POST /v1/users/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400],
    ['two content lengths', 'POST /v1/users/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400],
    ['a declared body over 1 MiB', 'POST /v1/users/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{}', 413],
    ['UTF-8 bytes in the token', Buffer.concat([Buffer.from('GET /v1/users/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer '), Buffer.from('💥é', 'utf8'), Buffer.from('\r\n\r\n')]), 401],
    ['a URL with raw unicode', Buffer.concat([Buffer.from('GET /v1/profiles/'), Buffer.from('ü', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]), 400]
  ]
  for (const [name, request, status] of cases) {
    const res = parseRaw(await raw(port, request))
    t.equal(res.statusCode, status, name)
    t.equal(problem('GET', res), undefined, `${name}: ${res.body.slice(0, 200)}`)
  }
  expectStatus(t, await app.inject({ url: '/emulator/v1/health' }), 200, 'still healthy')
})
