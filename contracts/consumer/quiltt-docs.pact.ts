/**
 * Consumer `quiltt-docs`: one interaction for every example of the two guides the project was made
 * from (server-side sessions with the App Secret; client-side passwordless, phone strategy), plus
 * introspection, revocation and the documented errors. Exact values where the guides fix them
 * (status codes, the UUID the caller supplied, Quiltt's error messages), matchers where values vary.
 */
import t from 'tap'
import { MatchersV3, PactV4, type V3MockServer } from '@pact-foundation/pact'
import { bearerToken, DEFAULT, EXAMPLE_PROFILE_ID, EXAMPLE_TOKEN, freshPact, GUIDE_UUID, oneConnectionPerRequest, PACT_DIR, PHONE, PROVIDER, restError, settled, session, stateBearer, token } from '../support.js'

const { like, regex } = MatchersV3
const CONSUMER = 'quiltt-docs'

oneConnectionPerRequest()
freshPact(CONSUMER)
const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: PACT_DIR, logLevel: 'warn' })

// The guides fix the response content type: `Content-Type: application/json; charset=utf-8`.
const json = { 'Content-Type': 'application/json; charset=utf-8' }
const appSecret = { Authorization: `Bearer ${DEFAULT.secret}`, 'Content-Type': 'application/json' }
const PHONE_NUMBER = '+12223334444'

async function call (server: V3MockServer, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) as Record<string, unknown> }
}

t.test('server-side guide: how to authenticate a new user', async t => {
  await t.test('without profile attributes', async t => {
    await pact.addInteraction()
      .uponReceiving('a session for a new user without profile attributes')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({}))
      .willRespondWith(201, b => b.headers(json).jsonBody(session()))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, {})
        t.equal(res.status, 201)
        t.equal(res.body?.token, EXAMPLE_TOKEN)
      }))
  })

  await t.test('with profile attributes', async t => {
    const attributes = { email: 'joeexotic@tigerking.com', name: 'Joe Exotic', metadata: { firebaseId: 'Xk3D12aB4zO7QW5z8s9Y' } }
    await pact.addInteraction()
      .uponReceiving('a session for a new user with profile attributes')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody(attributes))
      .willRespondWith(201, b => b.headers(json).jsonBody(session()))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, attributes)
        t.equal(res.status, 201)
      }))
  })

  await t.test('with an ID', async t => {
    await pact.addInteraction()
      .uponReceiving('a session for a new user with an ID')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ uuid: GUIDE_UUID }))
      .willRespondWith(201, b => b.headers(json).jsonBody(session({ userUuid: GUIDE_UUID })))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, { uuid: GUIDE_UUID })
        t.equal(res.status, 201)
        t.equal(res.body?.userUuid, GUIDE_UUID)
      }))
  })
})

t.test('server-side guide: how to authenticate an existing user', async t => {
  await t.test('find user by UUID', async t => {
    await pact.addInteraction()
      .given('a profile exists', { uuid: GUIDE_UUID })
      .uponReceiving('a session for an existing user found by UUID')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ userId: GUIDE_UUID }))
      .willRespondWith(201, b => b.headers(json).jsonBody(session({ userUuid: GUIDE_UUID })))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, { userId: GUIDE_UUID })
        t.equal(res.body?.userUuid, GUIDE_UUID)
      }))
  })

  await t.test('find user by UUID and update profile', async t => {
    const body = { userId: GUIDE_UUID, name: 'Joe Exotic', phone: PHONE_NUMBER }
    await pact.addInteraction()
      .given('a profile exists', { uuid: GUIDE_UUID })
      .uponReceiving('a session for an existing user found by UUID, updating the profile')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody(body))
      .willRespondWith(201, b => b.headers(json).jsonBody(session({ userUuid: GUIDE_UUID })))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, body)
        t.equal(res.body?.userUuid, GUIDE_UUID)
      }))
  })
})

t.test('server-side: an existing user found by the p_ id, as Quiltt\'s template logs in', async t => {
  await pact.addInteraction()
    .given('a profile exists', { uuid: GUIDE_UUID })
    .uponReceiving('a session for an existing user found by profile id')
    .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ userId: MatchersV3.fromProviderState('${profileId}', EXAMPLE_PROFILE_ID) }))
    .willRespondWith(201, b => b.headers(json).jsonBody(session({ userUuid: GUIDE_UUID })))
    .executeTest(settled(pact, async server => {
      const res = await call(server, 'POST', '/v1/users/sessions', appSecret, { userId: EXAMPLE_PROFILE_ID })
      t.equal(res.body?.userId, EXAMPLE_PROFILE_ID)
    }))
})

t.test('server-side errors', async t => {
  await t.test('401: a wrong App Secret', async t => {
    const wrong = { ...appSecret, Authorization: 'Bearer sk_not_the_secret' }
    await pact.addInteraction()
      .uponReceiving('a session request with a wrong App Secret')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(wrong).jsonBody({}))
      .willRespondWith(401, b => b.headers(json).jsonBody(restError('Not Authenticated')))
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'POST', '/v1/users/sessions', wrong, {})).status, 401)
      }))
  })

  await t.test('409: a UUID that is taken', async t => {
    await pact.addInteraction()
      .given('a profile exists', { uuid: GUIDE_UUID })
      .uponReceiving('a session for a new user with a UUID that is taken')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ uuid: GUIDE_UUID }))
      .willRespondWith(409, b => b.headers(json).jsonBody({ message: 'Conflict', instruction: 'UUID is not available' }))
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'POST', '/v1/users/sessions', appSecret, { uuid: GUIDE_UUID })).status, 409)
      }))
  })

  await t.test('404: a userId with no profile', async t => {
    const unknown = '99999999-9999-4999-8999-999999999999'
    await pact.addInteraction()
      .uponReceiving('a session for a userId that has no profile')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ userId: unknown }))
      .willRespondWith(404, b => b.headers(json).jsonBody(restError('Not Found', `Does Profile with ID \`${unknown}\` exist in this Environment?`)))
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'POST', '/v1/users/sessions', appSecret, { userId: unknown })).status, 404)
      }))
  })

  await t.test('429: the profile reached its session limit', async t => {
    await pact.addInteraction()
      .given('the session limit is reached', { uuid: GUIDE_UUID })
      .uponReceiving('a session for a profile that reached its hourly limit')
      .withRequest('POST', '/v1/users/sessions', b => b.headers(appSecret).jsonBody({ userId: GUIDE_UUID }))
      .willRespondWith(429, b => b.headers({ ...json, 'Retry-After': regex('^[1-9][0-9]*$', '3600') })
        .jsonBody(restError('Too Many Requests', 'Sessions are limited to 10 per hour and 20 per day per Profile.')))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/sessions', appSecret, { userId: GUIDE_UUID })
        t.equal(res.status, 429)
        t.equal(res.headers.get('retry-after'), '3600')
      }))
  })
})

t.test('client-side guide (phone strategy)', async t => {
  const sdk = { 'Content-Type': 'application/json' }
  const submitPhone = { session: { clientId: PHONE.clientId, phone: PHONE_NUMBER } }
  const withPasscode = { session: { clientId: PHONE.clientId, phone: PHONE_NUMBER, passcode: '123456' } }

  await t.test('a new user: 201 Created with the session token in the Authorization header', async t => {
    await pact.addInteraction()
      .uponReceiving('a new phone number is submitted')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdk).jsonBody(submitPhone))
      .willRespondWith(201, b => b.headers({ Authorization: bearerToken() }).jsonBody({ token: token() }))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/users/session', sdk, submitPhone)
        t.equal(res.status, 201)
        t.equal(res.headers.get('authorization'), `Bearer ${EXAMPLE_TOKEN}`)
      }))
  })

  await t.test('an existing user: 202 Accepted, a passcode is sent', async t => {
    await pact.addInteraction()
      .given('a profile exists', { phone: PHONE_NUMBER })
      .uponReceiving('an existing phone number is submitted')
      .withRequest('POST', '/v1/users/session', b => b.headers(sdk).jsonBody(submitPhone))
      .willRespondWith(202)
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'POST', '/v1/users/session', sdk, submitPhone)).status, 202)
      }))
  })

  await t.test('an existing user with the passcode: 201 Created with the session token', async t => {
    await pact.addInteraction()
      .given('a passcode was issued', { phone: PHONE_NUMBER, passcode: '123456' })
      .uponReceiving('a phone number is submitted with its passcode')
      .withRequest('PUT', '/v1/users/session', b => b.headers(sdk).jsonBody(withPasscode))
      .willRespondWith(201, b => b.headers({ Authorization: bearerToken() }).jsonBody({ token: token() }))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'PUT', '/v1/users/session', sdk, withPasscode)
        t.equal(res.status, 201)
        t.equal(res.headers.get('authorization'), `Bearer ${EXAMPLE_TOKEN}`)
      }))
  })
})

t.test('introspection and revocation', async t => {
  await t.test('introspect a session token', async t => {
    await pact.addInteraction()
      .given('a session exists', { uuid: GUIDE_UUID })
      .uponReceiving('a session token is introspected')
      .withRequest('POST', '/v1/introspect/session_token', b => b.headers({ Authorization: stateBearer() }))
      .willRespondWith(200, b => b.headers(json).jsonBody(session({ userUuid: GUIDE_UUID })))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/introspect/session_token', { Authorization: `Bearer ${EXAMPLE_TOKEN}` })
        t.equal(res.body?.userUuid, GUIDE_UUID)
      }))
  })

  await t.test('introspect the App Secret', async t => {
    await pact.addInteraction()
      .uponReceiving('the App Secret is introspected')
      .withRequest('POST', '/v1/introspect/api_key', b => b.headers({ Authorization: `Bearer ${DEFAULT.secret}` }))
      .willRespondWith(200, b => b.headers(json).jsonBody({
        id: regex('^api_[A-Za-z0-9]+$', 'api_0mockDefaultApiKey00000'),
        name: like('Sandbox API Key'),
        apiVersion: regex('^\\d{4}-\\d{2}-\\d{2}$', '2026-04-01'),
        environment: {
          id: regex('^env_[A-Za-z0-9]+$', 'env_0mockDefaultEnvironment'),
          mode: regex('^(TEST|SANDBOX|PRODUCTION)$', 'SANDBOX'),
          name: like('Sandbox')
        }
      }))
      .executeTest(settled(pact, async server => {
        const res = await call(server, 'POST', '/v1/introspect/api_key', { Authorization: `Bearer ${DEFAULT.secret}` })
        t.equal(res.status, 200)
      }))
  })

  await t.test('revoke a session token, which then fails introspection', async t => {
    await pact.addInteraction()
      .given('a session exists', { uuid: GUIDE_UUID })
      .uponReceiving('a session token is revoked')
      .withRequest('DELETE', '/v1/users/session', b => b.headers({ Authorization: stateBearer() }))
      .willRespondWith(204)
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'DELETE', '/v1/users/session', { Authorization: `Bearer ${EXAMPLE_TOKEN}` })).status, 204)
      }))

    await pact.addInteraction()
      .given('a session was revoked', { uuid: GUIDE_UUID })
      .uponReceiving('a revoked session token is introspected')
      .withRequest('POST', '/v1/introspect/session_token', b => b.headers({ Authorization: stateBearer() }))
      .willRespondWith(401, b => b.headers(json).jsonBody(restError('Not Authenticated', 'Are you sending a valid and unexpired Session token in the `Authorization` header?')))
      .executeTest(settled(pact, async server => {
        t.equal((await call(server, 'POST', '/v1/introspect/session_token', { Authorization: `Bearer ${EXAMPLE_TOKEN}` })).status, 401)
      }))
  })
})
