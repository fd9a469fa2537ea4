import t from 'tap'
import { loadSpec } from '../server/openapi/spec.js'
import { build } from './helper.js'

// Routes that are not Quiltt or emulator operations: the API docs pages (http/docs.ts),
// and the catch-all OPTIONS route http/cors.ts adds to answer preflights.
const NOT_OPERATIONS = /^\/docs(\/|$)/
const isCorsPreflight = (r: { method: string, url: string }): boolean => r.method === 'OPTIONS' && r.url === '*'

t.test('every operation in openapi.yaml has a route, and every route an operation', async t => {
  const { app } = await build(t)
  const { operations } = loadSpec()
  const routes = app.emulator.routes.filter(r => r.method !== 'HEAD' && !NOT_OPERATIONS.test(r.url) && !isCorsPreflight(r))
  const fromSpec = operations.map(o => `${o.method} ${o.url}`).sort()
  const registered = routes.map(r => `${r.method} ${r.url}`).sort()
  t.strictSame(registered, fromSpec)
  for (const r of routes) t.ok(r.operationId, `${r.method} ${r.url} is registered from an operationId`)
})

t.test('the spec names every operation of DESIGN sections 1 and 2', async t => {
  const ids = new Set(loadSpec().operations.map(o => o.operationId))
  for (const id of ['identify', 'authenticate', 'ping', 'revoke', 'issueSession', 'introspectSessionToken', 'introspectApiKey',
    'listProfiles', 'createProfile', 'getProfile', 'updateProfile', 'deleteProfile',
    'emulatorHealth', 'emulatorListEnvironments', 'emulatorCreateEnvironment', 'emulatorDeleteEnvironment',
    'emulatorListPasscodes', 'emulatorListMessages', 'emulatorReset',
    'emulatorUpdateEnvironment', 'emulatorLoadFixtures', 'emulatorGetClock', 'emulatorSetClock',
    'emulatorListRequests', 'emulatorClearRequests', 'emulatorCreateFault', 'emulatorListFaults',
    'emulatorClearFaults', 'emulatorDeleteFault', 'emulatorProviderState']) {
    t.ok(ids.has(id), id)
  }
  const tagged = loadSpec().operations.filter(o => o.path.startsWith('/emulator/'))
  t.ok(tagged.every(o => o.tags.includes('emulator')), 'emulator operations carry the emulator tag')
})

t.test('route schemas are the spec schemas, not copies', async t => {
  const { app } = await build(t)
  // A body the spec forbids (clientId must be a string) is refused with the spec's 422 shape.
  const res = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: 42, email: 'a@b.co' } } })
  t.equal(res.statusCode, 422)
  t.strictSame(res.json(), { clientId: ['must be a string'] })
})

t.test('the document is served at /docs/json and /docs/yaml', async t => {
  const { app } = await build(t)
  const json = await app.inject({ url: '/docs/json' })
  t.equal(json.statusCode, 200)
  t.equal(json.json().paths['/v1/users/session'].post.operationId, 'identify')
  const yaml = await app.inject({ url: '/docs/yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.body, /operationId: issueSession/)
})

t.test('no schema keyword is an accident of YAML (an unquoted comma in a flow mapping makes a key like "in emulator time")', async t => {
  const { document } = loadSpec()
  const bad: string[] = []
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      const here = `${path}/${k}`
      // Property names and examples may be anything; schema keywords never contain spaces or hold null.
      const free = /\/(properties|examples|example|responses|headers)$/.test(path)
      if (!free && (/\s/.test(k) || (v === null && k !== 'example'))) bad.push(here)
      walk(v, here)
    }
  }
  walk(document.components, '#/components')
  t.strictSame(bad, [])
})

t.test('a request body marked x-validated-by: service is documented but not validated by the route; every other body is', async t => {
  const { default: Fastify } = await import('fastify')
  const { registerOperations } = await import('../server/http/operations.js')
  const { operations } = loadSpec()
  const marked = operations.filter(o => o.bodyValidatedByService).map(o => o.operationId).sort()
  t.strictSame(marked, ['emulatorCreateFault', 'emulatorLoadFixtures', 'emulatorSetClock', 'emulatorUpdateEnvironment', 'graphql'])
  const app = Fastify()
  t.teardown(() => app.close())
  const bodies = new Map<string, boolean>()
  app.addHook('onRoute', r => { bodies.set(r.config?.operationId ?? '', r.schema?.body !== undefined) })
  registerOperations(app, Object.fromEntries(operations.map(o => [o.operationId, async () => ({})])))
  for (const op of operations) {
    if (op.schema.body === undefined) continue
    t.equal(bodies.get(op.operationId), !op.bodyValidatedByService, `${op.operationId}: the body schema is ${op.bodyValidatedByService ? 'documentation only' : 'validated'}`)
  }
  t.ok(operations.find(o => o.operationId === 'emulatorSetClock')?.schema.body, 'the marked schema stays in the document, for the docs')
})
