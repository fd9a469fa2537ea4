// Bank data over GraphQL: Quiltt's roots and objects, Relay pagination, filters and sorts, who sees
// what (session token, Basic profileId:secret), and the mutations with their payloads.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, DEFAULT, expectStatus } from './helper.js'
import { profileOf } from './bank-seeding.test.js'

const seedUrl = (profileId: string) => `/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${profileId}/connections`
const gql = async (app: FastifyInstance, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers, payload: { query, variables } })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json() as { data?: Record<string, any>, errors?: Array<{ message: string, path?: string[] }> }
}
const basic = (profileId: string) => ({ authorization: `Basic ${Buffer.from(`${profileId}:${DEFAULT.secret}`).toString('base64')}` })

async function seeded (app: FastifyInstance, email = 'alice@example.com') {
  const p = await profileOf(app, email)
  const res = await app.inject({
    method: 'POST',
    url: seedUrl(p.profileId),
    payload: {
      id: 'conn_aliceMain',
      institution: { name: 'First Platypus Bank' },
      accounts: [
        {
          id: 'acct_aliceChecking',
          name: 'Everyday Checking',
          mask: '1234',
          balance: { current: 1520.33, available: 1490.1 },
          transactions: Array.from({ length: 30 }, (_, i) => ({
            id: `txn_alice${String(i).padStart(2, '0')}`,
            date: `2025-12-${String(i + 1).padStart(2, '0')}`,
            amount: i % 3 === 0 ? 100 + i : -(10 + i),
            description: i % 2 === 0 ? `Corner Bean Coffee ${i}` : `Fresh Fields Market ${i}`,
            status: i >= 28 ? 'PENDING' : 'POSTED'
          }))
        },
        { id: 'acct_aliceCard', name: 'Cash Rewards Visa', kind: 'CREDIT', balance: { current: -420.5, limit: 5000 }, transactions: [{ id: 'txn_aliceCard1', date: '2025-11-15', amount: -99.99, description: 'Skyway Airlines' }] }
      ]
    }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return p
}

t.test('the template\'s dashboard query lists the seeded accounts with their balances; objects carry Quiltt\'s fields', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  t.strictSame(await gql(app, bearer(token), '{ accounts { id name balance { current } } }'), {
    data: { accounts: [{ id: 'acct_aliceChecking', name: 'Everyday Checking', balance: { current: 1520.33 } }, { id: 'acct_aliceCard', name: 'Cash Rewards Visa', balance: { current: -420.5 } }] }
  })
  const full = await gql(app, bearer(token), `{
    connections { id provider status products externallyManaged oauth metadata institution { id name logo { url } } accounts { id } }
    account(id: "acct_aliceCard") { id name mask kind taxonomy currencyCode state verified provider transactedFirstOn transactedLastOn
      institution { name } connection { id } balance { id at current available limit source } owners { id } }
    transaction(id: "txn_alice00") { id date amount description status entryType kind currencyCode provider account { id } fees price quantity security { name } }
  }`)
  t.equal(full.errors, undefined)
  t.strictSame(full.data!.connections, [{
    id: 'conn_aliceMain',
    provider: 'MOCK',
    status: 'SYNCED',
    products: ['ACCOUNT_BALANCES_AND_TRANSACTIONS', 'ACCOUNT_BALANCE_REFRESHES', 'ACCOUNT_NUMBERS', 'ACCOUNT_STATEMENTS', 'LIABILITIES'],
    externallyManaged: false,
    oauth: false,
    metadata: null,
    institution: { id: 'inst_mock_first-platypus-bank', name: 'First Platypus Bank', logo: null },
    accounts: [{ id: 'acct_aliceChecking' }, { id: 'acct_aliceCard' }]
  }])
  t.match(full.data!.account, {
    id: 'acct_aliceCard',
    name: 'Cash Rewards Visa',
    mask: null,
    kind: 'CREDIT',
    taxonomy: ['LIABILITY', 'CREDIT', 'CARD'],
    currencyCode: 'USD',
    state: 'OPEN',
    verified: false,
    provider: 'MOCK',
    transactedFirstOn: '2025-11-15',
    transactedLastOn: '2025-11-15',
    institution: { name: 'First Platypus Bank' },
    connection: { id: 'conn_aliceMain' },
    balance: { current: -420.5, available: null, limit: 5000, source: 'INITIAL', at: '2026-01-01T12:00:00Z' },
    owners: null
  })
  t.strictSame(full.data!.transaction, { id: 'txn_alice00', date: '2025-12-01', amount: 100, description: 'Corner Bean Coffee 0', status: 'POSTED', entryType: 'CREDIT', kind: 'DEPOSITORY', currencyCode: 'USD', provider: 'MOCK', account: { id: 'acct_aliceChecking' }, fees: null, price: null, quantity: null, security: null })
})

t.test('Relay pages: count, nodes, edges, pageInfo; first/after forward, last/before backward; stable opaque cursors', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  const PAGE = 'query ($first: Int, $after: String, $last: Int, $before: String) { transactions(first: $first, after: $after, last: $last, before: $before, filter: {accountIds: ["acct_aliceChecking"]}) { count nodes { id } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }'
  const ids: string[] = []
  let after: string | null = null
  let pages = 0
  for (;;) {
    const { data } = await gql(app, bearer(token), PAGE, { first: 7, after })
    const c = data!.transactions
    t.equal(c.count, 30)
    t.strictSame(c.edges.map((e: { node: { id: string } }) => e.node.id), c.nodes.map((n: { id: string }) => n.id))
    t.equal(c.pageInfo.endCursor, c.edges.at(-1).cursor)
    t.equal(c.pageInfo.hasPreviousPage, after !== null)
    ids.push(...c.nodes.map((n: { id: string }) => n.id))
    pages++
    if (!c.pageInfo.hasNextPage) break
    after = c.pageInfo.endCursor
  }
  t.equal(pages, 5)
  t.equal(ids.length, 30)
  t.equal(new Set(ids).size, 30)
  t.strictSame(ids.slice(0, 3), ['txn_alice29', 'txn_alice28', 'txn_alice27'], 'DATE_DESC by default: pending first, then newest')

  const back = await gql(app, bearer(token), PAGE, { last: 5, before: null })
  t.strictSame(back.data!.transactions.nodes.map((n: { id: string }) => n.id), ids.slice(25), 'last 5')
  t.equal(back.data!.transactions.pageInfo.hasPreviousPage, true)
  t.equal(back.data!.transactions.pageInfo.hasNextPage, false)
  const before = await gql(app, bearer(token), PAGE, { last: 3, before: back.data!.transactions.pageInfo.startCursor })
  t.strictSame(before.data!.transactions.nodes.map((n: { id: string }) => n.id), ids.slice(22, 25))
  t.equal(before.data!.transactions.pageInfo.hasNextPage, true)

  // A cursor stays valid when records are added before it.
  const first = await gql(app, bearer(token), PAGE, { first: 10 })
  await app.inject({ method: 'POST', url: seedUrl((await gql(app, bearer(token), '{ profile { id } }')).data!.profile.id), payload: { accounts: [{ name: 'X', balance: { current: 1 }, transactions: [{ date: '2025-12-31', amount: 1, description: 'new' }] }] } })
  const next = await gql(app, bearer(token), PAGE, { first: 5, after: first.data!.transactions.pageInfo.endCursor })
  t.strictSame(next.data!.transactions.nodes.map((n: { id: string }) => n.id), ids.slice(10, 15), 'stable cursors')
})

t.test('page errors: bad cursor, a cursor of another query, huge pages, first and last together, bad dates', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  const errorOf = async (query: string, variables?: Record<string, unknown>) => {
    const res = await gql(app, bearer(token), query, variables)
    t.ok(res.errors, query)
    return res.errors![0]!.message
  }
  t.match(await errorOf('{ transactions(after: "nonsense") { count } }'), /`after` is not a cursor/)
  const cursor = (await gql(app, bearer(token), '{ transactions(first: 1, sort: DATE_ASC) { pageInfo { endCursor } } }')).data!.transactions.pageInfo.endCursor
  t.match(await errorOf('query ($c: String) { transactions(first: 1, after: $c) { count } }', { c: cursor }), /`after` is a cursor of another query/)
  t.match(await errorOf('query ($c: String) { statements(after: $c) { count } }', { c: cursor }), /cursor of another query/)
  t.match(await errorOf('{ transactions(first: 101) { count } }'), /`first` must be between 0 and 100/)
  t.match(await errorOf('{ transactions(last: 1000000) { count } }'), /`last` must be between 0 and 100/)
  t.match(await errorOf('{ transactions(first: -1) { count } }'), /between 0 and 100/)
  t.match(await errorOf('{ transactions(first: 1, last: 1) { count } }'), /`first` or `last`, not both/)
  t.match(await errorOf('{ transactions(filter: {date_gte: "yesterday"}) { count } }'), /filter.date_gte` must be a date/)
  const none = await gql(app, bearer(token), '{ transactions(first: 0) { count nodes { id } pageInfo { hasNextPage startCursor } } }')
  t.strictSame(none.data, { transactions: { count: 31, nodes: [], pageInfo: { hasNextPage: true, startCursor: null } } })
})

t.test('filters and sorts', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  const ids = async (args: string) => (await gql(app, bearer(token), `{ transactions(first: 100, ${args}) { count nodes { id } } }`)).data!.transactions
  t.equal((await ids('filter: {accountIds: ["acct_aliceCard"]}')).count, 1)
  t.equal((await ids('filter: {status: [PENDING]}')).count, 2)
  t.equal((await ids('filter: {entryType: CREDIT}')).count, 10)
  t.equal((await ids('filter: {entryType: DEBIT, status: [POSTED]}')).count, 19)
  t.equal((await ids('filter: {date_gte: "2025-12-10", date_lte: "2025-12-19"}')).count, 10)
  t.equal((await ids('filter: {amount_gte: 100, amount_lte: 110}')).count, 4)
  t.equal((await ids('filter: {amount_abs_gt: 99}')).count, 11)
  t.equal((await ids('filter: {kind: [CREDIT]}')).count, 1)
  t.equal((await ids('filter: {kind_not: [CREDIT]}')).count, 30)
  t.equal((await ids('search: {term: "coffee"}')).count, 15)
  const asc = await ids('sort: DATE_ASC, filter: {accountIds: ["acct_aliceChecking"]}')
  t.strictSame(asc.nodes.slice(0, 2).map((n: { id: string }) => n.id), ['txn_alice00', 'txn_alice01'])
  t.strictSame(asc.nodes.slice(-2).map((n: { id: string }) => n.id), ['txn_alice28', 'txn_alice29'], 'pending last when ascending')
  const accounts = async (args: string) => (await gql(app, bearer(token), `{ accounts(${args}) { id } }`)).data!.accounts.map((a: { id: string }) => a.id)
  t.strictSame(await accounts('filter: {kind: [CREDIT]}'), ['acct_aliceCard'])
  t.strictSame(await accounts('filter: {verified: true}'), ['acct_aliceChecking'])
  t.strictSame(await accounts('filter: {connection_status: [ERROR_REPAIRABLE, DISCONNECTED]}'), [])
  t.strictSame(await accounts('sort: LAST_TRANSACTED_ON_ASC'), ['acct_aliceCard', 'acct_aliceChecking'])
  t.strictSame(await accounts('sort: LAST_TRANSACTED_ON_DESC'), ['acct_aliceChecking', 'acct_aliceCard'])
  t.strictSame(await accounts('filter: {transactedLastOn_gte: "2025-12-01"}'), ['acct_aliceChecking'])
  t.strictSame((await gql(app, bearer(token), '{ connections(filter: {status: [SYNCED], provider: [MOCK]}) { id } }')).data!.connections, [{ id: 'conn_aliceMain' }])
  t.strictSame((await gql(app, bearer(token), '{ connections(filter: {status_not: [SYNCED]}) { id } }')).data!.connections, [])
  const nested = await gql(app, bearer(token), '{ account(id: "acct_aliceChecking") { transactions(first: 2, filter: {status: [POSTED]}, sort: DATE_DESC) { count nodes { id } } } }')
  t.strictSame(nested.data!.account.transactions, { count: 28, nodes: [{ id: 'txn_alice27' }, { id: 'txn_alice26' }] })
})

t.test('a session token sees its own profile only; Basic profileId:secret the named one; another profile\'s id is null', async t => {
  const { app } = await build(t)
  const alice = await seeded(app)
  const bob = await profileOf(app, 'bob@example.com')
  const Q = '{ accounts { id } connections { id } transactions { count } account(id: "acct_aliceChecking") { id } connection(id: "conn_aliceMain") { id } transaction(id: "txn_alice00") { id } }'
  t.strictSame(await gql(app, bearer(bob.token), Q), {
    data: { accounts: [], connections: [], transactions: { count: 0 }, account: null, connection: null, transaction: null }
  })
  t.strictSame((await gql(app, basic(alice.profileId), Q)).data, { accounts: [{ id: 'acct_aliceChecking' }, { id: 'acct_aliceCard' }], connections: [{ id: 'conn_aliceMain' }], transactions: { count: 31 }, account: { id: 'acct_aliceChecking' }, connection: { id: 'conn_aliceMain' }, transaction: { id: 'txn_alice00' } })
  t.strictSame((await gql(app, basic(bob.profileId), Q)).data!.account, null)
  // Bob cannot change Alice's records either.
  const update = await gql(app, bearer(bob.token), 'mutation { accountUpdate(input: {id: "acct_aliceChecking", metadata: {x: 1}}) { success record { id } errors { message path } } }')
  t.strictSame(update.data!.accountUpdate, { success: false, record: null, errors: [{ message: 'id does not name a record of this profile', path: ['id'] }] })
})

t.test('mutations: payloads with success, record, errors; connectionDisconnect\'s errors are GraphQL errors', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  const m = (q: string) => gql(app, bearer(token), `mutation { ${q} }`)
  t.strictSame((await m('accountUpdate(input: {id: "acct_aliceChecking", metadata: {nickname: "Bills"}, clientMutationId: "c1"}) { success clientMutationId errors { message } record { id metadata } }')).data!.accountUpdate,
    { success: true, clientMutationId: 'c1', errors: null, record: { id: 'acct_aliceChecking', metadata: { nickname: 'Bills' } } })
  t.strictSame((await gql(app, bearer(token), '{ accounts(filter: {metadata: {nickname: "Bills"}}) { id } }')).data!.accounts, [{ id: 'acct_aliceChecking' }], 'filter by metadata')
  t.strictSame((await m('transactionUpdate(input: {id: "txn_alice03", metadata: {category: "rent"}}) { success record { id metadata } }')).data!.transactionUpdate,
    { success: true, record: { id: 'txn_alice03', metadata: { category: 'rent' } } })
  t.strictSame((await gql(app, bearer(token), '{ transactions(filter: {metadata: {category: "rent"}}) { nodes { id } } }')).data!.transactions.nodes, [{ id: 'txn_alice03' }])
  t.strictSame((await m('connectionUpdate(input: {id: "conn_aliceMain", metadata: {internalId: 7}}) { success record { metadata } }')).data!.connectionUpdate, { success: true, record: { metadata: { internalId: 7 } } })
  const invalid = await m('connectionUpdate(input: {id: "conn_aliceMain", metadata: {}}) { success record { id } errors { message path } }')
  t.strictSame(invalid.data!.connectionUpdate, { success: false, record: null, errors: [{ message: 'metadata must have between 1 and 50 keys', path: ['metadata'] }] })
  // A JSON body cannot carry a prototype key (a 400 before GraphQL); a GraphQL literal can, and is refused the same way.
  const hostile = await gql(app, bearer(token), 'mutation { accountUpdate(input: {id: "acct_aliceChecking", metadata: {constructor: {prototype: {x: 1}}}}) { success errors { message path } } }')
  t.match(hostile.data!.accountUpdate, { success: false, errors: [{ path: ['metadata'] }] })

  t.strictSame((await m('connectionSimulateError(input: {id: "conn_aliceMain"}) { success record { id status } errors { message } }')).data!.connectionSimulateError,
    { success: true, record: { id: 'conn_aliceMain', status: 'ERROR_REPAIRABLE' }, errors: null })
  t.strictSame((await gql(app, bearer(token), '{ accounts(filter: {connection_status: [ERROR_REPAIRABLE]}) { id } }')).data!.accounts.length, 2)
  t.strictSame((await m('connectionDisconnect(input: {id: "conn_aliceMain"}) { success record { id status } }')).data!.connectionDisconnect, { success: true, record: { id: 'conn_aliceMain', status: 'DISCONNECTED' } })
  const again = await m('connectionDisconnect(input: {id: "conn_aliceMain"}) { success record { id } }')
  t.strictSame(again.data, { connectionDisconnect: null })
  t.match(again.errors, [{ message: 'connectionDisconnect: id is already disconnected', path: ['connectionDisconnect'] }])
  const unknown = await m('connectionDisconnect(input: {id: "conn_nope"}) { success }')
  t.match(unknown.errors, [{ message: 'connectionDisconnect: id does not name a record of this profile' }])
  t.strictSame((await m('connectionSimulateError(input: {id: "conn_aliceMain"}) { success errors { message path } }')).data!.connectionSimulateError,
    { success: false, errors: [{ message: 'id is disconnected: an error can be simulated on an active connection only', path: ['id'] }] })
  t.strictSame((await m('transactionUpdate(input: {id: "1 OR 1=1", metadata: {a: 1}}) { success errors { path } }')).data!.transactionUpdate, { success: false, errors: [{ path: ['id'] }] }, 'a bad id is never a 500')
})

t.test('holdings and statements', async t => {
  const { app } = await build(t)
  const p = await profileOf(app)
  expectStatus(t, await app.inject({ method: 'POST', url: seedUrl(p.profileId), payload: { generate: { accounts: 4, transactionsPerAccount: 5, seed: 9 } } }), 201)
  const res = await gql(app, bearer(p.token), `{
    holdings(first: 2) { count nodes { id at price quantity value security { name tickerSymbol } } pageInfo { hasNextPage } }
    statements(first: 3, sort: DATE_DESC) { count nodes { id startOn endOn url account { name } } }
    older: statements(first: 1, sort: DATE_ASC, filter: {issuedFor: {month: "7", year: "2025"}}) { nodes { startOn endOn } }
  }`)
  t.equal(res.errors, undefined)
  const { holdings, statements, older } = res.data!
  t.ok(holdings.count >= 3)
  t.equal(holdings.nodes.length, 2)
  t.equal(holdings.pageInfo.hasNextPage, true)
  t.match(holdings.nodes[0], { id: /^hld_1/, price: Number, quantity: Number, security: { name: String, tickerSymbol: String } })
  t.equal(holdings.nodes[0].value, Math.round(holdings.nodes[0].price * holdings.nodes[0].quantity * 100) / 100)
  t.equal(statements.count, 18, 'six months for checking, savings and the card')
  t.match(statements.nodes[0], { id: /^stmt_1/, startOn: '2025-12-01', endOn: '2025-12-31', url: /^https:\/\/.+\.pdf$/ })
  t.strictSame(older.nodes, [{ startOn: '2025-07-01', endOn: '2025-07-31' }])
  const stmtId = statements.nodes[0].id
  t.match((await gql(app, bearer(p.token), `{ statement(id: "${stmtId}") { id account { id } } holding(id: "${holdings.nodes[0].id}") { id } }`)).data, { statement: { id: stmtId }, holding: { id: holdings.nodes[0].id } })
})

t.test('one root value serves every request: viewers in turn (session token, Basic, a batch) each see their own profile only', async t => {
  const { app } = await build(t)
  const alice = await seeded(app)
  const bob = await profileOf(app, 'bob@example.com')
  expectStatus(t, await app.inject({ method: 'POST', url: seedUrl(bob.profileId), payload: { generate: { accounts: 1, transactionsPerAccount: 5, seed: 7 } } }), 201)
  const Q = `{ profile { id } accounts { id provider } transactions(first: 3) { nodes { id provider account { id } } pageInfo { endCursor } }
    transaction(id: "txn_alice00") { id provider account { id } } account(id: "acct_aliceChecking") { id transactions(first: 1) { nodes { id } } } }`
  const a = await gql(app, bearer(alice.token), Q)
  const b = await gql(app, bearer(bob.token), Q)
  t.equal(a.errors, undefined)
  t.equal(b.errors, undefined)
  t.equal(a.data!.profile.id, alice.profileId)
  t.equal(b.data!.profile.id, bob.profileId)
  t.strictSame(a.data!.accounts.map((x: { id: string }) => x.id), ['acct_aliceChecking', 'acct_aliceCard'])
  t.strictSame(a.data!.transactions.nodes.map((n: { id: string }) => n.id), ['txn_alice29', 'txn_alice28', 'txn_alice27'])
  t.strictSame(a.data!.transaction, { id: 'txn_alice00', provider: 'MOCK', account: { id: 'acct_aliceChecking' } })
  t.strictSame(a.data!.account.transactions.nodes, [{ id: 'txn_alice29' }])
  const bobAccounts = b.data!.accounts.map((x: { id: string }) => x.id)
  t.equal(bobAccounts.length, 1)
  t.notOk(bobAccounts.includes('acct_aliceChecking'))
  t.equal(b.data!.transactions.nodes.length, 3)
  for (const n of b.data!.transactions.nodes) {
    t.notMatch(n.id, /^txn_alice/)
    t.equal(n.account.id, bobAccounts[0])
  }
  t.equal(b.data!.transaction, null, 'alice\'s transaction is null to bob')
  t.equal(b.data!.account, null, 'alice\'s account is null to bob')
  // Alternating, and through Basic profileId:secret, every answer stays the viewer's own.
  for (let i = 0; i < 3; i++) {
    t.strictSame(await gql(app, bearer(bob.token), Q), b)
    t.strictSame(await gql(app, bearer(alice.token), Q), a)
    t.strictSame(await gql(app, basic(bob.profileId), Q), b)
    t.strictSame(await gql(app, basic(alice.profileId), Q), a)
  }
  // Two batches in a row: each request's scope is its own.
  const batch = async (token: string) => (await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: [{ query: Q }, { query: Q }] })).json()
  t.strictSame(await batch(alice.token), [a, a])
  t.strictSame(await batch(bob.token), [b, b])
})

t.test('a transactions page reads only the columns its query asks for, and answers every field of Transaction, relations too', async t => {
  const { app } = await build(t)
  const { token } = await seeded(app)
  const ask = async (query: string) => {
    const res = await gql(app, bearer(token), query)
    t.equal(res.errors, undefined, query)
    return res.data!
  }
  await ask('mutation { transactionUpdate(input: {id: "txn_alice29", metadata: {tag: "x"}}) { success } }')
  const FIELDS = 'id date amount description status entryType kind currencyCode metadata provider account { id name } fees price quantity security { name } logo { url } __typename'
  // By id (the whole row) and in a page (only what is asked), every field answers the same.
  const full = (await ask(`{ transactions(first: 3) { nodes { ${FIELDS} } } }`)).transactions.nodes
  t.equal(full.length, 3)
  for (const node of full) t.strictSame((await ask(`{ transaction(id: "${node.id}") { ${FIELDS} } }`)).transaction, node)
  t.strictSame(full[0], {
    id: 'txn_alice29',
    date: '2025-12-30',
    amount: -39,
    description: 'Fresh Fields Market 29',
    status: 'PENDING',
    entryType: 'DEBIT',
    kind: 'DEPOSITORY',
    currencyCode: 'USD',
    metadata: { tag: 'x' },
    provider: 'MOCK',
    account: { id: 'acct_aliceChecking', name: 'Everyday Checking' },
    fees: null,
    price: null,
    quantity: null,
    security: null,
    logo: null,
    __typename: 'Transaction'
  })
  const pick = (keys: string[]) => full.map((n: Record<string, unknown>) => Object.fromEntries(keys.map(k => [k, n[k]])))
  t.strictSame((await ask('{ transactions(first: 3) { nodes { id } } }')).transactions.nodes, pick(['id']))
  t.strictSame((await ask('{ transactions(first: 3) { nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }')).transactions.nodes,
    pick(['id', 'date', 'amount', 'description', 'status']))
  // Through edges, fragments and inline fragments.
  const viaEdges = await ask(`{ transactions(first: 3) { edges { cursor node { ...T ... on Transaction { metadata } __typename } } } }
    fragment T on Transaction { amount provider account { id } }`)
  t.strictSame(viaEdges.transactions.edges.map((e: { node: unknown }) => e.node), full.map((n: Record<string, any>) =>
    ({ amount: n.amount, provider: n.provider, account: { id: n.account.id }, metadata: n.metadata, __typename: 'Transaction' })))
  // Aliases and merged fields: each field of the answer reads what all its selections ask.
  const merged = await ask('{ a: transactions(first: 3) { nodes { id } } b: transactions(first: 3) { nodes { kind } } transactions(first: 3) { nodes { id } } transactions(first: 3) { nodes { entryType account { id } } } }')
  t.strictSame(merged.a.nodes, pick(['id']))
  t.strictSame(merged.b.nodes, pick(['kind']))
  t.strictSame(merged.transactions.nodes, full.map((n: Record<string, any>) => ({ id: n.id, entryType: n.entryType, account: { id: n.account.id } })))
  // One fragment spread where it is alone and where it meets a sibling: the same field node, two shapes.
  const SPREAD = `fragment T on Account { transactions(first: 2) { nodes { id } } }
    query Q { account(id: "acct_aliceChecking") { ...T } accounts { ...T transactions(first: 2) { nodes { description } } } }`
  for (let i = 0; i < 2; i++) {
    const spread = await ask(SPREAD)
    t.strictSame(spread.account.transactions.nodes, pick(['id']).slice(0, 2))
    t.strictSame(spread.accounts[0].transactions.nodes, pick(['id', 'description']).slice(0, 2))
  }
})
