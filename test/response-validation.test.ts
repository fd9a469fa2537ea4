import t from 'tap'
import { buildLazySerializer } from '../server/http/serialization.js'
import type { FastifyInstance } from 'fastify'
import Fastify from 'fastify'
import type { ResponseMismatch } from '../server/http/response-validation.js'
import { exemptFromResponseValidation, useResponseValidation } from '../server/http/response-validation.js'
import { checkResponse } from '../server/openapi/response-check.js'
import { createIds, seededRandom } from '../server/random.js'
import { loadSpec } from '../server/openapi/spec.js'
import { build, DEFAULT, expectStatus, identify, issue } from './helper.js'

const responsesOf = (operationId: string) => loadSpec().operations.find(o => o.operationId === operationId)!.responses

t.test('documented responses pass: 201 with its Authorization header, 202 empty, 429 with Retry-After', async t => {
  const mismatches: ResponseMismatch[] = []
  const { app } = await build(t, { validateResponses: m => { mismatches.push(m) } })
  expectStatus(t, await identify(app, { email: 'ok@example.com' }), 201)
  expectStatus(t, await identify(app, { email: 'ok@example.com' }), 202)
  const created = (await issue(app, {})).json()
  for (let i = 0; i < 9; i++) await issue(app, { userId: created.userId })
  expectStatus(t, await issue(app, { userId: created.userId }), 429)
  expectStatus(t, await app.inject({ url: '/no/such/route' }), 404)
  expectStatus(t, await app.inject({ url: '/docs/json' }), 200)
  t.strictSame(mismatches, [])
})

/** Breaks the environments service the way a regression would: a mode the spec's enum does not allow. */
function breakEnvironmentList (app: FastifyInstance): void {
  const { environments } = app.emulator.services
  const list = environments.list
  environments.list = () => list().map(e => ({ ...e, mode: 'NOPE' as 'TEST' }))
}

t.test('a response that breaks the document becomes a 500 naming the problem, and the callback hears of it', async t => {
  const mismatches: ResponseMismatch[] = []
  const { app } = await build(t, { validateResponses: m => { mismatches.push(m) } })
  breakEnvironmentList(app)
  const res = await app.inject({ url: '/emulator/v1/environments' })
  t.equal(res.statusCode, 500)
  t.match(res.json().instruction, /200 response of emulatorListEnvironments does not match openapi\.yaml: body\.environments\.0\.mode must be equal to one of the allowed values/)
  t.match(res.json().errorId, /\S/)
  t.equal(mismatches.length, 1)
  t.equal(mismatches[0]?.operationId, 'emulatorListEnvironments')
  t.equal(mismatches[0]?.statusCode, 200)
})

t.test('without the option nothing is checked (no hook at all)', async t => {
  const { app } = await build(t, { validateResponses: false })
  breakEnvironmentList(app)
  const res = await app.inject({ url: '/emulator/v1/environments' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().environments[0].mode, 'NOPE')
})

t.test('checkResponse finds wrong bodies, missing and malformed headers, and bodies where none belong', async t => {
  const identify = responsesOf('identify')
  const issue = responsesOf('issueSession')
  const json = { 'content-type': 'application/json; charset=utf-8' }
  const session = {
    token: 'a.b.c',
    userId: 'p_1hyoxpVVFib1HngGwKAzIr',
    userUuid: '11111111-1111-1111-1111-111111111111',
    environmentId: DEFAULT.environmentId,
    expiration: 1621370019,
    expiresAt: '2021-05-18T20:33:39Z'
  }
  const legacy = { id: '50fb243c-6d2e-45ba-b1a2-1b9774876a7c', expiration: 1621370019, userId: '11111111-1111-1111-1111-111111111111', token: 'a.b.c' }
  const finds = (problems: string[], pattern: RegExp, what: string): void => { t.ok(problems.some(p => pattern.test(p)), what, { problems }) }
  t.strictSame(checkResponse(issue['201'], 201, json, JSON.stringify(session)), [], 'a session in Quiltt\'s current shape')
  t.strictSame(checkResponse(issue['201'], 201, json, JSON.stringify(legacy)), [], 'a session in the legacy shape')
  finds(checkResponse(issue['201'], 201, json, JSON.stringify({ ...session, expiration: '1621370019' })), /body\.expiration must be number/, 'expiration as text')
  finds(checkResponse(issue['201'], 201, json, JSON.stringify({ ...legacy, id: 'not-a-uuid' })), /body\.id must match format "uuid"/, 'a legacy id that is no UUID')
  finds(checkResponse(issue['201'], 201, json, JSON.stringify({ ...session, extra: 1 })), /must NOT have additional properties/, 'an extra field')
  finds(checkResponse(issue['201'], 201, json, JSON.stringify({ ...session, id: legacy.id })), /must match exactly one schema in oneOf/, 'the two shapes mixed')
  t.match(checkResponse(issue['201'], 201, { 'content-type': 'text/plain' }, JSON.stringify(session)), [/content-type must be application\/json/])
  t.match(checkResponse(identify['201'], 201, json, JSON.stringify(session)), [/header authorization is required but missing/])
  t.match(checkResponse(identify['201'], 201, { ...json, authorization: 'Token x' }, JSON.stringify(session)), [/header authorization: .*must match pattern/])
  t.match(checkResponse(identify['202'], 202, {}, '{}'), [/the body must be empty/])
  t.strictSame(checkResponse(identify['202'], 202, {}, undefined), [])
  t.match(checkResponse(issue['429'], 429, json, JSON.stringify({ message: 'x', instruction: 'y' })), [/header retry-after is required/])
  t.match(checkResponse(issue['429'], 429, { ...json, 'retry-after': 'soon' }, JSON.stringify({ message: 'x', instruction: 'y' })), [/retry-after.*must be integer/])
  t.strictSame(checkResponse(issue['429'], 429, { ...json, 'retry-after': '60' }, JSON.stringify({ message: 'x', instruction: 'y' })), [])
  t.match(checkResponse(undefined, 418, json, '{}'), [/status 418 is not a documented response/])
})

t.test('a response exempted on purpose (an injected fault) is not checked', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const mismatches: ResponseMismatch[] = []
  useResponseValidation(app, createIds(seededRandom()), m => { mismatches.push(m) })
  // Both answer a status emulatorHealth does not document; only the exempted one goes out as is.
  app.get('/checked', { config: { operationId: 'emulatorHealth' } }, async (_req, reply) => reply.code(503).send({ down: true }))
  app.get('/exempt', { config: { operationId: 'emulatorHealth' } }, async (req, reply) => {
    exemptFromResponseValidation(req)
    return reply.code(503).send({ down: true })
  })
  const checked = await app.inject({ url: '/checked' })
  t.equal(checked.statusCode, 500)
  const exempt = await app.inject({ url: '/exempt' })
  t.equal(exempt.statusCode, 503)
  t.strictSame(exempt.json(), { down: true })
  t.strictSame(mismatches.map(m => m.url), ['/checked'])
})

t.test('OpenAPI nullable without a type means any value, null included', async t => {
  const spec = { json: { type: 'object', properties: { anything: { nullable: true } } }, hasContent: true, headers: [] }
  const json = { 'content-type': 'application/json' }
  t.strictSame(checkResponse(spec, 200, json, '{"anything":null}'), [])
  t.strictSame(checkResponse(spec, 200, json, '{"anything":{"a":1}}'), [])
  const broken = { json: { type: 'object', properties: { x: { type: 'no-such-type' } } }, hasContent: true, headers: [] }
  t.match(checkResponse(broken, 200, json, '{"x":1}'), [/the documented schema cannot be checked/])
})

t.test('response serializers are Fastify\'s, compiled on a route\'s first answer rather than at start', async t => {
  const compile = buildLazySerializer({}, {})
  const route = { method: 'GET', url: '/x', httpStatus: '200' }
  const serialize = compile({ ...route, schema: { type: 'object', properties: { a: { type: 'string' }, n: { type: 'integer' } } } })
  t.equal(serialize({ a: 'x', n: 2, extra: true }), '{"a":"x","n":2}', 'undeclared fields are dropped, as by fast-json-stringify')
  const broken = compile({ ...route, schema: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } })
  t.throws(() => broken({ a: 1 }), 'a schema is only compiled, and so only fails, when first used')
})
