import t from 'tap'
import { authenticate, bearer, build, expectStatus, identify, passcodes } from './helper.js'

const email = 'ann@example.com'

async function withPasscode (app: Parameters<typeof identify>[0]): Promise<string> {
  await identify(app, { email })
  await identify(app, { email })
  const [latest] = await passcodes(app, `email=${email}`)
  return latest!.code
}

const wrong = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

t.test('the right passcode answers 201 with the session in body and header, once', async t => {
  const { app } = await build(t)
  const code = await withPasscode(app)
  const res = await authenticate(app, { email, passcode: code })
  expectStatus(t, res, 201)
  const body = res.json()
  t.equal(res.headers.authorization, `Bearer ${body.token}`)
  expectStatus(t, await app.inject({ url: '/v1/users/session', headers: bearer(body.token) }), 200, 'the token pings')
  const [used] = await passcodes(app, `email=${email}`)
  t.equal(used!.state, 'used')
  t.ok(used!.consumedAt)
  const again = await authenticate(app, { email, passcode: code })
  expectStatus(t, again, 401, 'a used passcode')
  t.match(again.json(), { message: 'Not Authenticated', instruction: String })
})

t.test('a wrong passcode is 401 and counts an attempt; 5 wrong tries lock the passcode', async t => {
  const { app } = await build(t)
  const code = await withPasscode(app)
  for (let i = 1; i <= 4; i++) {
    expectStatus(t, await authenticate(app, { email, passcode: wrong(code) }), 401, `wrong try ${i}`)
  }
  t.equal((await passcodes(app, `email=${email}`))[0]!.attempts, 4)
  expectStatus(t, await authenticate(app, { email, passcode: wrong(code) }), 401, 'wrong try 5')
  const [locked] = await passcodes(app, `email=${email}`)
  t.match(locked, { attempts: 5, state: 'locked' })
  expectStatus(t, await authenticate(app, { email, passcode: code }), 401, 'the right code no longer works once locked')
  // A new identify issues a fresh passcode that works.
  const fresh = await withPasscode(app)
  expectStatus(t, await authenticate(app, { email, passcode: fresh }), 201)
})

t.test('a passcode expires after 10 minutes by default', async t => {
  const { app, clock } = await build(t)
  const code = await withPasscode(app)
  clock.advance(10 * 60_000)
  expectStatus(t, await authenticate(app, { email, passcode: code }), 401, 'at exactly 10 minutes')
  t.equal((await passcodes(app, `email=${email}`))[0]!.state, 'expired')
})

t.test('a passcode still works just before it expires', async t => {
  const { app, clock } = await build(t)
  const code = await withPasscode(app)
  clock.advance(10 * 60_000 - 1000)
  expectStatus(t, await authenticate(app, { email, passcode: code }), 201)
})

t.test('a replaced passcode no longer works', async t => {
  const { app } = await build(t)
  const first = await withPasscode(app)
  await identify(app, { email })
  const [latest] = await passcodes(app, `email=${email}`)
  if (latest!.code !== first) expectStatus(t, await authenticate(app, { email, passcode: first }), 401, 'the replaced code')
  expectStatus(t, await authenticate(app, { email, passcode: latest!.code }), 201, 'the newest code')
})

t.test('a passcode never issued, or an unknown username, is 401', async t => {
  const { app } = await build(t)
  await identify(app, { email })
  expectStatus(t, await authenticate(app, { email, passcode: '123456' }), 401, 'profile exists, no passcode issued')
  expectStatus(t, await authenticate(app, { email: 'ghost@example.com', passcode: '123456' }), 401, 'no such profile')
})

t.test('a passcode that is not 6 digits is 422', async t => {
  const { app } = await build(t)
  for (const passcode of ['12345', '1234567', 'abcdef', '12 456']) {
    const res = await authenticate(app, { email, passcode })
    t.equal(res.statusCode, 422, passcode)
    t.strictSame(res.json(), { passcode: ['must be a 6-digit number'] }, passcode)
  }
  t.strictSame((await authenticate(app, { email })).json(), { passcode: ["can't be blank"] })
  t.strictSame((await authenticate(app, { email, passcode: 123456 })).json(), { passcode: ['must be a string'] })
})

t.test('passcodes of one username do not open another', async t => {
  const { app } = await build(t)
  const code = await withPasscode(app)
  await identify(app, { email: 'other@example.com' })
  expectStatus(t, await authenticate(app, { email: 'other@example.com', passcode: code }), 401)
})
