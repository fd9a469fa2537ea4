import t, { type Test } from 'tap'
import { authenticate, build, DEFAULT, expectStatus, identify, passcodes } from './helper.js'

type App = Awaited<ReturnType<typeof build>>['app']

/** A known profile with an outstanding passcode; returns the code. */
async function outstanding (t: Test, app: App, email: string): Promise<string> {
  await identify(app, { email })
  expectStatus(t, await identify(app, { email }), 202, 'identify an existing user')
  const [latest] = await passcodes(app, `email=${encodeURIComponent(email)}`)
  return latest!.code
}

const wrongFor = (code: string): string => code === '000000' ? '111111' : '000000'

t.test('four wrong passcodes leave the passcode usable', async t => {
  const { app } = await build(t)
  const code = await outstanding(t, app, 'four@example.com')
  for (let i = 0; i < 4; i++) expectStatus(t, await authenticate(app, { email: 'four@example.com', passcode: wrongFor(code) }), 401, `wrong try ${i + 1}`)
  const [p] = await passcodes(app, 'email=four@example.com')
  t.equal(p!.attempts, 4)
  t.equal(p!.state, 'outstanding')
  expectStatus(t, await authenticate(app, { email: 'four@example.com', passcode: code }), 201, 'the right code still works')
})

t.test('the fifth wrong passcode invalidates it, and the right one no longer works', async t => {
  const { app } = await build(t)
  const email = 'five@example.com'
  const code = await outstanding(t, app, email)
  for (let i = 0; i < 5; i++) expectStatus(t, await authenticate(app, { email, passcode: wrongFor(code) }), 401, `wrong try ${i + 1}`)
  const [locked] = await passcodes(app, `email=${email}`)
  t.equal(locked!.state, 'locked')
  t.equal(locked!.attempts, 5)
  t.ok(locked!.code === code)

  const res = await authenticate(app, { email, passcode: code })
  expectStatus(t, res, 401, 'right code after the lock')
  t.match(res.json(), { message: 'Not Authenticated', instruction: /Submit the username again/ })
  expectStatus(t, await authenticate(app, { email, passcode: wrongFor(code) }), 401, 'more wrong tries')
  t.equal((await passcodes(app, `email=${email}`))[0]!.attempts, 5, 'tries after the lock are not counted on it')

  // A new identify issues a fresh passcode with a fresh count.
  const fresh = await outstanding(t, app, email)
  const [next] = await passcodes(app, `email=${email}`)
  t.equal(next!.attempts, 0)
  t.equal(next!.state, 'outstanding')
  expectStatus(t, await authenticate(app, { email, passcode: fresh }), 201, 'the new passcode works')
})

t.test('a new identify resets the count: tries do not add up across passcodes', async t => {
  const { app } = await build(t)
  const email = 'spread@example.com'
  let code = await outstanding(t, app, email)
  for (let i = 0; i < 3; i++) await authenticate(app, { email, passcode: wrongFor(code) })
  code = await outstanding(t, app, email)
  for (let i = 0; i < 3; i++) await authenticate(app, { email, passcode: wrongFor(code) })
  const list = await passcodes(app, `email=${email}`)
  t.equal(list[0]!.state, 'outstanding')
  t.equal(list[0]!.attempts, 3)
  t.equal(list[1]!.state, 'replaced')
  expectStatus(t, await authenticate(app, { email, passcode: code }), 201)
})

t.test('test identities with a fixed passcode lock too', async t => {
  const { app } = await build(t)
  const email = DEFAULT.testEmail
  await outstanding(t, app, email)
  for (let i = 0; i < 5; i++) expectStatus(t, await authenticate(app, { email, passcode: '000000' }), 401, `wrong try ${i + 1}`)
  expectStatus(t, await authenticate(app, { email, passcode: DEFAULT.testPasscode }), 401, 'fixed code after the lock')
  await outstanding(t, app, email)
  expectStatus(t, await authenticate(app, { email, passcode: DEFAULT.testPasscode }), 201, 'fixed code after a new identify')
})
