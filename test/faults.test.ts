import type { FastifyInstance } from 'fastify'
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { bearer, build, DEFAULT, expectStatus, identify, issue } from './helper.js'

const addFault = (app: FastifyInstance, payload: unknown) => app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: payload as object })
const listFaults = async (app: FastifyInstance) => (await app.inject({ url: '/emulator/v1/faults' })).json().faults as Array<Record<string, unknown>>
const ping = (app: FastifyInstance, token: string) => app.inject({ url: '/v1/users/session', headers: bearer(token) })

t.test('a status fault answers the next matching request in Quiltt\'s shape, once, then behaviour returns', async t => {
  const { app } = await build(t)
  const created = await addFault(app, { method: 'POST', path: '/v1/users/sessions', status: 503 })
  expectStatus(t, created, 201)
  t.strictSame(created.json(), {
    id: created.json().id, method: 'POST', path: '/v1/users/sessions', status: 503, delayMs: 0, times: 1, remaining: 1, createdAt: '2026-01-01T12:00:00Z'
  })
  t.match(created.json().id, /^flt_/)

  const failed = await issue(app)
  expectStatus(t, failed, 503)
  t.match(failed.headers['content-type'], /^application\/json/)
  t.strictSame(Object.keys(failed.json()).sort(), ['errorId', 'instruction', 'message'])
  t.match(failed.json(), { message: 'Service Unavailable', instruction: new RegExp(`fault ${created.json().id}`), errorId: /^[0-9a-f-]{36}$/ })

  expectStatus(t, await issue(app), 201, 'the next one is normal')
  t.strictSame(await listFaults(app), [], 'a used-up fault is gone')
})

t.test('times is honoured, and the remaining count is visible', async t => {
  const { app } = await build(t)
  const token = (await issue(app)).json().token
  const id = (await addFault(app, { method: 'GET', path: '/v1/users/session', status: 401, times: 3 })).json().id
  const first = await ping(app, token)
  expectStatus(t, first, 401)
  t.strictSame(first.json(), { message: 'Not Authenticated', instruction: `This response was injected by quiltt-mock fault ${id}. DELETE /emulator/v1/faults/${id} removes it.` })
  t.match(await listFaults(app), [{ id, times: 3, remaining: 2 }])
  expectStatus(t, await ping(app, token), 401)
  expectStatus(t, await ping(app, token), 401)
  expectStatus(t, await ping(app, token), 200, 'the fourth goes through')
  expectStatus(t, await ping(app, token), 200)
})

t.test('only matching requests are affected: method, exact path, * and **', async t => {
  const { app } = await build(t)
  const token = (await issue(app)).json().token
  await addFault(app, { method: 'DELETE', path: '/v1/users/session', status: 500 })
  expectStatus(t, await ping(app, token), 200, 'another method on the same path')
  expectStatus(t, await issue(app), 201, 'another path')
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session?x=1', headers: bearer(token) }), 500, 'the query string is not part of the path')
  await app.inject({ method: 'DELETE', url: '/emulator/v1/faults' })

  await addFault(app, { method: 'get', path: '/v1/profiles/*', status: 404, times: 10 })
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) }), 200, '* needs a segment')
  expectStatus(t, await app.inject({ url: '/v1/profiles/p_x', headers: bearer(DEFAULT.secret) }), 404)
  const notFound = await app.inject({ url: '/v1/profiles/p_x', headers: bearer(DEFAULT.secret) })
  t.strictSame(Object.keys(notFound.json()).sort(), ['instruction', 'message'])
  t.equal(notFound.json().message, 'Not Found')
  await app.inject({ method: 'DELETE', url: '/emulator/v1/faults' })

  await addFault(app, { method: '*', path: '/v1/**', status: 502, times: 2 })
  expectStatus(t, await app.inject({ url: '/v2/profiles' }), 404, '** stays under its prefix')
  expectStatus(t, await issue(app), 502)
  expectStatus(t, await ping(app, token), 502)
  expectStatus(t, await ping(app, token), 200)

  // Even a fault matching every path leaves the emulator's own API and the docs alone.
  await addFault(app, { method: '*', path: '/**', status: 500, times: 2 })
  expectStatus(t, await app.inject({ url: '/emulator/v1/health' }), 200, 'never the emulator')
  expectStatus(t, await app.inject({ url: '/emulator/v1/faults' }), 200, 'faults can always be listed')
  expectStatus(t, await app.inject({ url: '/docs/json' }), 200, 'never the docs')
  t.equal((await listFaults(app))[0]!.remaining, 2, 'and those requests did not use it up')
  expectStatus(t, await ping(app, token), 500)
})

t.test('a given body is sent as is; success statuses without a body are empty; 422 and 429 keep Quiltt\'s shapes', async t => {
  const { app } = await build(t)
  await addFault(app, { method: 'POST', path: '/v1/users/session', status: 200, body: { anything: ['goes', 1, null] } })
  const custom = await identify(app, { email: 'a@example.com' })
  expectStatus(t, custom, 200)
  t.strictSame(custom.json(), { anything: ['goes', 1, null] })

  await addFault(app, { method: 'POST', path: '/v1/users/session', status: 202 })
  const accepted = await identify(app, { email: 'a@example.com' })
  expectStatus(t, accepted, 202)
  t.equal(accepted.body, '')

  await addFault(app, { method: 'POST', path: '/v1/users/session', status: 500, body: null })
  const nobody = await identify(app, { email: 'a@example.com' })
  expectStatus(t, nobody, 500)
  t.equal(nobody.body, '')

  const f422 = (await addFault(app, { method: 'POST', path: '/v1/users/session', status: 422 })).json().id
  const invalid = await identify(app, { email: 'a@example.com' })
  expectStatus(t, invalid, 422)
  t.strictSame(invalid.json(), { base: [`This response was injected by quiltt-mock fault ${f422}. DELETE /emulator/v1/faults/${f422} removes it.`] })

  await addFault(app, { method: 'POST', path: '/v1/users/sessions', status: 429 })
  const limited = await issue(app)
  expectStatus(t, limited, 429)
  t.equal(limited.headers['retry-after'], '1')
  t.equal(limited.json().message, 'Too Many Requests')

  // No request above reached the service: the profile was never created.
  expectStatus(t, await identify(app, { email: 'a@example.com' }), 201, 'the first real identify still signs up')
})

t.test('a fault answers before body validation, and the journal shows the request and the fault', async t => {
  const { app } = await build(t)
  const id = (await addFault(app, { method: 'POST', path: '/v1/users/session', status: 500 })).json().id
  const res = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: 42 } } })
  expectStatus(t, res, 500, 'a body the schema refuses is still faulted')
  const [entry] = (await app.inject({ url: '/emulator/v1/requests' })).json().requests
  t.match(entry, { status: 500, faultId: id, requestBody: { session: { clientId: 42 } }, responseBody: { message: 'Internal Server Error' } })

  // A body that cannot be read at all is answered with that error and does not use the fault.
  await addFault(app, { method: 'POST', path: '/v1/users/session', status: 500 })
  const broken = await app.inject({ method: 'POST', url: '/v1/users/session', payload: '{"session":', headers: { 'content-type': 'application/json' } })
  expectStatus(t, broken, 400)
  t.equal((await listFaults(app))[0]!.remaining, 1)
  expectStatus(t, await identify(app, { email: 'b@example.com' }), 500, 'the next readable request gets it')
})

t.test('delayMs holds the request on the wall clock, then it proceeds normally', async t => {
  const { app } = await build(t)
  const created = await addFault(app, { method: 'POST', path: '/v1/users/sessions', delayMs: 40 })
  t.match(created.json(), { status: null, delayMs: 40 })
  const start = performance.now()
  const res = await issue(app)
  const elapsed = performance.now() - start
  expectStatus(t, res, 201, 'delay only: the real answer')
  t.ok(elapsed >= 35, `waited ${elapsed.toFixed(1)} ms`)
  const [entry] = (await app.inject({ url: '/emulator/v1/requests' })).json().requests
  t.ok(entry.durationMs >= 35, 'the journal duration includes the delay')
  t.equal(entry.faultId, created.json().id)

  await addFault(app, { method: 'POST', path: '/v1/users/sessions', delayMs: 20, status: 504 })
  const t2 = performance.now()
  expectStatus(t, await issue(app), 504)
  t.ok(performance.now() - t2 >= 15, 'delay and status together')
  t.equal((await app.inject({ url: '/emulator/v1/clock' })).json().offsetSeconds, 0, 'emulator time did not move')
})

t.test('faults are tried oldest first and one request uses one fault', async t => {
  const { app } = await build(t)
  const a = (await addFault(app, { method: 'POST', path: '/v1/users/sessions', status: 500 })).json().id
  const b = (await addFault(app, { method: '*', path: '/v1/users/*', status: 502 })).json().id
  expectStatus(t, await issue(app), 500)
  t.strictSame((await listFaults(app)).map(f => f.id), [b])
  expectStatus(t, await issue(app), 502)
  expectStatus(t, await issue(app), 201)
  t.not(a, b)
})

t.test('GET lists, DELETE /{id} removes one, DELETE removes all', async t => {
  const { app } = await build(t)
  const a = (await addFault(app, { method: 'GET', path: '/v1/profiles', status: 500, times: 5 })).json()
  const b = (await addFault(app, { method: 'PUT', path: '/v1/users/session', delayMs: 10, body: { x: 1 }, status: 418 })).json()
  t.strictSame(await listFaults(app), [a, b])
  t.strictSame(b.body, { x: 1 })

  const del = await app.inject({ method: 'DELETE', url: `/emulator/v1/faults/${a.id}` })
  expectStatus(t, del, 204)
  t.strictSame(await listFaults(app), [b])
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) }), 200, 'the removed fault no longer applies')

  const again = await app.inject({ method: 'DELETE', url: `/emulator/v1/faults/${a.id}` })
  expectStatus(t, again, 404)
  t.match(again.json(), { message: 'Not Found', instruction: new RegExp(a.id) })

  await addFault(app, { method: 'GET', path: '/v1/profiles', status: 500 })
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/emulator/v1/faults' }), 204)
  t.strictSame(await listFaults(app), [])
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) }), 200)
})

t.test('a full reset clears faults; resetting one environment does not', async t => {
  const { app } = await build(t)
  await addFault(app, { method: 'GET', path: '/v1/profiles', status: 500 })
  await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } })
  t.equal((await listFaults(app)).length, 1)
  await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
  t.strictSame(await listFaults(app), [])
  expectStatus(t, await app.inject({ url: '/v1/profiles', headers: bearer(DEFAULT.secret) }), 200)
})

t.test('bad faults are a 422 naming each field; emulator paths are refused', async t => {
  const { app } = await build(t)
  const cases: Array<[unknown, Record<string, string[]>]> = [
    [{}, { method: ["can't be blank"], path: ["can't be blank"], base: ['give status, delayMs or both'] }],
    [{ method: 'FETCH', path: 'v1/x', status: 99, delayMs: 60_001, times: 0 }, {
      method: ['must be one of: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, *'],
      path: ['must start with /'],
      status: ['must be a whole number from 200 to 599'],
      delayMs: ['must be a whole number from 0 to 60000'],
      times: ['must be a whole number from 1 to 1000000']
    }],
    [{ method: 'GET', path: '/emulator/v1/health', status: 500 }, { path: ['is an emulator path: faults never apply to /emulator/'] }],
    [{ method: 'GET', path: '/v1/profiles', body: { a: 1 } }, { status: ["can't be blank when body is given"] }],
    [{ method: 'GET', path: '/v1/profiles', status: '500' }, { status: ['must be a whole number from 200 to 599'] }],
    [{ method: 'GET', path: '/v1/profiles', status: 500.5 }, { status: ['must be a whole number from 200 to 599'] }],
    // Matched against every Quiltt request while armed: the work of a match is bounded.
    [{ method: 'GET', path: '/' + '*a'.repeat(9), status: 500 }, { path: ['may hold at most 8 wildcards (* or **)'] }],
    [{ method: 'GET', path: '/' + 'a'.repeat(256), status: 500 }, { path: ['must be at most 256 characters'] }]
  ]
  for (const [payload, fields] of cases) {
    const res = await addFault(app, payload)
    expectStatus(t, res, 422, JSON.stringify(payload))
    t.strictSame(res.json(), fields, JSON.stringify(payload))
  }
  // Stored, then sent with JSON.stringify on every hit: 5,000 levels overflowed the stack there (a 500, and a stuck fault).
  for (const depth of [65, 5000]) {
    const payload = `{"method":"GET","path":"/v1/profiles","status":418,"body":${'['.repeat(depth)}${']'.repeat(depth)}}`
    const deep = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload, headers: { 'content-type': 'application/json' } })
    expectStatus(t, deep, 422, `a body ${depth} levels deep`)
    t.strictSame(deep.json(), { body: ['is nested too deeply (at most 64 levels)'] })
  }
  t.strictSame(await listFaults(app), [], 'none was created')
  const deepest = `{"method":"GET","path":"/v1/profiles","status":418,"body":${'['.repeat(64)}${']'.repeat(64)}}`
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: deepest, headers: { 'content-type': 'application/json' } }), 201, '64 levels are fine')
  t.equal((await app.inject({ url: '/v1/profiles' })).statusCode, 418, 'and answered with')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: 'x', headers: { 'content-type': 'text/plain' } }), 415)
})
