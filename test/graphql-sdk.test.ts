// The official SDK's own GraphQL client (QuilttClient from @quiltt/core/api/graphql: Apollo with
// BatchHttpLink, AuthLink, ErrorLink) against a listening emulator over a real socket, pointed at it
// as DESIGN section 3 says: QUILTT_API_DOMAIN=localhost:<port>, QUILTT_API_INSECURE=true and the
// quiltt-mock/register preload, so api.localhost resolves to loopback.
import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import '../server/drop-in/register.js'
import { buildApp } from '../server/app.js'
import { DEFAULT } from './helper.js'

const app = await buildApp({ db: ':memory:' })
t.teardown(() => app.close())
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }
const base = `http://127.0.0.1:${port}`
// What reached the socket, before Fastify: the SDK's own headers, as sent.
const arrived: Array<{ url: string, headers: IncomingHttpHeaders }> = []
app.server.prependListener('request', req => { arrived.push({ url: req.url ?? '', headers: req.headers }) })

// The SDK reads these once, at import time.
process.env.QUILTT_API_DOMAIN = `localhost:${port}`
process.env.QUILTT_API_INSECURE = 'true'
const { QuilttClient, InMemoryCache, createVersionLink, gql } = await import('@quiltt/core/api/graphql')
const { GlobalStorage } = await import('@quiltt/core/storage')

const json = async (path: string, init: RequestInit = {}): Promise<{ status: number, body: any }> => {
  const res = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  return { status: res.status, body: res.status === 204 ? null : await res.json() }
}

const PROFILE = gql`query Profile { profile { id email name } }`
const ACCOUNTS = gql`query Accounts { accounts { id name balance { current } } }`
const UPDATE = gql`mutation ProfileUpdate($input: ProfileUpdateInput!) { profileUpdate(input: $input) { success errors { message path } record { id name } } }`

t.test('QuilttClient reads and changes the profile, batching its queries into one POST', async t => {
  const issued = await json('/v1/users/sessions', { method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}` }, body: JSON.stringify({ email: 'sdk-graphql@example.com', name: 'Sid' }) })
  t.equal(issued.status, 201)
  const token = issued.body.token as string
  GlobalStorage.set('session', token)
  const client = new QuilttClient({ cache: new InMemoryCache(), versionLink: createVersionLink('Node.js; quiltt-mock test') })

  const [profile, accounts] = await Promise.all([client.query({ query: PROFILE }), client.query({ query: ACCOUNTS })])
  const id = (profile.data as { profile: { id: string } }).profile.id
  t.match(profile.data, { profile: { id: /^p_/, email: 'sdk-graphql@example.com', name: 'Sid', __typename: 'Profile' } })
  t.strictSame(accounts.data, { accounts: [] }, 'the template\'s dashboard query: no accounts')

  const graphqlPosts = arrived.filter(r => r.url === '/v1/graphql')
  t.equal(graphqlPosts.length, 1, 'both queries went in one request (BatchHttpLink)')
  t.match(graphqlPosts[0]!.headers, { authorization: `Bearer ${token}`, 'quiltt-client-version': /^@quiltt\/core: v\d/, 'quiltt-sdk-agent': /^Quiltt\/\d+\.\d+\.\d+ \(Node\.js; quiltt-mock test\)$/ })
  t.equal(graphqlPosts[0]!.headers.host, `api.localhost:${port}`, 'the SDK called api.<QUILTT_API_DOMAIN>')
  const journal = await json('/emulator/v1/requests?path=/v1/graphql')
  t.strictSame(journal.body.requests[0].graphql, [{ operationName: 'Profile', operationType: 'query' }, { operationName: 'Accounts', operationType: 'query' }],
    'the journal names both operations of the batch')

  const updated = await client.mutate({ mutation: UPDATE, variables: { input: { name: 'Sidney' } } })
  t.strictSame(updated.data, { profileUpdate: { __typename: 'ProfileUpdatePayload', success: true, errors: null, record: { __typename: 'Profile', id, name: 'Sidney' } } })
  t.equal((await json(`/v1/profiles/${id}`, { headers: { authorization: `Bearer ${DEFAULT.secret}` } })).body.name, 'Sidney', 'the REST Profiles API sees the change')
  const invalid = await client.mutate({ mutation: UPDATE, variables: { input: { email: 'not-an-email' } } })
  t.match(invalid.data, { profileUpdate: { success: false, errors: [{ message: 'Email is not a valid email address', path: ['email'] }], record: null } })
})

t.test('QuilttClient, batching on, lists a seeded profile\'s accounts with their balances, and pages its transactions', async t => {
  const issued = await json('/v1/users/sessions', { method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}` }, body: JSON.stringify({ email: 'sdk-bank@example.com' }) })
  const { token, userId } = issued.body as { token: string, userId: string }
  const seeded = await json(`/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${userId}/connections`, {
    method: 'POST', body: JSON.stringify({ institution: { name: 'First Platypus Bank' }, generate: { accounts: 3, transactionsPerAccount: 40, seed: 42 } })
  })
  t.equal(seeded.status, 201)
  const expected = (seeded.body.connection.accounts as Array<{ id: string, name: string, balance: { current: number } }>).map(a => ({ __typename: 'Account', id: a.id, name: a.name, balance: { __typename: 'Balance', current: a.balance.current } }))
  GlobalStorage.set('session', token)
  const client = new QuilttClient({ cache: new InMemoryCache(), versionLink: createVersionLink('Node.js; quiltt-mock test') })
  const before = arrived.filter(r => r.url === '/v1/graphql').length
  const PAGE = gql`query Transactions($after: String) { transactions(first: 50, after: $after) { count nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }`
  const [accounts, page] = await Promise.all([client.query({ query: ACCOUNTS }), client.query({ query: PAGE })])
  t.equal(arrived.filter(r => r.url === '/v1/graphql').length - before, 1, 'one batched request')
  t.strictSame(accounts.data, { accounts: expected }, 'the template\'s dashboard query: the seeded accounts with their balances')
  t.equal(expected.length, 3)
  const first = (page.data as { transactions: { count: number, nodes: unknown[], pageInfo: { endCursor: string, hasNextPage: boolean } } }).transactions
  t.equal(first.count, 120)
  t.equal(first.nodes.length, 50)
  t.equal(first.pageInfo.hasNextPage, true)
  const next = await client.query({ query: PAGE, variables: { after: first.pageInfo.endCursor } })
  t.equal((next.data as { transactions: { nodes: unknown[] } }).transactions.nodes.length, 50, 'the next page through the SDK')
})

t.test('after the session is revoked, the 401 makes the SDK drop it (ErrorLink)', async t => {
  const issued = await json('/v1/users/sessions', { method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}` }, body: JSON.stringify({ email: 'sdk-revoked@example.com' }) })
  const token = issued.body.token as string
  GlobalStorage.set('session', token)
  const client = new QuilttClient({ cache: new InMemoryCache(), versionLink: createVersionLink('Node.js; quiltt-mock test') })
  t.match((await client.query({ query: PROFILE })).data, { profile: { email: 'sdk-revoked@example.com' } })

  t.equal((await json('/v1/users/session', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status, 204)
  const warnings: unknown[][] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => { warnings.push(args) }
  t.teardown(() => { console.warn = warn })
  const failed = await client.query({ query: PROFILE, fetchPolicy: 'network-only' }).then(() => undefined, (err: unknown) => err)
  console.warn = warn
  t.match(failed, { statusCode: 401 }, 'the query fails with the HTTP 401')
  t.equal(GlobalStorage.get('session'), null, 'the SDK dropped its stored session')
  t.match(warnings, [['[Quiltt][Authentication Error]:', { statusCode: 401 }]], 'as an authentication error, the only kind it logs out on')
})
