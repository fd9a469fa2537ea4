// Seeding bank data over HTTP (POST/GET /emulator/v1/environments/{environmentId}/profiles/{profileId}/connections):
// explicit records and the deterministic generator, bad input, events, and what deleting and resetting take with them.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Change } from '../server/services/changes.js'
import { bearer, build, DEFAULT, expectStatus, issue } from './helper.js'

const url = (profileId: string, environmentId: string = DEFAULT.environmentId) => `/emulator/v1/environments/${environmentId}/profiles/${profileId}/connections`

export async function profileOf (app: FastifyInstance, email = 'alice@example.com'): Promise<{ token: string, profileId: string }> {
  const res = await issue(app, { email })
  const { token, userId } = res.json() as { token: string, userId: string }
  return { token, profileId: userId }
}

const EXPLICIT = {
  institution: { name: 'First Platypus Bank' },
  accounts: [{
    name: 'Everyday Checking',
    mask: '1234',
    accountNumber: '000111221234',
    balance: { current: 1520.33, available: 1490.1 },
    transactions: [
      { date: '2025-12-30', amount: -4.75, description: 'Corner Bean Coffee' },
      { date: '2025-12-31', amount: 2500, description: 'Payroll Deposit', status: 'POSTED' },
      { date: '2026-01-01', amount: -60, description: 'Gas', status: 'PENDING', entryType: 'DEBIT' }
    ]
  }, { name: 'Cash Rewards Visa', kind: 'CREDIT', balance: { current: -420.5, limit: 5000 } }]
}

t.test('explicit records: 201 with the connection and its accounts\' ids; GET lists it; events in one go', async t => {
  const { app } = await build(t)
  const { profileId } = await profileOf(app)
  const res = await app.inject({ method: 'POST', url: url(profileId), payload: EXPLICIT })
  expectStatus(t, res, 201)
  const { connection } = res.json()
  t.match(connection.id, /^conn_1[0-9A-Za-z]{21}$/)
  t.match(connection, { profileId, provider: 'MOCK', status: 'SYNCED', institution: { name: 'First Platypus Bank', id: 'inst_mock_first-platypus-bank' } })
  t.equal(connection.accounts.length, 2)
  t.match(connection.accounts[0], { name: 'Everyday Checking', mask: '1234', kind: 'DEPOSITORY', taxonomy: ['ASSET', 'DEPOSITORY', 'SPENDING'], verified: true, transactionCount: 3, balance: { current: 1520.33, available: 1490.1, limit: null, source: 'INITIAL' } })
  t.match(connection.accounts[1], { kind: 'CREDIT', taxonomy: ['LIABILITY', 'CREDIT', 'CARD'], verified: false, transactionCount: 0, balance: { current: -420.5, limit: 5000 } })
  t.match(connection.accounts[0].id, /^acct_1/)
  const list = await app.inject({ url: url(profileId) })
  expectStatus(t, list, 200)
  t.strictSame(list.json(), { connections: [connection] })
})

t.test('domain events: connection.created, account.created per account, balance.created per balance, synced initial and historical', async t => {
  const { app } = await build(t)
  const { profileId } = await profileOf(app)
  const seen: Change[] = []
  app.emulator.changes.subscribe(c => seen.push(c))
  const res = await app.inject({ method: 'POST', url: url(profileId), payload: EXPLICIT })
  const { connection } = res.json()
  t.strictSame(seen.map(c => c.type), ['connection.created', 'account.created', 'balance.created', 'account.created', 'balance.created',
    'connection.synced.successful.initial', 'connection.synced.successful.historical', 'profile.ready'])
  t.match(seen[0], { environmentId: DEFAULT.environmentId, profile: { id: profileId }, record: { id: connection.id, provider: 'MOCK', status: 'SYNCED', features: Array, products: Array, metadata: null } })
  t.strictSame(Object.keys(seen[1]!.record).sort(), ['at', 'connectionId', 'createdAt', 'id', 'metadata', 'state', 'updatedAt'])
  t.strictSame(Object.keys(seen[2]!.record).sort(), ['accountId', 'at', 'available', 'current', 'id', 'limit', 'source'])
})

t.test('generated data is deterministic for a seed, realistic, and differs for another seed', async t => {
  const { app } = await build(t)
  const a = await profileOf(app, 'a@example.com')
  const b = await profileOf(app, 'b@example.com')
  const body = { generate: { accounts: 3, transactionsPerAccount: 200, seed: 42 } }
  const first = (await app.inject({ method: 'POST', url: url(a.profileId), payload: body })).json().connection
  const second = (await app.inject({ method: 'POST', url: url(b.profileId), payload: body })).json().connection
  const strip = (c: { accounts: Array<Record<string, unknown>> }) =>
    c.accounts.map(({ id: _id, balance, ...rest }) => ({ ...rest, balance: { ...(balance as object), id: undefined } }))
  t.strictSame(strip(second), strip(first), 'the same names, masks, balances and counts for the same seed')
  t.strictSame(first.accounts.map((x: { name: string }) => x.name), ['Everyday Checking', 'High-Yield Savings', 'Cash Rewards Visa'])
  t.strictSame(first.accounts.map((x: { transactionCount: number }) => x.transactionCount), [200, 200, 200])
  const q = '{ transactions(first: 100, sort: DATE_DESC) { nodes { date amount description status entryType } } }'
  const txa = (await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(a.token), payload: { query: q } })).json().data.transactions.nodes
  const txb = (await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(b.token), payload: { query: q } })).json().data.transactions.nodes
  t.strictSame(txb, txa, 'the same transactions for the same seed')
  t.equal(txa.length, 100)
  t.ok(txa.every((x: { amount: number }) => x.amount > 0 && Number.isInteger(Math.round(x.amount * 100))), 'amounts in cents')
  t.ok(new Set(txa.map((x: { description: string }) => x.description)).size >= 5, 'several merchants')
  t.equal(txa[0].status, 'PENDING', 'the newest are pending, and sort first descending')
  t.match(txa[0].date, /^2026-01-01$|^2025-12-31$/)
  const other = await profileOf(app, 'c@example.com')
  const third = (await app.inject({ method: 'POST', url: url(other.profileId), payload: { generate: { accounts: 3, transactionsPerAccount: 200, seed: 7 } } })).json().connection
  t.notSame(strip(third), strip(first), 'another seed, other data')
})

t.test('bad input: 404 for an unknown environment or profile, 422 naming every problem by path, nothing half-written', async t => {
  const { app } = await build(t)
  const { profileId, token } = await profileOf(app)
  expectStatus(t, await app.inject({ method: 'POST', url: url('p_nobody'), payload: EXPLICIT }), 404, 'unknown profile')
  expectStatus(t, await app.inject({ method: 'POST', url: url(profileId, 'env_nope'), payload: EXPLICIT }), 404, 'unknown environment')
  expectStatus(t, await app.inject({ url: url('p_nobody') }), 404)
  const bad = await app.inject({
    method: 'POST',
    url: url(profileId),
    payload: {
      provider: 'BANKY',
      colour: 'red',
      metadata: {},
      accounts: [
        { name: '', balance: { current: 'lots' }, transactions: [{ date: '2026-02-30', amount: 1, description: 'x' }, { date: '2026-01-01', description: 'no amount' }] },
        { id: 'txn_wrongKind', name: 'OK', kind: 'PIGGY', balance: { current: 1 } }
      ]
    }
  })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), {
    colour: ['is not a known attribute'],
    provider: ['must be one of MOCK, PLAID, MX, FINICITY, AKOYA'],
    metadata: ['must have between 1 and 50 keys'],
    'accounts[0].name': ["can't be blank"],
    'accounts[0].balance.current': ['must be a number'],
    'accounts[0].transactions[0].date': ['must be a date as YYYY-MM-DD'],
    'accounts[0].transactions[1].amount': ["can't be blank"],
    'accounts[1].id': ['is invalid'],
    'accounts[1].kind': ['must be one of DEPOSITORY, CREDIT, INVESTMENT, LOAN']
  })
  const hostile = await app.inject({ method: 'POST', url: url(profileId), headers: { 'content-type': 'application/json' }, payload: '{"metadata": {"__proto__": {"x": 1}}, "accounts": [{"name": "A", "balance": {"current": 1}}]}' })
  t.ok([400, 422].includes(hostile.statusCode), `hostile metadata refused (${hostile.statusCode})`)
  const bodies = [
    {},
    { accounts: [] },
    { generate: { accounts: 0 } },
    { generate: { accounts: 3, transactionsPerAccount: 100_000 } },
    { generate: { accounts: 1 }, accounts: [] },
    []
  ]
  for (const body of bodies) {
    expectStatus(t, await app.inject({ method: 'POST', url: url(profileId), payload: body as object }), 422, JSON.stringify(body))
  }
  // A taken id: nothing of the second connection is written.
  const one = await app.inject({ method: 'POST', url: url(profileId), payload: { id: 'conn_fixed1', accounts: [{ id: 'acct_fixed1', name: 'A', balance: { current: 1 } }] } })
  expectStatus(t, one, 201)
  const again = await app.inject({ method: 'POST', url: url(profileId), payload: { accounts: [{ name: 'B', balance: { current: 1 } }, { id: 'acct_fixed1', name: 'C', balance: { current: 1 } }] } })
  expectStatus(t, again, 422)
  t.strictSame(again.json(), { 'accounts[1].id': ['has already been taken'] })
  t.equal((await app.inject({ url: url(profileId) })).json().connections.length, 1, 'nothing half-written')
  const accounts = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: '{ accounts { name } }' } })
  t.strictSame(accounts.json(), { data: { accounts: [{ name: 'A' }] } })
})

t.test('bank data goes with its profile, and with its environment\'s reset', async t => {
  const { app } = await build(t)
  const { profileId } = await profileOf(app)
  const seeded = await app.inject({ method: 'POST', url: url(profileId), payload: { generate: { accounts: 2, transactionsPerAccount: 50, seed: 1 } } })
  expectStatus(t, seeded, 201)
  const db = app.emulator.db
  const count = (table: string) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }
  t.equal(count('transactions').n, 100)
  t.ok(count('statements').n > 0)
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) }), 204)
  for (const table of ['connections', 'accounts', 'balances', 'transactions', 'holdings', 'statements']) t.equal(count(table).n, 0, `${table} deleted with the profile`)

  const other = await profileOf(app, 'bob@example.com')
  expectStatus(t, await app.inject({ method: 'POST', url: url(other.profileId), payload: { generate: { accounts: 4, transactionsPerAccount: 10, seed: 3 } } }), 201)
  t.ok(count('holdings').n > 0, 'the brokerage account holds securities')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: DEFAULT.environmentId } }), 200)
  for (const table of ['connections', 'accounts', 'balances', 'transactions', 'holdings', 'statements']) t.equal(count(table).n, 0, `${table} cleared with the environment`)
})

t.test('the `connections` key under a fixture profile: POST /emulator/v1/fixtures, a profile added over HTTP, and a fixture file', async t => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/emulator/v1/fixtures',
    payload: {
      environments: [{
        name: 'Bank',
        profiles: [{
          id: 'p_1BankFixture',
          email: 'fixture@example.com',
          sessions: 1,
          connections: [{ id: 'conn_1Fixture', accounts: [{ id: 'acct_1Fixture', name: 'Checking', balance: { current: 42 } }] }, { generate: { accounts: 2, transactionsPerAccount: 3, seed: 5 } }]
        }]
      }]
    }
  })
  expectStatus(t, res, 201)
  const env = res.json().environments[0]
  const list = (await app.inject({ url: url('p_1BankFixture', env.id) })).json().connections
  t.equal(list.length, 2)
  t.match(list[0], { id: 'conn_1Fixture', accounts: [{ id: 'acct_1Fixture', balance: { current: 42 } }] })
  t.equal(list[1].accounts.length, 2)
  const token = env.profiles[0].sessions[0].token
  const gql = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: '{ accounts { id } transactions { count } }' } })
  t.match(gql.json().data, { accounts: [{ id: 'acct_1Fixture' }, {}, {}], transactions: { count: 6 } })

  const bad = await app.inject({
    method: 'POST',
    url: '/emulator/v1/fixtures',
    payload: { environments: [{ name: 'Bad', profiles: [{ email: 'x@example.com', connections: [{ accounts: [{ name: 'A' }] }] }] }] }
  })
  expectStatus(t, bad, 422)
  t.strictSame(bad.json(), { 'environments.0.profiles.0.connections.0.accounts[0].balance': ["can't be blank"] })
  t.notOk((await app.inject({ url: '/emulator/v1/environments' })).json().environments.some((e: { name: string }) => e.name === 'Bad'), 'nothing half-written')
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/fixtures', payload: { environments: [{ name: 'Bad2', profiles: [{ email: 'y@example.com', connections: 'lots' }] }] } }), 422)

  const added = await app.inject({ method: 'POST', url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles`, payload: { email: 'added@example.com', connections: [{ generate: { accounts: 1, transactionsPerAccount: 2 } }] } })
  expectStatus(t, added, 201)
  t.equal((await app.inject({ url: url(added.json().id) })).json().connections[0].accounts[0].transactionCount, 2)
})

t.test('a fixture file seeds its profiles\' connections at start, and again on reset', async t => {
  const dir = t.testdir()
  const file = join(dir, 'bank.json')
  writeFileSync(file, JSON.stringify({
    environments: [{ id: 'env_1BankFile', name: 'Bank file', clientId: 'bankfile01', profiles: [{ id: 'p_1FromFile', email: 'file@example.com', connections: [{ institution: { name: 'Juniper Trust & Savings' }, generate: { accounts: 3, transactionsPerAccount: 4, seed: 42 } }] }] }]
  }))
  const { app } = await build(t, { fixtures: file })
  const first = (await app.inject({ url: url('p_1FromFile', 'env_1BankFile') })).json().connections
  t.match(first, [{ institution: { name: 'Juniper Trust & Savings' }, accounts: [{ name: 'Everyday Checking' }, { name: 'High-Yield Savings' }, { name: 'Cash Rewards Visa' }] }])
  expectStatus(t, await app.inject({ method: 'POST', url: '/emulator/v1/reset', payload: { environmentId: 'env_1BankFile' } }), 200)
  const again = (await app.inject({ url: url('p_1FromFile', 'env_1BankFile') })).json().connections
  t.equal(again.length, 1, 'reset reloads the fixture, connections included')
  t.strictSame(again[0].accounts.map((a: { name: string, balance: { current: number } }) => [a.name, a.balance.current]), first[0].accounts.map((a: { name: string, balance: { current: number } }) => [a.name, a.balance.current]), 'the same generated data')
})
