// Quiltt's REST operations on bank data, checked strictly against Quiltt's 2026-04-01 document by
// build(t): transactions refresh, balance refresh (balance.created, source REFRESH), ACH numbers,
// institutions by routing number.
import t, { type Test } from 'tap'
import type { Change } from '../server/services/changes.js'
import { DEFAULT_INSTITUTIONS } from '../server/services/institutions.js'
import { bearer, build, DEFAULT, expectStatus } from './helper.js'
import { profileOf } from './bank-seeding.test.js'

const api = bearer(DEFAULT.secret)

async function seeded (t: Test) {
  const { app, clock } = await build(t)
  const p = await profileOf(app)
  const res = await app.inject({
    method: 'POST',
    url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${p.profileId}/connections`,
    payload: {
      id: 'conn_rest1',
      institution: { name: 'First Platypus Bank' },
      accounts: [
        { id: 'acct_checking1', name: 'Everyday Checking', accountNumber: '30930901', balance: { current: 100, available: 90 } },
        { id: 'acct_loan1', name: 'Auto Loan', kind: 'LOAN', balance: { current: -5000 } },
        { id: 'acct_card1', name: 'Card', kind: 'CREDIT', balance: { current: -10, limit: 1000 } },
        { id: 'acct_unverified1', name: 'Savings', verified: false, balance: { current: 5 } }
      ]
    }
  })
  expectStatus(t, res, 201)
  return { app, clock, ...p }
}

t.test('POST /v1/accounts/{id}/balances/refresh: 202, a REFRESH balance in GraphQL and as balance.created', async t => {
  const { app, clock, token } = await seeded(t)
  const events: Change[] = []
  app.emulator.changes.subscribe(c => events.push(c))
  clock.advance(60_000)
  const res = await app.inject({ method: 'POST', url: '/v1/accounts/acct_checking1/balances/refresh', headers: api })
  expectStatus(t, res, 202)
  t.equal(res.body, '')
  t.equal(res.headers['quiltt-version'], '2026-04-01')
  t.strictSame(events.map(e => e.type), ['balance.created'])
  t.match(events[0]!.record, { accountId: 'acct_checking1', source: 'REFRESH', current: 100, available: 90, limit: null, at: '2026-01-01T12:01:00Z' })
  const gql = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: '{ account(id: "acct_checking1") { balance { id source at current } } }' } })
  t.strictSame(gql.json().data.account.balance, { id: events[0]!.record.id, source: 'REFRESH', at: '2026-01-01T12:01:00Z', current: 100 })

  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/accounts/acct_loan1/balances/refresh', headers: api }), 400, 'LOAN')
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/accounts/acct_nope/balances/refresh', headers: api }), 404)
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/accounts/acct_checking1/balances/refresh' }), 401)
  const other = await app.inject({ method: 'POST', url: '/v1/accounts/acct_checking1/balances/refresh', headers: bearer('sk_sandbox_quilttsms1_0000000000000000000000') })
  t.equal(other.statusCode, 401, 'another environment\'s key does not know the account (that environment is not loaded here)')
  await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: 'mutation { connectionSimulateError(input: {id: "conn_rest1"}) { success } }' } })
  const forbidden = await app.inject({ method: 'POST', url: '/v1/accounts/acct_checking1/balances/refresh', headers: api })
  expectStatus(t, forbidden, 403)
  t.strictSame(forbidden.json(), { message: 'Forbidden', instruction: 'Account does not belong to an active Connection.' })
})

t.test('POST /v1/connections/{id}/transactions/refresh: 202 while active, 403 when not, 404 unknown', async t => {
  const { app, token } = await seeded(t)
  const events: Change[] = []
  app.emulator.changes.subscribe(c => events.push(c))
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/connections/conn_rest1/transactions/refresh', headers: api }), 202)
  t.strictSame(events, [], 'no changes, no events')
  const missing = await app.inject({ method: 'POST', url: '/v1/connections/conn_nope/transactions/refresh', headers: api })
  expectStatus(t, missing, 404)
  t.strictSame(missing.json(), { message: 'Not Found', instruction: 'Does the URL contain the ID of a valid Connection?' })
  await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: 'mutation { connectionDisconnect(input: {id: "conn_rest1"}) { success } }' } })
  expectStatus(t, await app.inject({ method: 'POST', url: '/v1/connections/conn_rest1/transactions/refresh', headers: api }), 403)
})

t.test('GET /v1/accounts/{id}/ach_numbers: verified DEPOSITORY accounts only', async t => {
  const { app } = await seeded(t)
  const res = await app.inject({ url: '/v1/accounts/acct_checking1/ach_numbers', headers: api })
  expectStatus(t, res, 200)
  const platypus = DEFAULT_INSTITUTIONS.find(i => i.name === 'First Platypus Bank')!
  t.strictSame(res.json(), { accountId: 'acct_checking1', number: '30930901', routing: platypus.routingNumber })
  expectStatus(t, await app.inject({ url: '/v1/accounts/acct_loan1/ach_numbers', headers: api }), 400)
  expectStatus(t, await app.inject({ url: '/v1/accounts/acct_card1/ach_numbers', headers: api }), 400)
  expectStatus(t, await app.inject({ url: '/v1/accounts/acct_unverified1/ach_numbers', headers: api }), 404)
  expectStatus(t, await app.inject({ url: '/v1/accounts/acct_nope/ach_numbers', headers: api }), 404)
  expectStatus(t, await app.inject({ url: '/v1/accounts/acct_checking1/ach_numbers' }), 401)
})

t.test('GET /v1/institutions?routingNumber=: the fictional banks by their routing numbers', async t => {
  const { app } = await build(t)
  const platypus = DEFAULT_INSTITUTIONS[0]!
  t.equal(platypus.name, 'First Platypus Bank')
  t.ok(DEFAULT_INSTITUTIONS.length >= 10 && DEFAULT_INSTITUTIONS.length <= 20)
  t.equal(new Set(DEFAULT_INSTITUTIONS.map(i => i.routingNumber)).size, DEFAULT_INSTITUTIONS.length, 'one routing number each')
  const res = await app.inject({ url: `/v1/institutions?routingNumber=${platypus.routingNumber}`, headers: api })
  expectStatus(t, res, 200)
  t.strictSame(res.json(), [{ name: 'First Platypus Bank', logoUrl: null }])
  t.strictSame((await app.inject({ url: '/v1/institutions?routingNumber=111000025', headers: api })).json(), [], 'none of ours')
  for (const bad of ['', '12345', 'abcdefghi', '1234567890']) {
    const r = await app.inject({ url: `/v1/institutions?routingNumber=${bad}`, headers: api })
    expectStatus(t, r, 400, bad)
    t.strictSame(r.json(), { message: 'Bad Request', instruction: 'Are you supplying a valid 9-digit Routing number?' })
  }
  expectStatus(t, await app.inject({ url: '/v1/institutions', headers: api }), 400, 'no routingNumber')
  expectStatus(t, await app.inject({ url: '/v1/institutions?routingNumber=111000025' }), 401)
  t.strictSame(app.emulator.services.institutions.search(DEFAULT.environmentId, 'platy'), [{ id: platypus.id, name: 'First Platypus Bank', logoUrl: null }])
  t.equal(app.emulator.services.institutions.search(DEFAULT.environmentId, '').length, DEFAULT_INSTITUTIONS.length)
})

t.test('the routing number docs/bank-data.md gives for First Platypus Bank is its own', async t => {
  t.equal(DEFAULT_INSTITUTIONS.find(i => i.name === 'First Platypus Bank')!.routingNumber, '099010001')
})
