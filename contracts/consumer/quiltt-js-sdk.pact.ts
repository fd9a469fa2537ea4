/**
 * Consumer `quiltt-js-sdk`: the real `@quiltt/core` AuthAPI, and its GraphQL client (QuilttClient:
 * Apollo with BatchHttpLink) asking what Quiltt's template asks, against Pact's mock server,
 * recording what the SDK sends and what it accepts. The SDK reads QUILTT_API_DOMAIN once, at import,
 * and calls `auth.<domain>` and `api.<domain>`: so the mock server's port is chosen first, the
 * preload maps `auth.localhost` and `api.localhost` to loopback, and the SDK is imported after.
 */
import '../../server/drop-in/register.js'
import t from 'tap'
import { MatchersV3, PactV4 } from '@pact-foundation/pact'
import { DEFAULT, EXAMPLE_TOKEN, freePort, freshPact, oneConnectionPerRequest, PACT_DIR, PROVIDER, restError, settled, stateBearer, token, UNEXPIRED_TOKEN, untilPortFree } from '../support.js'

const { boolean, eachLike, like, regex, string } = MatchersV3
const CONSUMER = 'quiltt-js-sdk'

const port = await freePort()
process.env.QUILTT_API_DOMAIN = `localhost:${port}`
process.env.QUILTT_API_INSECURE = 'true'
const { AuthAPI } = await import('@quiltt/core/api/rest')
const { QuilttClient, InMemoryCache, createVersionLink, gql } = await import('@quiltt/core/api/graphql')
const { GlobalStorage } = await import('@quiltt/core/storage')

oneConnectionPerRequest()
freshPact(CONSUMER)
const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: PACT_DIR, port, logLevel: 'warn' })
const auth = new AuthAPI(DEFAULT.clientId)
// Every interaction's mock server takes the one port the SDK knows: each waits for the last to let go.
t.beforeEach(() => untilPortFree(port))

// What the SDK puts on every request.
const sdkHeaders = {
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'Quiltt-SDK-Agent': regex('^Quiltt/\\d+\\.\\d+\\.\\d+ \\(.+\\)$', 'Quiltt/6.1.0 (Unknown)')
}
const json = { 'Content-Type': 'application/json; charset=utf-8' }
const sessionBody = (fields: Record<string, unknown>) => ({ session: { clientId: DEFAULT.clientId, ...fields } })
const sessionNotAuthenticated = restError('Not Authenticated', 'Are you sending a valid and unexpired Session token in the `Authorization` header?')

t.test('identify', async t => {
  await t.test('201: a new email creates a profile and a session', async t => {
    await pact.addInteraction()
      .uponReceiving('the SDK identifies a new email')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'new.user@example.com' })))
      .willRespondWith(201, b => b.headers(json).jsonBody({ token: token() }))
      .executeTest(settled(pact, async () => {
        const res = await auth.identify({ email: 'new.user@example.com' })
        t.equal(res.status, 201)
        t.equal((res.data as { token: string }).token, EXAMPLE_TOKEN)
      }))
  })

  await t.test('202: an existing email gets a passcode', async t => {
    await pact.addInteraction()
      .given('a profile exists', { email: 'existing@example.com' })
      .uponReceiving('the SDK identifies an existing email')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'existing@example.com' })))
      .willRespondWith(202)
      .executeTest(settled(pact, async () => {
        const res = await auth.identify({ email: 'existing@example.com' })
        t.equal(res.status, 202)
        t.equal(res.data, null, 'no body: the SDK reads null')
      }))
  })

  await t.test('403: signups are disabled', async t => {
    await pact.addInteraction()
      .given('signups are disabled')
      .uponReceiving('the SDK identifies a new email while signups are disabled')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'new.user@example.com' })))
      .willRespondWith(403, b => b.headers(json).jsonBody(restError('Forbidden', 'Signups are disabled for this Environment.')))
      .executeTest(settled(pact, async () => {
        const res = await auth.identify({ email: 'new.user@example.com' })
        t.equal(res.status, 403)
      }))
  })

  await t.test('422: an invalid email', async t => {
    await pact.addInteraction()
      .uponReceiving('the SDK identifies an invalid email')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'not-an-email' })))
      .willRespondWith(422, b => b.headers(json).jsonBody({ email: eachLike(string('is invalid')) }))
      .executeTest(settled(pact, async () => {
        const res = await auth.identify({ email: 'not-an-email' })
        t.equal(res.status, 422)
        t.strictSame(res.data, { email: ['is invalid'] })
      }))
  })
})

t.test('authenticate', async t => {
  await t.test('201: the passcode that was sent', async t => {
    await pact.addInteraction()
      .given('a passcode was issued', { email: 'existing@example.com', passcode: '123456' })
      .uponReceiving('the SDK authenticates with the right passcode')
      .withRequest('PUT', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'existing@example.com', passcode: '123456' })))
      .willRespondWith(201, b => b.headers(json).jsonBody({ token: token() }))
      .executeTest(settled(pact, async () => {
        const res = await auth.authenticate({ email: 'existing@example.com', passcode: '123456' })
        t.equal(res.status, 201)
        t.equal((res.data as { token: string }).token, EXAMPLE_TOKEN)
      }))
  })

  await t.test('401: a wrong passcode', async t => {
    await pact.addInteraction()
      .given('a passcode was issued', { email: 'existing@example.com', passcode: '123456' })
      .uponReceiving('the SDK authenticates with a wrong passcode')
      .withRequest('PUT', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'existing@example.com', passcode: '654321' })))
      .willRespondWith(401, b => b.headers(json).jsonBody(restError('Not Authenticated', 'Is the passcode correct and unexpired?')))
      .executeTest(settled(pact, async () => {
        const res = await auth.authenticate({ email: 'existing@example.com', passcode: '654321' })
        t.equal(res.status, 401)
        t.equal((res.data as { message: string }).message, 'Not Authenticated')
      }))
  })

  await t.test('422: a passcode that is not 6 digits', async t => {
    await pact.addInteraction()
      .uponReceiving('the SDK authenticates with a malformed passcode')
      .withRequest('PUT', '/v1/users/session', b => b.headers(sdkHeaders).jsonBody(sessionBody({ email: 'existing@example.com', passcode: '12ab' })))
      .willRespondWith(422, b => b.headers(json).jsonBody({ passcode: eachLike(string('must be a 6-digit number')) }))
      .executeTest(settled(pact, async () => {
        const res = await auth.authenticate({ email: 'existing@example.com', passcode: '12ab' })
        t.equal(res.status, 422)
        t.ok((res.data as Record<string, string[]>).passcode?.length, 'names the passcode field')
      }))
  })
})

t.test('ping', async t => {
  await t.test('200: a live session token', async t => {
    await pact.addInteraction()
      .given('a session exists', { email: 'existing@example.com' })
      .uponReceiving('the SDK pings a live session')
      .withRequest('GET', '/v1/users/session', b => b.headers({ ...sdkHeaders, Authorization: stateBearer() }))
      .willRespondWith(200, b => b.headers(json).jsonBody({ token: token() }))
      .executeTest(settled(pact, async () => {
        const res = await auth.ping(EXAMPLE_TOKEN)
        t.equal(res.status, 200)
        t.equal((res.data as { token: string }).token, EXAMPLE_TOKEN)
      }))
  })

  await t.test('401: a token that is not a session', async t => {
    await pact.addInteraction()
      .uponReceiving('the SDK pings an invalid token')
      .withRequest('GET', '/v1/users/session', b => b.headers({ ...sdkHeaders, Authorization: 'Bearer not.a.session' }))
      .willRespondWith(401, b => b.headers(json).jsonBody(sessionNotAuthenticated))
      .executeTest(settled(pact, async () => {
        const res = await auth.ping('not.a.session')
        t.equal(res.status, 401)
      }))
  })
})

t.test('revoke', async t => {
  await t.test('204: a live session token', async t => {
    await pact.addInteraction()
      .given('a session exists', { email: 'existing@example.com' })
      .uponReceiving('the SDK revokes a live session')
      .withRequest('DELETE', '/v1/users/session', b => b.headers({ ...sdkHeaders, Authorization: stateBearer() }))
      .willRespondWith(204)
      .executeTest(settled(pact, async () => {
        const res = await auth.revoke(EXAMPLE_TOKEN)
        t.equal(res.status, 204)
        t.equal(res.data, null)
      }))
  })

  await t.test('401: a session that was already revoked', async t => {
    await pact.addInteraction()
      .given('a session was revoked', { email: 'existing@example.com' })
      .uponReceiving('the SDK revokes a revoked session')
      .withRequest('DELETE', '/v1/users/session', b => b.headers({ ...sdkHeaders, Authorization: stateBearer() }))
      .willRespondWith(401, b => b.headers(json).jsonBody(sessionNotAuthenticated))
      .executeTest(settled(pact, async () => {
        const res = await auth.revoke(EXAMPLE_TOKEN)
        t.equal(res.status, 401)
      }))
  })
})

// GraphQL, as Quiltt's Next.js template asks it. Apollo prints each query with `__typename` added to
// every selection set, and BatchHttpLink posts even a lone operation as a batch of one.
const BANK_STATE = 'a profile has a connection with accounts'
/** The state's connection: a checking and a savings account, with a few transactions (contracts/README.md). */
const BANK_PARAMS = { email: 'existing@example.com' }
const graphqlHeaders = {
  'Content-Type': 'application/json',
  Accept: 'application/graphql-response+json,application/json;q=0.9',
  'Quiltt-Client-Version': regex('^@quiltt/core: v\\d+\\.\\d+\\.\\d+$', '@quiltt/core: v6.1.0'),
  'Quiltt-SDK-Agent': regex('^Quiltt/\\d+\\.\\d+\\.\\d+ \\(.+\\)$', 'Quiltt/6.1.0 (Node.js; quiltt-mock contracts)'),
  // The session of the state's profile (the state answers its `token`).
  Authorization: stateBearer(UNEXPIRED_TOKEN)
}
/** One operation as BatchHttpLink sends it. */
const operation = (query: string, operationName?: string) => ({
  ...(operationName ? { operationName } : {}),
  variables: {},
  extensions: { clientLibrary: { name: '@apollo/client', version: like('4.3.8') } },
  query
})

/** The template's dashboard: `query { accounts { id name balance { current } } }` (T), and its named form (T2). */
const DASHBOARD = 'query { accounts { id name balance { current } } }'
const DASHBOARD_SENT = '{\n  accounts {\n    id\n    name\n    balance {\n      current\n      __typename\n    }\n    __typename\n  }\n}'
const NAMED_DASHBOARD = 'query AccountsQuery { accounts { id name balance { current } } }'
const NAMED_DASHBOARD_SENT = `query AccountsQuery ${DASHBOARD_SENT}`
const TRANSACTIONS = 'query { transactions(first: 50) { nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }'
const TRANSACTIONS_SENT = '{\n  transactions(first: 50) {\n    nodes {\n      id\n      date\n      amount\n      description\n      status\n      __typename\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n      __typename\n    }\n    __typename\n  }\n}'

const accounts = {
  accounts: eachLike({
    id: regex('^acct_[0-9A-Za-z]+$', 'acct_1hyoxpVVFib1HngGwKAzIr'),
    name: like('Everyday Checking'),
    balance: { current: like(1523.42), __typename: 'Balance' },
    __typename: 'Account'
  })
}
const transactionsPage = {
  transactions: {
    nodes: eachLike({
      id: regex('^txn_[0-9A-Za-z]+$', 'txn_1hyoxpVVFib1HngGwKAzIr'),
      date: regex('^\\d{4}-\\d{2}-\\d{2}$', '2026-03-31'),
      amount: like(-4.5),
      description: like('Blue Bottle Coffee'),
      status: regex('^(PENDING|POSTED)$', 'POSTED'),
      __typename: 'Transaction'
    }),
    // The state's few transactions fit in one page.
    pageInfo: { endCursor: like('MjAyNi0wMy0zMXx0eG5fMQ'), hasNextPage: boolean(false), __typename: 'PageInfo' },
    __typename: 'TransactionConnection'
  }
}

/** A fresh client (its own cache: nothing is answered without a request), with the state's session stored as the SDK stores it. */
function graphqlClient (): InstanceType<typeof QuilttClient> {
  GlobalStorage.set('session', UNEXPIRED_TOKEN)
  return new QuilttClient({ cache: new InMemoryCache(), versionLink: createVersionLink('Node.js; quiltt-mock contracts') })
}

t.test('graphql', async t => {
  for (const [name, query, sent, operationName] of [
    ['the template\'s dashboard query', DASHBOARD, DASHBOARD_SENT, undefined],
    ['the dashboard query, named (AccountsQuery)', NAMED_DASHBOARD, NAMED_DASHBOARD_SENT, 'AccountsQuery']
  ] as const) {
    await t.test(`200: ${name}`, async t => {
      await pact.addInteraction()
        .given(BANK_STATE, BANK_PARAMS)
        .uponReceiving(`the SDK's GraphQL client asks for ${name}`)
        .withRequest('POST', '/v1/graphql', b => b.headers(graphqlHeaders).jsonBody([operation(sent, operationName)]))
        .willRespondWith(200, b => b.headers(json).jsonBody([{ data: accounts }]))
        .executeTest(settled(pact, async () => {
          const res = await graphqlClient().query({ query: gql(query) })
          t.strictSame(res.data, { accounts: [{ __typename: 'Account', id: 'acct_1hyoxpVVFib1HngGwKAzIr', name: 'Everyday Checking', balance: { __typename: 'Balance', current: 1523.42 } }] })
        }))
    })
  }

  await t.test('200: a page of 50 transactions', async t => {
    await pact.addInteraction()
      .given(BANK_STATE, BANK_PARAMS)
      .uponReceiving('the SDK\'s GraphQL client asks for a page of 50 transactions')
      .withRequest('POST', '/v1/graphql', b => b.headers(graphqlHeaders).jsonBody([operation(TRANSACTIONS_SENT)]))
      .willRespondWith(200, b => b.headers(json).jsonBody([{ data: transactionsPage }]))
      .executeTest(settled(pact, async () => {
        const res = await graphqlClient().query({ query: gql(TRANSACTIONS) })
        t.match(res.data, { transactions: { nodes: [{ id: 'txn_1hyoxpVVFib1HngGwKAzIr', date: '2026-03-31', amount: -4.5, status: 'POSTED' }], pageInfo: { hasNextPage: false } } })
      }))
  })

  await t.test('200: the dashboard and the transactions batched into one request', async t => {
    await pact.addInteraction()
      .given(BANK_STATE, BANK_PARAMS)
      .uponReceiving('the SDK\'s GraphQL client batches the dashboard\'s accounts and a page of transactions')
      .withRequest('POST', '/v1/graphql', b => b.headers(graphqlHeaders).jsonBody([operation(NAMED_DASHBOARD_SENT, 'AccountsQuery'), operation(TRANSACTIONS_SENT)]))
      .willRespondWith(200, b => b.headers(json).jsonBody([{ data: accounts }, { data: transactionsPage }]))
      .executeTest(settled(pact, async () => {
        const client = graphqlClient()
        const [dashboard, page] = await Promise.all([client.query({ query: gql(NAMED_DASHBOARD) }), client.query({ query: gql(TRANSACTIONS) })])
        t.match(dashboard.data, { accounts: [{ id: 'acct_1hyoxpVVFib1HngGwKAzIr' }] })
        t.match(page.data, { transactions: { pageInfo: { hasNextPage: false } } })
      }))
  })
})
