// Drives the unmodified official SDK (@quiltt/core AuthAPI) against a listening emulator, the way
// DESIGN section 3 describes: QUILTT_API_DOMAIN=localhost:<port>, QUILTT_API_INSECURE=true, and the
// quiltt-mock/register preload so that auth.localhost resolves to loopback.
import t from 'tap'
import '../server/drop-in/register.js'
import { JsonWebTokenParse, type PrivateClaims } from '@quiltt/core/auth'
import { buildApp } from '../server/app.js'
import { DEFAULT } from './helper.js'

const app = await buildApp({ db: ':memory:' })
t.teardown(() => app.close())
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }
const base = `http://127.0.0.1:${port}`

// The SDK reads these once, at import time.
process.env.QUILTT_API_DOMAIN = `localhost:${port}`
process.env.QUILTT_API_INSECURE = 'true'
const { AuthAPI } = await import('@quiltt/core/api/rest')

async function latestPasscode (email: string): Promise<string> {
  const res = await fetch(`${base}/emulator/v1/environments/${DEFAULT.environmentId}/passcodes?email=${encodeURIComponent(email)}`)
  const { passcodes } = await res.json() as { passcodes: Array<{ code: string }> }
  return passcodes[0]!.code
}

t.test('the official SDK signs up, logs in, pings and revokes against the emulator', async t => {
  const auth = new AuthAPI(DEFAULT.clientId)
  const email = 'sdk-user@example.com'

  const signup = await auth.identify({ email })
  t.equal(signup.status, 201, 'identify a new user')
  const signupToken = (signup.data as { token: string }).token
  t.equal(signup.headers.get('authorization'), `Bearer ${signupToken}`)

  const challenge = await auth.identify({ email })
  t.equal(challenge.status, 202, 'identify an existing user')
  t.equal(challenge.data, null, 'the SDK sees an empty 202 body as null')

  const code = await latestPasscode(email)
  const wrong = await auth.authenticate({ email, passcode: code === '000000' ? '111111' : '000000' })
  t.equal(wrong.status, 401, 'a wrong passcode')
  t.match(wrong.data, { message: 'Not Authenticated', instruction: String })

  const login = await auth.authenticate({ email, passcode: code })
  t.equal(login.status, 201, 'the right passcode')
  const token = (login.data as { token: string }).token

  for (const tk of [signupToken, token]) {
    const jwt = JsonWebTokenParse<PrivateClaims>(tk)
    t.ok(jwt, 'JsonWebTokenParse accepts the token')
    t.equal(jwt!.claims.eid, DEFAULT.environmentId)
  }

  const ping = await auth.ping(token)
  t.equal(ping.status, 200, 'ping a live session')
  t.equal((ping.data as { token: string }).token, token)

  const revoke = await auth.revoke(token)
  t.equal(revoke.status, 204, 'revoke')
  const after = await auth.ping(token)
  t.equal(after.status, 401, 'ping a revoked session')
  t.equal((await auth.ping(signupToken)).status, 200, 'the sign-up session is still alive')
})

t.test('the SDK gets 422 field maps it can show', async t => {
  const invalid = await new AuthAPI(DEFAULT.clientId).identify({ email: 'not-an-email' })
  t.equal(invalid.status, 422)
  t.strictSame(invalid.data, { email: ['Email is not a valid email address'] })
  const noClient = await new AuthAPI().identify({ email: 'a@example.com' })
  t.equal(noClient.status, 422, 'the SDK sends no clientId when none is set')
  t.strictSame(noClient.data, { clientId: ["can't be blank"] })
})
