// POST and GET /v1/graphql through app.inject: the profile, empty financial data, auth, what the SDK
// sends, errors and limits, and the journal and faults around it. Every answer is also checked
// against openapi.yaml by build(t).
import { createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { parseDocument } from '../server/graphql/operations.js'
import { bearer, build, DEFAULT, expectStatus, issue } from './helper.js'

const TUTORIAL = 'query { profile { id email } }'
const UPDATE = `mutation Update($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) { success clientMutationId errors { message path }
    record { id email phone name names { first last full } dateOfBirth address { line1 line2 city state postalCode countryCode } metadata } }
}`

type Headers = Record<string, string>
const gql = (app: FastifyInstance, payload: unknown, headers: Headers = {}) =>
  app.inject({ method: 'POST', url: '/v1/graphql', headers, payload: payload as object })
const basic = (profileId: string, secret: string = DEFAULT.secret): Headers =>
  ({ authorization: `Basic ${Buffer.from(`${profileId}:${secret}`).toString('base64')}` })

/** A session issued with the App Secret, and its profile's `p_` id (the token's `uid` claim). */
async function session (app: FastifyInstance, body: Record<string, unknown> = { email: 'alice@example.com' }): Promise<{ token: string, profileId: string, uuid: string }> {
  const res = await issue(app, body)
  if (res.statusCode !== 201) throw new Error(res.body)
  const { token, userUuid } = res.json() as { token: string, userUuid: string }
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { uid: string }
  return { token, profileId: claims.uid, uuid: userUuid }
}

const ATTRIBUTES = {
  email: 'alice@example.com',
  phone: '+14155552671',
  name: 'Alice Liddell',
  names: { first: 'Alice', last: 'Liddell' },
  dateOfBirth: '1990-05-04',
  address: { line1: '1 Main St', line2: null, city: 'Springfield', state: 'IL', postalCode: '62701', countryCode: 'USA' },
  metadata: { plan: 'gold', tags: ['a', 'b'] }
}
const PROFILE_FIELDS = 'id uuid email phone name names { first last full } dateOfBirth address { line1 line2 city state postalCode countryCode } metadata'

t.test('the tutorial\'s query reads the profile of the session token, as GET /v1/profiles/{id} shows it', async t => {
  const { app } = await build(t)
  const { token, profileId, uuid } = await session(app, ATTRIBUTES)
  const res = await gql(app, { query: TUTORIAL }, bearer(token))
  expectStatus(t, res, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.strictSame(res.json(), { data: { profile: { id: profileId, email: 'alice@example.com' } } })

  const full = await gql(app, { query: `{ profile { ${PROFILE_FIELDS} } }` }, bearer(token))
  const rest = (await app.inject({ url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) })).json() as Record<string, unknown>
  const graphqlProfile = full.json().data.profile as Record<string, unknown>
  t.strictSame(Object.keys(graphqlProfile), ['id', 'uuid', 'email', 'phone', 'name', 'names', 'dateOfBirth', 'address', 'metadata'])
  t.strictSame(graphqlProfile, Object.fromEntries(Object.keys(graphqlProfile).map(k => [k, rest[k]])), 'every field, as the REST Profiles API has it')
  t.equal(full.json().data.profile.uuid, uuid)
  t.strictSame(full.json().data.profile.names, { first: 'Alice', last: 'Liddell', full: 'Alice Liddell' })
})

t.test('profileUpdate writes the one store: REST and the inspector\'s list show it, and a REST change shows in GraphQL', async t => {
  const { app, clock } = await build(t)
  const { token, profileId } = await session(app)
  clock.advance(1000)
  const res = await gql(app, { query: UPDATE, variables: { input: { ...ATTRIBUTES, email: 'Alice.New@Example.com', clientMutationId: 'm1' } } }, bearer(token))
  expectStatus(t, res, 200)
  const payload = res.json().data.profileUpdate
  t.match(payload, { success: true, errors: null, clientMutationId: 'm1' })
  t.strictSame(payload.record, { id: profileId, ...ATTRIBUTES, email: 'alice.new@example.com', names: { first: 'Alice', last: 'Liddell', full: 'Alice Liddell' } },
    'validated and normalised as PATCH /v1/profiles/{id} does')

  const rest = (await app.inject({ url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) })).json()
  t.match(rest, { email: 'alice.new@example.com', name: 'Alice Liddell', metadata: ATTRIBUTES.metadata, updatedAt: '2026-01-01T12:00:01Z' })
  const inspector = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/profiles` })).json()
  t.match(inspector.profiles.find((p: { id: string }) => p.id === profileId), { email: 'alice.new@example.com', name: 'Alice Liddell' }, 'the inspector lists it')

  expectStatus(t, await app.inject({ method: 'PATCH', url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret), payload: { name: 'Al', email: null } }), 200)
  t.strictSame((await gql(app, { query: '{ profile { name email } }' }, bearer(token))).json(), { data: { profile: { name: 'Al', email: null } } })

  const cleared = await gql(app, { query: 'mutation { profileUpdate(input: {names: null, metadata: null}) { success record { names { full } metadata } } }' }, bearer(token))
  t.strictSame(cleared.json().data.profileUpdate, { success: true, record: { names: null, metadata: null } }, 'null clears, in a literal too')
})

t.test('profileUpdate validation: every problem in errors with its path, nothing written', async t => {
  const { app } = await build(t)
  const { token, profileId } = await session(app, { email: 'keep@example.com', name: 'Keep' })
  await session(app, { email: 'taken@example.com' })
  const before = (await app.inject({ url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) })).json()

  const bad = await gql(app, {
    query: UPDATE,
    variables: { input: { clientMutationId: 'c7', email: 'nope', phone: '555', name: ' ', dateOfBirth: '1990-02-30', metadata: {}, address: { ...ATTRIBUTES.address, line1: '' } } }
  }, bearer(token))
  expectStatus(t, bad, 200)
  t.strictSame(bad.json().data.profileUpdate, {
    success: false,
    clientMutationId: 'c7',
    record: null,
    errors: [
      { message: 'Email is not a valid email address', path: ['email'] },
      { message: 'phone is invalid', path: ['phone'] },
      { message: "name can't be blank", path: ['name'] },
      { message: 'dateOfBirth must be a date as YYYY-MM-DD', path: ['dateOfBirth'] },
      { message: "address.line1 can't be blank", path: ['address', 'line1'] },
      { message: 'metadata must have between 1 and 50 keys', path: ['metadata'] }
    ]
  })
  const taken = await gql(app, { query: UPDATE, variables: { input: { email: 'TAKEN@example.com', name: 'Changed' } } }, bearer(token))
  t.strictSame(taken.json().data.profileUpdate.errors, [{ message: 'email has already been taken', path: ['email'] }], 'uniqueness as in REST')
  t.strictSame((await app.inject({ url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) })).json(), before, 'nothing was written')

  // What GraphQL's own types rule out never reaches the service: a GraphQL error, no data.
  const typed = await gql(app, { query: UPDATE, variables: { input: { names: { first: 'A' } } } }, bearer(token))
  expectStatus(t, typed, 200)
  t.equal(typed.json().data, undefined)
  t.match(typed.json().errors[0].message, /Field "last" of required type "String!" was not provided/)
  const country = await gql(app, { query: UPDATE, variables: { input: { address: { ...ATTRIBUTES.address, countryCode: 'CAN' } } } }, bearer(token))
  // AddressCountryCode is ISO 3166's list at 2026-04-01; the profile's rule (a US address) answers in the payload, as in REST.
  t.strictSame(country.json().data.profileUpdate.errors, [{ message: 'address.countryCode is not included in the list', path: ['address', 'countryCode'] }])
  t.match((await gql(app, { query: UPDATE, variables: { input: { address: { ...ATTRIBUTES.address, countryCode: 'XXX' } } } }, bearer(token))).json().errors[0].message, /AddressCountryCode/)
})

t.test('no bank data: the financial roots answer empty, with Quiltt\'s names, and check their arguments', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  const empty = { count: 0, nodes: [], edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } }
  const CONN = 'count nodes { id } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }'
  const res = await gql(app, {
    query: `{
      accounts(filter: {kind: [DEPOSITORY], verified: true}, sort: LAST_TRANSACTED_ON_DESC) { id name balance { current } }
      connections(filter: {status: [SYNCED]}) { id status }
      transactions(first: 10, filter: {date_gte: "2026-01-01"}, sort: DATE_DESC, search: {term: "coffee"}) { ${CONN} }
      account(id: "acct_1") { id } connection(id: "conn_1") { id } transaction(id: "txn_1") { id }
      charges { ${CONN} } holdings { ${CONN} } statements { ${CONN} }
      charge(id: "1") { id } holding(id: "1") { id } merchant(id: "1") { id } recurrence(id: "1") { id } routine(id: "1") { id } statement(id: "1") { id }
      merchants { id } recurrences { id } routines { id }
    }`
  }, bearer(token))
  expectStatus(t, res, 200)
  t.strictSame(res.json(), {
    data: {
      accounts: [],
      connections: [],
      transactions: empty,
      account: null,
      connection: null,
      transaction: null,
      charges: empty,
      holdings: empty,
      statements: empty,
      charge: null,
      holding: null,
      merchant: null,
      recurrence: null,
      routine: null,
      statement: null,
      merchants: [],
      recurrences: [],
      routines: []
    }
  })
  const template = await gql(app, { query: 'query { accounts { id name balance { current } } }' }, bearer(token))
  t.strictSame(template.json(), { data: { accounts: [] } }, 'the template\'s dashboard query renders its empty state')
  const wrong = await gql(app, { query: '{ accounts(filter: {colour: "red"}) { id } }' }, bearer(token))
  t.match(wrong.json().errors[0].message, /Field "colour" is not defined by type "AccountFilter"/)
})

t.test('auth: Bearer session token; Basic profileId:secret; everything else a 401 in Quiltt\'s shape', async t => {
  const { app, clock } = await build(t)
  const { token, profileId, uuid } = await session(app)
  const notAuthenticated = { message: 'Not Authenticated', instruction: String }
  const expect401 = async (headers: Headers, what: string, instruction: RegExp): Promise<void> => {
    const res = await gql(app, { query: TUTORIAL }, headers)
    expectStatus(t, res, 401, what)
    t.match(res.json(), notAuthenticated)
    t.match(res.json().instruction, instruction, what)
  }
  await expect401({}, 'no credentials', /Bearer <Session token>.*Basic/)
  await expect401({ authorization: `Token ${token}` }, 'another scheme', /Bearer <Session token>/)
  await expect401(bearer('not-a-token'), 'garbage', /valid and unexpired Session token/)
  const [h, p, s] = token.split('.') as [string, string, string]
  await expect401(bearer(`${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`), 'forged signature', /Session token/)

  t.strictSame((await gql(app, { query: TUTORIAL }, basic(profileId))).json().data.profile.id, profileId, 'Basic with the p_ id')
  t.strictSame((await gql(app, { query: TUTORIAL }, basic(uuid))).json().data.profile.id, profileId, 'Basic with the UUID')
  await expect401(basic(profileId, 'sk_wrong_secret_000000'), 'Basic with a wrong secret', /Basic <base64 of profileId:API key secret>/)
  await expect401(basic('p_doesNotExist000000000'), 'Basic naming no profile', /Profile of its Environment/)
  await expect401({ authorization: `Basic ${Buffer.from(DEFAULT.secret).toString('base64')}` }, 'Basic without a profile id', /Basic/)
  const other = (await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { name: 'Other' } })).json() as { apiKey: { secret: string } }
  await expect401(basic(profileId, other.apiKey.secret), 'Basic with a profile of another environment', /Profile of its Environment/)

  // Server to server is not rate limited (issuing sessions is, at 10 an hour).
  for (let i = 0; i < 30; i++) expectStatus(t, await gql(app, { query: TUTORIAL }, basic(profileId)), 200, `Basic request ${i + 1}`)

  const revoked = await session(app, { email: 'bob@example.com' })
  expectStatus(t, await app.inject({ method: 'DELETE', url: '/v1/users/session', headers: bearer(revoked.token) }), 204)
  await expect401(bearer(revoked.token), 'revoked', /Session token/)
  const deleted = await session(app, { email: 'carol@example.com' })
  expectStatus(t, await app.inject({ method: 'DELETE', url: `/v1/profiles/${deleted.profileId}`, headers: bearer(DEFAULT.secret) }), 204)
  await expect401(bearer(deleted.token), 'profile deleted', /Session token/)
  await expect401(basic(deleted.profileId), 'Basic, profile deleted', /Basic/)

  expectStatus(t, await gql(app, { query: TUTORIAL }, bearer(token)), 200, 'before expiry')
  clock.advance(24 * 3600 * 1000)
  await expect401(bearer(token), 'expired', /Session token/)
})

t.test('a self-signed session token (signed with the environment\'s signing secret) reads the profile; an expired or forged one is a 401', async t => {
  const { app } = await build(t)
  const { profileId } = await session(app, { email: 'self@example.com' })
  const { signingSecret } = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0] as { signingSecret: string }
  const now = Math.floor(Date.UTC(2026, 0, 1, 12) / 1000)
  const sign = (claims: Record<string, unknown>, secret = signingSecret): string => {
    const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  const ok = await gql(app, { query: TUTORIAL }, bearer(sign({ uid: profileId, exp: now + 60 })))
  expectStatus(t, ok, 200)
  t.strictSame(ok.json(), { data: { profile: { id: profileId, email: 'self@example.com' } } })
  for (const [what, token] of [['expired', sign({ uid: profileId, exp: now })], ['forged', sign({ uid: profileId, exp: now + 60 }, 'x'.repeat(64))]]) {
    expectStatus(t, await gql(app, { query: TUTORIAL }, bearer(token!)), 401, what)
  }
})

t.test('an API key secret as Bearer (Quiltt\'s template\'s codegen.ts) reads the schema and nothing else', async t => {
  const { app } = await build(t)
  const schemaOnly = await gql(app, { query: 'query { __schema { queryType { name } } __typename ...T } fragment T on Query { __type(name: "Profile") { name } }' }, bearer(DEFAULT.secret))
  expectStatus(t, schemaOnly, 200)
  t.strictSame(schemaOnly.json(), { data: { __schema: { queryType: { name: 'Query' } }, __typename: 'Query', __type: { name: 'Profile' } } })
  const data = await gql(app, [{ query: '{ __typename }' }, { query: '{ ...P } fragment P on Query { profile { id } }' }], bearer(DEFAULT.secret))
  expectStatus(t, data, 401, 'a batch asking for data')
  t.match(data.json().instruction, /only reads the schema/)
})

t.test('a JSON array is a batch answered in order; a mutation\'s change is seen by the query after it', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  const res = await gql(app, [
    { operationName: 'Before', query: 'query Before { profile { name } }', variables: {} },
    { operationName: 'Update', query: UPDATE, variables: { input: { name: 'Batched' } } },
    { operationName: 'After', query: 'query After { profile { name } } query Unused { __typename }' },
    { query: '{ nope }' }
  ], bearer(token))
  expectStatus(t, res, 200)
  const [before, update, after, bad] = res.json() as Array<{ data?: Record<string, { name?: string, success?: boolean }>, errors?: Array<{ message: string }> }>
  t.strictSame(before, { data: { profile: { name: null } } })
  t.equal(update!.data!.profileUpdate!.success, true)
  t.strictSame(after, { data: { profile: { name: 'Batched' } } })
  t.match(bad, { errors: [{ message: 'Cannot query field "nope" on type "Query".' }] })
  t.equal(res.json().length, 4)

  const one = await gql(app, [{ query: TUTORIAL }], bearer(token))
  t.ok(Array.isArray(one.json()), 'a batch of one is still an array')
})

t.test('GET with a query string runs queries, not mutations', async t => {
  const { app } = await build(t)
  const { token, profileId } = await session(app)
  const get = (params: Record<string, string>) => app.inject({ url: `/v1/graphql?${new URLSearchParams(params)}`, headers: bearer(token) })
  const res = await get({ query: TUTORIAL })
  expectStatus(t, res, 200)
  t.strictSame(res.json(), { data: { profile: { id: profileId, email: 'alice@example.com' } } })
  const named = await get({ query: 'query A { __typename } query B($id: ID!) { account(id: $id) { id } }', operationName: 'B', variables: '{"id":"acct_1"}' })
  t.strictSame(named.json(), { data: { account: null } })

  const mutation = await get({ query: 'mutation { profileUpdate(input: {name: "Nope"}) { success } }' })
  expectStatus(t, mutation, 405)
  t.equal(mutation.headers.allow, 'POST')
  t.strictSame(mutation.json(), { message: 'Method Not Allowed', instruction: 'Mutations are sent with POST (GraphQL over HTTP); GET runs queries only.' })
  t.equal((await gql(app, { query: '{ profile { name } }' }, bearer(token))).json().data.profile.name, null, 'the mutation did not run')

  expectStatus(t, await get({}), 400, 'no query')
  const badVariables = await get({ query: TUTORIAL, variables: '{nope' })
  expectStatus(t, badVariables, 400)
  t.match(badVariables.json().instruction, /Is `variables` valid JSON\?/)
  expectStatus(t, await get({ query: TUTORIAL, variables: '[1]' }), 400, 'variables not an object')
  expectStatus(t, await app.inject({ url: `/v1/graphql?${new URLSearchParams({ query: TUTORIAL })}` }), 401, 'GET needs credentials too')
})

t.test('CORS: the SDK\'s preflight for its headers passes, and the answer is readable', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  const origin = 'http://localhost:3000'
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/graphql',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,quiltt-client-version,quiltt-sdk-agent' }
  })
  expectStatus(t, preflight, 204)
  t.equal(preflight.headers['access-control-allow-origin'], '*')
  t.match(preflight.headers['access-control-allow-methods'], /POST/)
  t.match(preflight.headers['access-control-allow-methods'], /GET/)
  t.equal(preflight.headers['access-control-allow-headers'], 'authorization,content-type,quiltt-client-version,quiltt-sdk-agent')
  const res = await gql(app, [{ query: TUTORIAL }], { ...bearer(token), origin, 'quiltt-client-version': '@quiltt/core: v6.1.0', 'quiltt-sdk-agent': 'Quiltt/6.1.0 (Browser)' })
  expectStatus(t, res, 200)
  t.equal(res.headers['access-control-allow-origin'], '*')
  const denied = await gql(app, { query: TUTORIAL }, { origin })
  t.equal(denied.headers['access-control-allow-origin'], '*', 'a 401 is readable too, so the SDK can see it and log out')
})

t.test('errors: GraphQL errors in `errors`, bad HTTP in Quiltt\'s shapes, limits with a clear message, never a 500', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  const auth = bearer(token)
  const errorsOf = async (payload: unknown): Promise<Array<{ message: string }>> => {
    const res = await gql(app, payload, auth)
    expectStatus(t, res, 200, JSON.stringify(payload).slice(0, 60))
    t.equal(res.json().data, undefined, 'no data')
    return res.json().errors
  }

  t.match(await errorsOf({ query: '{ profile { id }' }), [{ message: /^Syntax Error: Expected Name, found <EOF>/, locations: [{ line: 1, column: 17 }] }])
  t.match(await errorsOf({ query: '' }), [{ message: /^Syntax Error/ }], 'an empty document')
  t.match(await errorsOf({ query: '{ profile { nope } }' }), [{ message: 'Cannot query field "nope" on type "Profile".' }])
  t.match(await errorsOf({ query: 'query Q { __typename }', operationName: 'R' }), [{ message: 'Unknown operation named "R".' }])
  t.match(await errorsOf({ query: 'query ($n: Int) { transactions(first: $n) { count } }', variables: { n: 'x' } }), [{ message: /Variable "\$n" got invalid value "x"/ }])
  const subscription = await gql(app, { query: 'subscription { profile { id } }' }, auth)
  t.match(subscription.json().errors, [{ message: 'Cannot query field "profile" on type "Subscription".' }], 'Quiltt\'s Subscription type is served')
  const ping = await gql(app, { query: 'subscription { ping { timestamp } }' }, auth)
  t.strictSame(ping.json(), { errors: [{ message: 'Subscriptions are not emulated: Quiltt serves them over ActionCable at /websockets, which quiltt-mock does not.' }] }, 'no subscriptions (the SDK sends them over ActionCable)')

  // Depth: 20 levels are answered, 21 are not.
  const nest = (levels: number): string => {
    let q = 'id'
    for (let i = levels - 1; i >= 1; i--) q = `${i % 2 === 1 ? 'accounts' : 'connection'} { ${q} }`
    return `{ ${q} }`
  }
  t.strictSame((await gql(app, { query: nest(20) }, auth)).json(), { data: { accounts: [] } }, '20 levels')
  t.match(await errorsOf({ query: `query Deep ${nest(21)}` }), [{ message: 'Operation "Deep" is nested more than 20 levels deep; quiltt-mock answers at most 20.' }])
  // Through fragments: accounts { ...A0 }, A_i on Account { connection { ...C_i } }, C_i on Connection { accounts { ...A_i+1 } }.
  const chain = (pairs: number): string => `{ accounts { ...A0 } } ${Array.from({ length: pairs }, (_, i) =>
    `fragment A${i} on Account { connection { ...C${i} } } fragment C${i} on Connection { accounts { ${i + 1 < pairs ? `...A${i + 1}` : 'id'} } }`).join(' ')}`
  t.strictSame((await gql(app, { query: chain(9) }, auth)).json(), { data: { accounts: [] } }, '20 levels through fragments')
  t.match(await errorsOf({ query: chain(10) }), [{ message: 'The operation is nested more than 20 levels deep; quiltt-mock answers at most 20.' }], '22 through fragments')
  t.match(await errorsOf({ query: '{ ...A } fragment A on Query { ...A }' }), [{ message: 'Cannot spread fragment "A" within itself.' }], 'a fragment cycle is reported, not followed')
  // Size: tokens, nesting the parser cannot follow, and fields too many to compare.
  t.match(await errorsOf({ query: `{ ${'__typename '.repeat(5001)}}` }), [{ message: /^Syntax Error: Document contains more tha[nt] 5000 tokens/ }])
  // As deep as 5000 tokens go: whether the token limit or the parser's stack gives out first depends on the stack, and both are a clear error.
  t.match(await errorsOf({ query: `{ ${'a { '.repeat(2499)}b${' }'.repeat(2499)} }` }),
    [{ message: /^Syntax Error: (Document contains more tha[nt] 5000 tokens|the document is nested too deeply to parse\.)/ }])
  const deep = parseDocument(`{ ${'a { '.repeat(100_000)}b${' }'.repeat(100_000)} }`, Infinity)
  t.match(deep, { message: 'Syntax Error: the document is nested too deeply to parse.' }, 'past the parser\'s stack: an error to answer with, not a throw')
  t.match(await errorsOf({ query: `{ ${'__typename '.repeat(1500)}}` }), [{ message: /^Validation aborted: the operation repeats too many fields to check/ }])

  const http = async (payload: string | object, contentType: string, status: number, instruction: RegExp): Promise<void> => {
    const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { ...auth, 'content-type': contentType }, payload })
    expectStatus(t, res, status, String(instruction))
    t.match(res.json(), { message: String, instruction })
  }
  await http('{"query": ', 'application/json', 400, /Is the request body valid JSON\?/)
  await http('query { profile { id } }', 'application/graphql', 415, /Content-Type: application\/json/)
  await http('', 'application/json', 400, /The body is not a GraphQL request/)
  await http({ variables: {} }, 'application/json', 400, /The body has no `query` string/)
  await http({ query: TUTORIAL, variables: [1] }, 'application/json', 400, /`variables` of the body must be a JSON object/)
  await http({ query: TUTORIAL, operationName: 5 }, 'application/json', 400, /`operationName` of the body must be a string/)
  await http([], 'application/json', 400, /The batch is empty/)
  await http([{ query: TUTORIAL }, 'x'], 'application/json', 400, /Entry 1 of the batch is not a GraphQL request/)
  await http(Array.from({ length: 51 }, () => ({ query: TUTORIAL })), 'application/json', 400, /at most 50 operations; this one has 51/)
  await http('{"query": "{ __typename }", "variables": {"__proto__": {"x": 1}}}', 'application/json', 400, /valid JSON/)
})

t.test('a resolver\'s unexpected failure is a GraphQL error with an errorId, logged, never a 500', async t => {
  const logged: unknown[] = []
  const { app } = await build(t, { logger: { level: 'error', stream: { write: (line: string) => { logged.push(JSON.parse(line)) } } } })
  const { token } = await session(app)
  const { profiles } = app.emulator.services
  const { view, require } = profiles
  t.teardown(() => { Object.assign(profiles, { view, require }) })
  profiles.view = () => { throw new Error('boom') }
  const res = await gql(app, { query: '{ profile { id } accounts { id } }' }, bearer(token))
  expectStatus(t, res, 200)
  const body = res.json()
  t.equal(body.data, null, 'profile is non-null, so its failure nulls the whole data')
  t.match(body.errors, [{ message: 'Internal Server Error', path: ['profile'], extensions: { errorId: String, instruction: /bug in quiltt-mock/ } }])
  t.match(logged, [{ msg: 'unhandled error in a GraphQL resolver', errorId: body.errors[0].extensions.errorId, err: { message: 'boom' } }])

  profiles.view = view
  const { errors: quiltt } = await import('../server/errors.js')
  profiles.require = () => { throw quiltt.profileNotFound('p_gone') }
  const gone = await gql(app, { query: '{ profile { id } }' }, bearer(token))
  t.match(gone.json().errors, [{ message: 'Not Found', path: ['profile'], extensions: { instruction: /p_gone/ } }], 'Quiltt\'s errors keep their message and instruction')
})

t.test('the journal names each operation, and faults apply to /v1/graphql as to any Quiltt path', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  await gql(app, [{ operationName: 'Profile', query: 'query Profile { profile { id } }' }, { operationName: 'Update', query: UPDATE, variables: { input: { name: 'J' } } }], bearer(token))
  await gql(app, { query: TUTORIAL }, bearer(token))
  await app.inject({ url: `/v1/graphql?${new URLSearchParams({ query: 'query Accounts { accounts { id } }' })}`, headers: bearer(token) })
  await gql(app, { query: '{ broken' }, bearer(token))

  const fault = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'POST', path: '/v1/graphql', status: 503 } })
  expectStatus(t, fault, 201)
  const faulted = await gql(app, { operationName: 'Profile', query: 'query Profile { profile { id } }' }, bearer(token))
  expectStatus(t, faulted, 503)
  t.match(faulted.json(), { message: 'Service Unavailable', instruction: /fault flt_1/, errorId: String })
  expectStatus(t, await gql(app, { query: TUTORIAL }, bearer(token)), 200, 'the fault is used up')

  const requests = (await app.inject({ url: '/emulator/v1/requests?path=/v1/graphql' })).json().requests as Array<{ method: string, status: number, graphql: unknown, faultId?: string, query: string | null }>
  t.strictSame(requests.map(r => [r.method, r.status, r.graphql]), [
    ['POST', 200, [{ operationName: null, operationType: 'query' }]],
    ['POST', 503, [{ operationName: 'Profile', operationType: 'query' }]],
    ['POST', 200, [{ operationName: null, operationType: null }]],
    ['GET', 200, [{ operationName: 'Accounts', operationType: 'query' }]],
    ['POST', 200, [{ operationName: null, operationType: 'query' }]],
    ['POST', 200, [{ operationName: 'Profile', operationType: 'query' }, { operationName: 'Update', operationType: 'mutation' }]]
  ])
  t.equal(requests[1]!.faultId, 'flt_1')
  const other = (await app.inject({ url: '/emulator/v1/requests?path=/v1/users/sessions' })).json().requests as Array<Record<string, unknown>>
  t.notOk('graphql' in other[0]!, 'other paths have no graphql field')
})

t.test('profileUpdate refuses metadata a JSON body could not carry (a __proto__ key), as the REST Profiles API does', async t => {
  const { app } = await build(t)
  const { token, profileId } = await session(app, { email: 'proto@example.com' })
  for (const literal of ['{__proto__: {polluted: 1}, ok: 1}', '{ok: {constructor: {prototype: {x: 1}}}}']) {
    const res = await gql(app, { query: `mutation { profileUpdate(input: {metadata: ${literal}}) { success errors { message path } } }` }, bearer(token))
    expectStatus(t, res, 200)
    t.strictSame(res.json().data.profileUpdate, {
      success: false,
      errors: [{ message: 'metadata must not have a __proto__ key, or a constructor key holding a prototype', path: ['metadata'] }]
    }, literal)
  }
  const stored = await app.inject({ url: `/v1/profiles/${profileId}`, headers: bearer(DEFAULT.secret) })
  t.equal(stored.json().metadata, null, 'nothing was written')
  const fine = await gql(app, { query: 'mutation { profileUpdate(input: {metadata: {constructor: "a name", ok: 1}}) { success } }' }, bearer(token))
  t.equal(fine.json().data.profileUpdate.success, true, 'a plain constructor key is fine, as in a JSON body')
})

t.test('roots and mutations with no data behind them: null, empty, or a GraphQL error saying "not emulated"; never a 500', async t => {
  const { app } = await build(t)
  const { token } = await session(app)
  const res = await gql(app, {
    query: `mutation {
      moveOnce(input: {sourceAccountId: "acct_1", amount: 1, authorizationMandate: "yes"}) { success }
      connectorPlaidInitialize(input: {featuresRequired: [ACCOUNT_NUMBERS]}) { success }
      profileUpdate(input: {name: "Still works"}) { success record { name } }
    }`
  }, bearer(token))
  expectStatus(t, res, 200)
  const body = res.json()
  t.strictSame(body.data, { moveOnce: null, connectorPlaidInitialize: null, profileUpdate: { success: true, record: { name: 'Still works' } } })
  t.strictSame(body.errors.map((e: { message: string, path: string[] }) => [e.path, e.message]), [
    [['moveOnce'], 'moveOnce is not emulated: quiltt-mock has no data or provider behind it (docs/bank-data.md).'],
    [['connectorPlaidInitialize'], 'connectorPlaidInitialize is not emulated: quiltt-mock has no data or provider behind it (docs/bank-data.md).']
  ])
  const roots = await gql(app, { query: '{ charges(first: 5) { count nodes { id } } routines { id } recurrences { id } merchants { id } merchant(id: "m_1") { id } routine(id: "r") { id } }' }, bearer(token))
  t.strictSame(roots.json(), { data: { charges: { count: 0, nodes: [] }, routines: [], recurrences: [], merchants: [], merchant: null, routine: null } })
})
