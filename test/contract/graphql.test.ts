// The Quiltt contract check's GraphQL part: hand-made pacts with /v1/graphql interactions against
// Quiltt's 2026-04-01 GraphQL schema (the reference SDL, copied byte for byte into test/quiltt/).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GraphQLSchema } from 'graphql'
import t from 'tap'
import { checkPactAgainstQuiltt, type Finding, type QuilttContractCheck } from '../../server/index.js'
import { ROOT } from '../../server/paths.js'
import { checkPact } from '../../server/contract/check.js'
import { loadQuilttFacts } from '../../server/contract/facts.js'
import { loadQuilttGraphQL, readQuilttGraphQL } from '../../server/contract/graphql.js'
import { graphqlJs } from '../../server/graphql/schema.js'
import { buildReport, formatReport } from '../../server/contract/report.js'

const REFERENCE = join(ROOT, 'test', 'quiltt', 'quiltt-data-plane.reference.graphql')
const schema = readQuilttGraphQL(REFERENCE)
const check = (pact: unknown): QuilttContractCheck => checkPact(pact, loadQuilttFacts(), () => schema)

const SESSION = { Authorization: 'Bearer eyJhbGciOiJIUzUxMiJ9.e30.c2lnbmF0dXJl', 'Content-Type': 'application/json' }
type Rules = Record<string, unknown>
interface Gql { method?: string, path?: string, headers?: Record<string, string>, body?: unknown, query?: unknown, status?: number, resHeaders?: Record<string, string>, resBody?: unknown, rules?: Rules }

/** A v3 pact of GraphQL interactions. */
function v3 (...interactions: Gql[]): unknown {
  return {
    consumer: { name: 'my-app' },
    provider: { name: 'quiltt' },
    metadata: { pactSpecification: { version: '3.0.0' } },
    interactions: interactions.map((i, n) => ({
      description: `interaction ${n + 1}`,
      request: { method: i.method ?? 'POST', path: i.path ?? '/v1/graphql', headers: i.headers ?? SESSION, ...(i.body !== undefined ? { body: i.body } : {}), ...(i.query !== undefined ? { query: i.query } : {}) },
      response: {
        status: i.status ?? 200,
        headers: i.resHeaders ?? { 'Content-Type': 'application/json; charset=utf-8' },
        ...(i.resBody !== undefined ? { body: i.resBody } : {}),
        ...(i.rules ? { matchingRules: { body: i.rules } } : {})
      }
    }))
  }
}

const m = (...matchers: Array<Record<string, unknown>>) => ({ combine: 'AND', matchers })
/** One operation POSTed as JSON, answered with `resBody`. */
const ask = (query: string, resBody?: unknown, extra: Partial<Gql> & { variables?: unknown, operationName?: string } = {}): Gql => {
  const { variables, operationName, ...rest } = extra
  return { body: { query, ...(variables !== undefined ? { variables } : {}), ...(operationName !== undefined ? { operationName } : {}) }, ...(resBody !== undefined ? { resBody } : {}), ...rest }
}

/** A schema's types, fields, arguments and nullability, in order: its SDL without descriptions. */
function shape (s: GraphQLSchema): string {
  const { lexicographicSortSchema, parse, print, printSchema, visit } = graphqlJs()
  return print(visit(parse(printSchema(lexicographicSortSchema(s))), { enter: node => 'description' in node && node.description ? { ...node, description: undefined } : undefined }))
}

const findings = (c: QuilttContractCheck): Finding[] => c.interactions.flatMap(i => i.findings)
const only = (c: QuilttContractCheck, kind: Finding['kind']): Finding[] => findings(c).filter(f => f.kind === kind)
const where = (fs: Finding[]): string[] => fs.map(f => `${f.at} ${f.path}`)

const DASHBOARD = 'query { accounts { id name balance { current } } }'
const account = { id: 'acct_1hyoxpVVFib1HngGwKAzIr', name: 'Everyday Checking', balance: { current: 1523.42 } }

t.test('the template\'s dashboard query and an answer that fits it: checked, nothing to report', async t => {
  const c = check(v3(
    ask(DASHBOARD, { data: { accounts: [account] } }),
    ask('query AccountsQuery { accounts { id name balance { current } } }', { data: { accounts: [account, { ...account, balance: null }] } }),
    ask('{ transactions(first: 50) { nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }', {
      data: { transactions: { nodes: [{ id: 'txn_1', date: '2026-03-31', amount: -12.5, description: 'Blue Bottle Coffee', status: 'POSTED' }], pageInfo: { endCursor: 'MQ', hasNextPage: true } } }
    })
  ))
  t.strictSame(findings(c), [])
  t.strictSame(c.interactions.map(i => [i.checked, i.operation]), [
    [true, 'POST /v1/graphql (query)'],
    [true, 'POST /v1/graphql (query AccountsQuery)'],
    [true, 'POST /v1/graphql (query)']
  ])
  t.strictSame(c.graphqlDocument, { source: 'quiltt-data-plane.reference.graphql', sourceSha256: createHash('sha256').update(readFileSync(REFERENCE)).digest('hex'), apiVersion: '2026-04-01' })
})

t.test('checkPactAgainstQuiltt reads GraphQL against the 2026-04-01 schema', async t => {
  const c = checkPactAgainstQuiltt(v3(ask('{ accounts { id type } }', { data: { accounts: [] } })))
  t.equal(c.graphqlDocument?.apiVersion, '2026-04-01')
  t.equal(c.graphqlDocument?.sourceSha256, loadQuilttGraphQL().document.sourceSha256)
  t.equal(shape(loadQuilttGraphQL().schema), shape(schema.schema), 'the schema it loads is the reference\'s: every type, field, argument and nullability')
  t.match(only(c, 'conflict'), [{ at: 'request.body', path: '$.query', expected: 'sends `type` (line 1, column 17 of the query)', documented: 'Quiltt\'s GraphQL schema: Cannot query field "type" on type "Account".' }],
    'Account.type, which 2026-04-01 removed, is a conflict')
  t.notOk(checkPactAgainstQuiltt(v3({ method: 'GET', path: '/v1/profiles', headers: { Authorization: 'Bearer sk_x' }, resBody: [] })).graphqlDocument, 'no schema named where no GraphQL was read')
})

t.test('the query must parse and validate against Quiltt\'s schema; 2024 names are conflicts', async t => {
  const cases: Array<[string, string[], RegExp?]> = [
    ['{ accounts { id origin } }', ['$.query'], /Cannot query field "origin" on type "Account"/],
    ['{ connections { id features } }', ['$.query'], /Cannot query field "features" on type "Connection"/],
    ['{ transactions(filter: { status: PROJECTED }) { count } }', ['$.query'], /Value "PROJECTED" does not exist in "TransactionStatus" enum/],
    ['{ transactions(first: "fifty") { count } }', ['$.query'], /Int cannot represent non-integer value: "fifty"/],
    ['{ account { id } }', ['$.query'], /argument "id" of type "ID!" is required/],
    ['{ accounts }', ['$.query'], /must have a selection of subfields/],
    ['{ accounts { id }', ['$.query'], /^GraphQL's grammar: Expected Name, found <EOF>/],
    ['{ connections { products status } }', []],
    ['query { profile { id email } }', []]
  ]
  for (const [query, paths, message] of cases) {
    const c = check(v3(ask(query, { data: {} })))
    t.strictSame(where(only(c, 'conflict')).map(w => w.replace('request.body ', '')), paths, query)
    if (message) t.match(only(c, 'conflict')[0]?.documented, message)
  }
  t.match(only(check(v3(ask('{ accounts { id }', { data: {} }))), 'conflict')[0], { expected: 'sends a query that does not parse (line 1, column 18)' })
})

t.test('the answer fits the selection set: selected keys only, each of its field\'s type', async t => {
  const one = (query: string, data: unknown) => check(v3(ask(query, { data })))
  // Keys: a field, an alias, __typename; not an unselected field, not a field Quiltt does not have.
  t.strictSame(findings(one('{ accounts { id label: name __typename } }', { accounts: [{ id: 'acct_1', label: 'Checking', __typename: 'Account' }] })), [])
  const unselected = only(one('{ accounts { id } }', { accounts: [{ id: 'acct_1', name: 'Checking', type: 'DEPOSITORY' }] }), 'conflict')
  t.strictSame(unselected.map(f => [f.path, f.expected, f.documented]), [
    ['$.data.accounts[0].name', 'a field `name`', 'the query does not select `name` on Account (it selects id)'],
    ['$.data.accounts[0].type', 'a field `type`', 'Account has no field `type` in Quiltt\'s GraphQL schema, and the query does not select it (it selects id)']
  ])
  t.strictSame(where(only(one('{ accounts { label: name } }', { accounts: [{ name: 'Checking' }] }), 'conflict')), ['response.body $.data.accounts[0].name'], 'an aliased field answers under its alias')
  t.match(only(one('{ accounts { id __typename } }', { accounts: [{ id: 'acct_1', __typename: 'Connection' }] }), 'conflict'), [{ path: '$.data.accounts[0].__typename', documented: 'Account.__typename is String! (the type\'s name: one of "Account")' }])

  // Types: every scalar, enums, lists, nullability.
  const type = (query: string, data: unknown): Array<[string, string]> => only(one(query, data), 'conflict').map(f => [f.path, f.documented])
  t.strictSame(type('{ accounts { id name mask verified } }', { accounts: [{ id: 42, name: 7, mask: null, verified: 'yes' }] }), [
    ['$.data.accounts[0].id', 'Account.id is ID! (a string; GraphQL writes IDs as strings)'],
    ['$.data.accounts[0].name', 'Account.name is String! (a string)'],
    ['$.data.accounts[0].verified', 'Account.verified is Boolean! (a boolean)']
  ], 'ID, String, Boolean; a nullable String may be null')
  t.strictSame(type('{ transactions { count nodes { amount } } }', { transactions: { count: 2.5, nodes: [{ amount: '12.50' }] } }), [
    ['$.data.transactions.count', 'TransactionConnection.count is Int! (a 32-bit integer)'],
    ['$.data.transactions.nodes[0].amount', 'Transaction.amount is Float! (a number)']
  ], 'Int, Float')
  t.match(type('{ transactions { count } }', { transactions: { count: 2 ** 31 } }), [['$.data.transactions.count', 'TransactionConnection.count is a number of at most 2147483647']], 'Int is 32 bits')
  t.strictSame(type('{ transactions { nodes { status entryType } } }', { transactions: { nodes: [{ status: 'PROJECTED', entryType: 'DEBIT' }] } }), [
    ['$.data.transactions.nodes[0].status', 'Transaction.status is TransactionStatus! (one of "PENDING", "POSTED")']
  ], 'enums: PROJECTED went with 2026-04-01')
  t.strictSame(type('{ transactions { nodes { date } } balance: account(id: "acct_1") { balance { at } } }', { transactions: { nodes: [{ date: '03/31/2026' }] }, balance: { balance: { at: '2026-03-31T12:00:00Z' } } }), [
    ['$.data.transactions.nodes[0].date', 'Transaction.date is Date! (a date, YYYY-MM-DD), and this value is not one']
  ], 'Date; DateTime')
  t.strictSame(type('{ account(id: "acct_1") { balance { at } institution { logo { url } } metadata } }', { account: { balance: { at: 'yesterday' }, institution: { logo: { url: 'logo.png' } }, metadata: [1, { any: 'thing' }] } }), [
    ['$.data.account.balance.at', 'Balance.at is DateTime! (an ISO 8601 date and time), and this value is not one'],
    ['$.data.account.institution.logo.url', 'Image.url is URL (an absolute URL, or null), and this value is not one']
  ], 'DateTime, URL; JSON takes anything')
  const bigint = '{ account(id: "acct_1") { remoteData { finicity { account { response { balanceDate } } } } } }'
  const balanceDate = (v: unknown) => ({ account: { remoteData: { finicity: { account: { response: { balanceDate: v } } } } } })
  t.strictSame(type(bigint, balanceDate('1711929600')), [], 'BigInt as graphql-ruby writes it, a string of digits')
  t.strictSame(type(bigint, balanceDate(1711929600)), [], 'or a number')
  t.match(type(bigint, balanceDate('soon')), [['$.data.account.remoteData.finicity.account.response.balanceDate', /^RemoteDataFinicityCustomerAccount\.balanceDate is BigInt \(an integer, written as a string of digits \(or a number\), or null\)/]])
  t.strictSame(type('{ connections { id accounts { id } } }', { connections: { id: 'conn_1', accounts: [null] } }), [
    ['$.data.connections', 'Query.connections is [Connection!] (a list, or null)']
  ], 'an object where a list is')
  t.strictSame(type('{ connections { accounts { id } } }', { connections: [{ accounts: [null] }] }), [
    ['$.data.connections[0].accounts[0]', 'Connection.accounts[] is Account! (a Account object)']
  ], 'a null element in a list of non-null')
  t.strictSame(type('{ connections { accounts { id } } }', { connections: [{ accounts: null }] }), [['$.data.connections[0].accounts', 'Connection.accounts is [Account!]! (a list)']])
  t.strictSame(type('{ connections { accounts { id } } }', { connections: null }), [], 'a nullable list may be null')
  t.strictSame(type('{ profile { id } }', null), [], 'data may be null (an execution error)')
})

t.test('matching rules: a type matcher\'s example, eachLike\'s element and regex examples are what is checked', async t => {
  const tx = (node: Record<string, unknown>, rules: Rules) => check(v3(ask('{ transactions(first: 50) { nodes { id date amount status } } }', { data: { transactions: { nodes: [node] } } }, { rules })))
  const node = { id: 'txn_1', date: '2026-03-31', amount: -4.5, status: 'POSTED' }
  const eachLike = { '$.data.transactions.nodes': m({ match: 'type', min: 1 }) }
  t.strictSame(findings(tx(node, eachLike)), [], 'eachLike of transactions')
  t.strictSame(where(only(tx({ ...node, amount: '-4.50' }, eachLike), 'conflict')), ['response.body $.data.transactions.nodes[0].amount'], 'eachLike checks its element')
  t.match(only(tx({ ...node, amount: '-4.50' }, { '$.data.transactions.nodes[*].amount': m({ match: 'type' }) }), 'conflict'), [{ expected: 'a string (type matcher, example the string "-4.50")', documented: 'Transaction.amount is Float! (a number)' }], 'a type matcher\'s example is checked')
  t.strictSame(findings(tx(node, { '$.data.transactions.nodes[*].status': m({ match: 'regex', regex: '^(PENDING|POSTED)$' }) })), [], 'a regex Quiltt\'s enum can satisfy')
  t.strictSame(findings(tx({ ...node, status: 'PENDING' }, { '$.data.transactions.nodes[*].status': m({ match: 'regex', regex: '^(POSTED|PENDING|PROJECTED)$' }) })), [], 'one enum value matching is enough')
  // The consumer's tests ran against the example: one Quiltt never sends is a conflict, whatever the matcher allows.
  t.match(only(tx({ ...node, status: 'PROJECTED' }, { '$.data.transactions.nodes[*].status': m({ match: 'regex', regex: '^(POSTED|PROJECTED)$' }) }), 'conflict'),
    [{ path: '$.data.transactions.nodes[0].status', expected: 'the string "PROJECTED", the example the consumer\'s tests ran against (regex matcher)', documented: 'Transaction.status is TransactionStatus! (one of "PENDING", "POSTED")' }], 'a regex example is checked as a value')
  t.match(only(tx({ ...node, date: '03/31/2026' }, { '$.data.transactions.nodes[*].date': m({ match: 'type' }) }), 'conflict'),
    [{ path: '$.data.transactions.nodes[0].date', expected: 'the string "03/31/2026", the example the consumer\'s tests ran against (type matcher)' }], 'so is a type matcher\'s')
  t.match(only(tx({ ...node, status: 'DONE' }, eachLike), 'conflict'), [{ path: '$.data.transactions.nodes[0].status', expected: /example the consumer's tests ran against \(type matcher\)/ }], 'and an eachLike element\'s')
  t.match(only(tx({ ...node, status: 'PROJECTED' }, { '$.data.transactions.nodes[*].status': m({ match: 'regex', regex: '^PROJECTED$' }) }), 'conflict'), [{ path: '$.data.transactions.nodes[0].status', documented: /TransactionStatus! \(one of "PENDING", "POSTED"\), and no such value matches/ }])
  t.strictSame(findings(tx(node, { '$.data.transactions.nodes[*].date': m({ match: 'regex', regex: '^\\d{4}-\\d{2}-\\d{2}$' }) })), [])
  t.strictSame(where(only(tx({ ...node, date: '03/31/2026' }, { '$.data.transactions.nodes[*].date': m({ match: 'regex', regex: '^\\d{2}/\\d{2}/\\d{4}$' }) }), 'conflict')), ['response.body $.data.transactions.nodes[0].date'], 'a regex no Date matches')
  t.strictSame(where(only(tx(node, { '$.data.transactions.nodes[*].id': m({ match: 'integer' }) }), 'conflict')), ['response.body $.data.transactions.nodes[0].id'], 'an integer matcher on an ID')
  t.strictSame(findings(tx(node, { '$.data.transactions.nodes[*].id': m({ match: 'regex', regex: '^txn_[0-9A-Za-z]+$' }) })), [])
  t.match(only(tx(node, { '$.data.transactions.nodes[*].status': m({ match: 'regex', regex: '(?i)^posted$' }) }), 'undecided'), [{ path: '$.data.transactions.nodes[0].status' }], 'what cannot be decided is a note')
  t.strictSame(findings(check(v3(ask('{ accounts { id } }', { data: { accounts: [{ id: 'acct_1' }] } }, { rules: { $: m({ match: 'type' }) } })))), [], 'a type matcher on the whole body cascades')
})

t.test('fragments (inline and named), __typename on an interface, directives', async t => {
  const routines = (query: string, routine: unknown) => check(v3(ask(query, { data: { routines: [routine] } })))
  const named = 'query { routines { __typename id ...Once } } fragment Once on MoveOnce { finishedAt }'
  t.strictSame(findings(routines(named, { __typename: 'MoveOnce', id: 'r_1', finishedAt: null })), [])
  t.strictSame(findings(routines(named, { __typename: 'MoveRoundUp', id: 'r_1' })), [])
  const roundUpWithOnce = only(routines(named, { __typename: 'MoveRoundUp', id: 'r_1', finishedAt: null }), 'conflict')
  t.match(roundUpWithOnce, [{ path: '$.data.routines[0].finishedAt', documented: /the query does not select `finishedAt` on MoveRoundUp/ }], 'a fragment on another type selects nothing here')
  t.match(only(routines(named, { __typename: 'MoveOnce', id: 'r_1', finishedAt: 'soon' }), 'conflict'), [{ path: '$.data.routines[0].finishedAt', documented: /^MoveOnce\.finishedAt is DateTime/ }])
  const inline = 'query { routines { ... on MoveRoundUp { ranAt } ... on MoveRoutine { id } } }'
  t.strictSame(findings(routines(inline, { id: 'r_1', ranAt: '2026-03-31T00:00:00Z' })), [], 'inline fragments, on the concrete type and the interface')
  t.match(only(routines(inline, { id: 'r_1', ranAt: 7 }), 'conflict'), [{ path: '$.data.routines[0].ranAt', documented: /\(the closest of the 2 shapes Quiltt documents here\)$/ }])
  t.match(only(routines('{ routines { __typename } }', { __typename: 'Account' }), 'conflict'), [{ path: '$.data.routines[0].__typename', documented: 'MoveRoutine.__typename is String! (the type\'s name: one of "MoveOnce", "MoveRoundUp")' }], 'possible types that answer alike: one shape')
  const skip = 'query ($full: Boolean!) { accounts { id name @include(if: $full) mask @skip(if: true) } }'
  t.strictSame(where(only(check(v3(ask(skip, { data: { accounts: [{ id: 'a', name: 'n', mask: '1234' }] } }, { variables: { full: false } }))), 'conflict')),
    ['response.body $.data.accounts[0].name', 'response.body $.data.accounts[0].mask'], '@include(if: false) and @skip(if: true) select nothing')
  t.strictSame(findings(check(v3(ask(skip, { data: { accounts: [{ id: 'a', name: 'n' }] } }, { variables: { full: true } })))), [])
  t.strictSame(findings(check(v3(ask('{ __schema { queryType { name } } __type(name: "Account") { kind } }', { data: { __schema: { queryType: { name: 'Query' } }, __type: { kind: 'OBJECT' } } })))), [], 'introspection fields')
})

t.test('variables and operationName', async t => {
  const PAGE = 'query Page($first: Int!, $after: String) { transactions(first: $first, after: $after) { count } }'
  const ok = { data: { transactions: { count: 1 } } }
  t.strictSame(findings(check(v3(ask(PAGE, ok, { variables: { first: 50, after: null } })))), [])
  t.match(only(check(v3(ask(PAGE, ok, { variables: { first: 'fifty' } }))), 'conflict'), [{ at: 'request.body', path: '$.variables.first', expected: 'sends the string "fifty"', documented: /Int cannot represent non-integer value: "fifty"/ }])
  t.match(only(check(v3(ask(PAGE, ok, { variables: {} }))), 'conflict'), [{ path: '$.variables.first', expected: 'sends no `first`', documented: /of required type "Int!" was not provided/ }])
  t.match(only(check(v3(ask(PAGE, ok, { variables: [50] }))), 'conflict'), [{ path: '$.variables', expected: 'sends an array of 1' }])
  const TWO = 'query Accounts { accounts { id } } query Profile { profile { id } }'
  t.strictSame(findings(check(v3(ask(TWO, { data: { profile: { id: 'p_1' } } }, { operationName: 'Profile' })))), [], 'operationName picks the operation whose selection the answer is held to')
  t.strictSame(where(only(check(v3(ask(TWO, { data: { accounts: [] } }, { operationName: 'Profile' }))), 'conflict')), ['response.body $.data.accounts'])
  t.match(only(check(v3(ask(TWO, { data: {} }))), 'conflict'), [{ path: '$.operationName', expected: 'sends no operationName', documented: 'the query has 2 operations (Accounts, Profile): GraphQL runs the one operationName names' }])
  t.match(only(check(v3(ask(TWO, { data: {} }, { operationName: 'Dashboard' }))), 'conflict'), [{ path: '$.operationName', documented: 'the query has no operation of that name (it has Accounts, Profile)' }])
  t.equal(check(v3(ask(TWO, undefined, { operationName: 'Profile' }))).interactions[0]!.operation, 'POST /v1/graphql (query Profile)')
  const update = 'mutation ($input: ConnectionUpdateInput!) { connectionUpdate(input: $input) { success record { id } errors { message path } } }'
  t.strictSame(findings(check(v3(ask(update, { data: { connectionUpdate: { success: true, record: { id: 'conn_1' }, errors: null } } }, { variables: { input: { id: 'conn_1', metadata: { a: 1 } } } })))), [], 'a mutation: Mutation is the root')
})

t.test('batches: an array of requests is answered with an array of results, in order', async t => {
  const batch = [{ query: DASHBOARD, variables: {} }, { operationName: 'Profile', query: 'query Profile { profile { id email } }', variables: {} }]
  const answer = [{ data: { accounts: [account] } }, { data: { profile: { id: 'p_1', email: 'a@example.com' } } }]
  const c = check(v3({ body: batch, resBody: answer }))
  t.strictSame(findings(c), [])
  t.equal(c.interactions[0]!.operation, 'POST /v1/graphql (batch: query, query Profile)')
  t.strictSame(where(only(check(v3({ body: batch, resBody: [answer[1], answer[0]] })), 'conflict')),
    ['response.body $[0].data.profile', 'response.body $[1].data.accounts'], 'each result is held to its own operation')
  t.match(only(check(v3({ body: batch, resBody: answer[0] })), 'conflict'), [{ path: '$', expected: 'an object', documented: 'a batch of 2 operations is answered with an array of 2 results, in order' }])
  t.match(only(check(v3({ body: batch, resBody: [answer[0]] })), 'conflict'), [{ path: '$', expected: 'an array of 1' }])
  t.match(only(check(v3({ body: [batch[0], { ...batch[1], query: 'query Profile { profile { uuid nickname } }' }], resBody: answer })), 'conflict'), [{ at: 'request.body', path: '$[1].query', documented: /Cannot query field "nickname" on type "Profile"/ }])
  t.strictSame(findings(check(v3({ body: [batch[0]], resBody: [answer[0]] }))), [], 'a batch of one, as the SDK\'s BatchHttpLink sends a lone query')
  t.match(only(check(v3({ body: [batch[0], 'query { profile { id } }'], resBody: answer })), 'conflict'), [{ path: '$[1]', expected: 'sends the string "query { profile { id } }"' }])
})

t.test('errors in the answer: allowed, with GraphQL\'s shape; an error answer is what a bad query gets', async t => {
  const error = { message: 'Cannot query field "nickname" on type "Profile".', locations: [{ line: 1, column: 13 }], path: ['profile', 0, 'nickname'], extensions: { code: 'undefinedField' } }
  t.strictSame(findings(check(v3(ask('{ profile { nickname } }', { errors: [error] })))), [], 'a pact expecting the validation error is fine')
  t.strictSame(findings(check(v3(ask('{ account(id: "acct_x") { id } }', { data: { account: null }, errors: [{ message: 'Not found', path: ['account'] }] })))), [], 'data beside errors')
  const shapes = check(v3(ask('{ profile { id } }', { errors: [{ message: 42, locations: [{ line: 0, column: 'x' }], path: [{}], code: 'x' }] })))
  t.strictSame(where(only(shapes, 'conflict')), ['response.body $.errors[0].message', 'response.body $.errors[0].locations[0].line', 'response.body $.errors[0].locations[0].column', 'response.body $.errors[0].path[0]'])
  t.match(only(shapes, 'undocumented'), [{ path: '$.errors[0].code', documented: /a GraphQL error has `message`, `locations`, `path` and `extensions`/ }])
  t.match(only(check(v3(ask('{ profile { id } }', { data: { profile: { id: 'p' } }, errors: [] }))), 'conflict'), [{ path: '$.errors', documented: /at least 1 item/ }])
  t.match(only(check(v3(ask('{ profile { id } }', { data: { profile: { id: 'p' } }, meta: {} }))), 'conflict'), [{ path: '$.meta', documented: 'a GraphQL result has only `data`, `errors` and `extensions`' }])
  t.strictSame(findings(check(v3(ask('{ profile { id } }', { data: { profile: { id: 'p' } }, extensions: { cost: 1 } })))), [])
  t.strictSame(where(only(check(v3(ask('{ profile { nickname } }', { data: { profile: { nickname: 'x' } }, errors: [error] }))), 'conflict')), ['request.body $.query'], 'but expecting data for it is a conflict')
})

t.test('GET with the query in the query string', async t => {
  const get = (query: unknown, resBody: unknown) => check(v3({ method: 'GET', headers: { Authorization: SESSION.Authorization }, query, resBody }))
  t.strictSame(findings(get({ query: ['{ accounts { id } }'] }, { data: { accounts: [] } })), [])
  t.strictSame(findings(get('query=%7B%20accounts%20%7B%20id%20%7D%20%7D', { data: { accounts: [] } })), [], 'v2\'s query text')
  const page = get({ query: ['query ($n: Int!) { transactions(first: $n) { count } }'], variables: ['{"n": "x"}'] }, { data: { transactions: { count: 1 } } })
  t.match(only(page, 'conflict'), [{ at: 'request.query', path: 'variables.n', expected: 'sends the string "x"' }])
  t.match(only(get({ query: ['{ accounts { type } }'] }, { data: {} }), 'conflict'), [{ at: 'request.query', path: 'query' }])
  t.match(only(get({ query: ['{ accounts { id } }'], variables: ['{n'] }, { data: {} }), 'conflict'), [{ at: 'request.query', path: 'variables', documented: 'GraphQL over HTTP: variables is a JSON object, as text' }])
  t.match(only(get({}, { data: {} }), 'conflict'), [{ at: 'request.query', path: 'query', expected: 'sends no query' }])
  t.match(only(get({ query: ['mutation { connectionDisconnect(input: { id: "conn_1" }) { success } }'] }, { data: { connectionDisconnect: { success: true } } }), 'undocumented'),
    [{ path: 'query', documented: /runs mutations from POST only/ }])
})

t.test('credentials, statuses and content types', async t => {
  t.match(only(check(v3(ask(DASHBOARD, { data: { accounts: [] } }, { headers: { 'Content-Type': 'application/json' } }))), 'conflict'),
    [{ at: 'request.headers', path: 'Authorization', expected: 'sends no Authorization header', documented: /Bearer <session token>, or Basic/ }])
  t.strictSame(findings(check(v3(ask(DASHBOARD, { data: { accounts: [] } }, { headers: { Authorization: 'Basic cF8xOnNrXzE=', 'Content-Type': 'application/json' } })))), [], 'Basic profileId:secret')
  t.strictSame(findings(check(v3(ask('{ accounts { type } }', { message: 'Not Authenticated', instruction: 'x' }, { status: 401, headers: {} })))), [], 'a 401: neither the request nor the body is held to the schema')
  t.match(only(check(v3(ask(DASHBOARD, { message: 'x' }, { status: 500 }))), 'undocumented'), [{ at: 'response.status', expected: 'status 500' }])
  t.match(only(check(v3(ask(DASHBOARD, '<html>', { resHeaders: { 'Content-Type': 'text/html' } }))), 'conflict'), [{ at: 'response.headers', path: 'Content-Type', documented: 'Quiltt\'s GraphQL API answers application/json' }])
  t.strictSame(findings(check(v3({ body: DASHBOARD, headers: { ...SESSION, 'Content-Type': 'application/graphql' }, resBody: { data: { accounts: [] } } }))), [], 'application/graphql: the body is the query')
  t.match(only(check(v3({ body: 'query=x', headers: { ...SESSION, 'Content-Type': 'application/x-www-form-urlencoded' }, resBody: { data: {} } })), 'undecided'), [{ path: 'Content-Type' }])
  t.match(only(check(v3({ body: undefined, resBody: { data: {} } })), 'conflict'), [{ at: 'request.body', path: '$', expected: 'sends no body' }])
  const notGraphQL = check(v3({ body: 'hello', status: 400, resBody: { message: 'Bad Request', instruction: 'x' } }))
  t.strictSame(notGraphQL.interactions[0]!.findings.map(f => [f.kind, f.at, f.expected]), [['undocumented', 'response.status', 'status 400']], 'a pact testing what a body that is no GraphQL request gets: not a conflict')
})

t.test('what cannot be checked is a note, never a failure', async t => {
  const sub = check(v3(ask('subscription { connectionSynced { connection { id } } }', { data: { nothing: 1 } })))
  t.equal(sub.summary.conflicts, 0)
  t.match(only(sub, 'undecided'), [{ path: '$.query', documented: /subscriptions over ActionCable/ }])
  const persisted = check(v3({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, resBody: { data: { anything: true } } }))
  t.strictSame(persisted.summary.conflicts, 0)
  t.match(only(persisted, 'undecided'), [{ path: '$.extensions.persistedQuery', documented: /needs the query text/ }])
  t.match(findings(check(v3(ask(DASHBOARD, { data: { accounts: [] } }, { rules: { '$..id': m({ match: 'type' }) } })))), [{ kind: 'undecided', path: '$..id' }])
  const encoded = v3(ask(DASHBOARD)) as { interactions: Array<{ response: Record<string, unknown> }>, metadata: unknown }
  encoded.metadata = { pactSpecification: { version: '4.0' } }
  encoded.interactions[0]!.response.body = { content: 'e30=', contentType: 'application/json', encoded: 'base64' }
  t.match(findings(check(encoded)), [{ kind: 'undecided', at: 'response.body', documented: /base64-encoded/ }])
})

t.test('a runaway query ends in a note or a conflict, in bounded time', async t => {
  // Each fragment selects the next one twice, under two aliases: 2^16 fields, 32 levels.
  const levels = 16
  const fragments = Array.from({ length: levels }, (_, i) => i % 2 === 0
    ? `fragment F${i} on Connection { a: accounts { ...F${i + 1} } b: accounts { ...F${i + 1} } }`
    : `fragment F${i} on Account { a: connection { ...F${i + 1} } b: connection { ...F${i + 1} } }`)
  fragments.push(`fragment F${levels} on Connection { id }`)
  const started = Date.now()
  const wide = check(v3(ask(`{ connections { ...F0 } } ${fragments.join(' ')}`, { data: { connections: [] } })))
  t.match(only(wide, 'undecided'), [{ path: '$.query', documented: 'not compared: its answer is too large for the check' }])
  t.equal(wide.summary.conflicts, 0)
  const cycle = check(v3(ask('{ connections { ...C } } fragment C on Connection { accounts { connection { ...C } } }', { data: { connections: [] } })))
  t.match(only(cycle, 'conflict'), [{ path: '$.query', documented: /Cannot spread fragment "C" within itself/ }], 'a fragment cycle is the validation error it is')
  const long = check(v3(ask(`{ ${'profile { id } '.repeat(1500)}}`, { data: {} })))
  t.match(only(long, 'undecided'), [{ path: '$.query', expected: 'sends a query of more than 5000 tokens' }])
  t.ok(Date.now() - started < 5000, `in ${Date.now() - started} ms`)
})

t.test('the report: GraphQL findings in the same format, naming the schema they were read against', async t => {
  const c = check(v3(ask('query AccountsQuery { accounts { id type } }', { data: { accounts: [{ id: 'acct_1', balance: { current: 1 } }] } })))
  const report = buildReport(c.document, [{ source: 'pacts/my-app-quiltt.json', check: c }], { passed: true, failedInteractions: 0 })
  t.equal(report.graphqlDocument?.apiVersion, '2026-04-01')
  t.match(report.summary, { conflicts: 2 })
  const text = formatReport(report)
  t.match(text, /^Quiltt contract check against quiltt-openapi-2026-04-01\.json \(Quiltt API version 2026-04-01\) and quiltt-data-plane\.reference\.graphql \(Quiltt API version 2026-04-01\)\n/)
  t.match(text, /"interaction 1" \(POST \/v1\/graphql -> 200\)\n {4}conflict at request\.body \$\.query\n {6}pact expects: {6}sends `type` \(line 1, column 37 of the query\)\n {6}Quiltt's document: Quiltt's GraphQL schema: Cannot query field "type" on type "Account"\.\n {4}conflict at response\.body \$\.data\.accounts\[0\]\.balance\n {6}pact expects: {6}a field `balance`\n {6}Quiltt's document: the query does not select `balance` on Account \(it selects id, type\)/)
})
