/**
 * Consumer `quiltt-js-sdk`: the real `@quiltt/core` AuthAPI against Pact's mock server, recording
 * what the SDK sends and what it accepts. The SDK reads QUILTT_API_DOMAIN once, at import, and always
 * calls `auth.<domain>`: so the mock server's port is chosen first, the preload maps `auth.localhost`
 * to loopback, and the SDK is imported after.
 */
import '../../server/drop-in/register.js'
import t from 'tap'
import { MatchersV3, PactV4 } from '@pact-foundation/pact'
import { DEFAULT, EXAMPLE_TOKEN, freePort, freshPact, oneConnectionPerRequest, PACT_DIR, PROVIDER, restError, settled, stateBearer, token, untilPortFree } from '../support.js'

const { eachLike, regex, string } = MatchersV3
const CONSUMER = 'quiltt-js-sdk'

const port = await freePort()
process.env.QUILTT_API_DOMAIN = `localhost:${port}`
process.env.QUILTT_API_INSECURE = 'true'
const { AuthAPI } = await import('@quiltt/core/api/rest')

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
