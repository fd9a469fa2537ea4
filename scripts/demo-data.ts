// Demo data for the inspector's screenshot (scripts/screenshot-inspector.ts).
import type { ManualClock } from '../server/clock.js'

/** The default fixture's environment, as documented. */
const CLIENT_ID = 'quilttmock'
const SECRET = 'sk_sandbox_quilttmock_0000000000000000000000'

async function call (url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number, json: unknown }> {
  const res = await fetch(url + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? null : JSON.parse(text) }
}

async function expect (url: string, status: number, method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
  const res = await call(url, method, path, body, token)
  if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}

const identify = (url: string, email: string, status: number) =>
  expect(url, status, 'POST', '/v1/users/session', { session: { clientId: CLIENT_ID, email } })

async function latestCode (url: string, email: string): Promise<string> {
  const { passcodes } = await expect(url, 200, 'GET', `/emulator/v1/environments/env_0mockDefaultEnvironment/passcodes?email=${encodeURIComponent(email)}`) as { passcodes: Array<{ code: string }> }
  return passcodes[0]!.code
}

/**
 * Fills the default environment with one of everything the inspector shows, through the public API only:
 * - carol: an expired passcode (the clock moves 11 minutes after it is issued)
 * - alice: a replaced passcode, then a used one, and an active passcode-login session
 * - bob: a passcode locked after 5 wrong tries, then an outstanding one
 * - dave (via the App Secret, with a name): one active session and one revoked, and bank data: a
 *   generated connection (checking, savings, a card) and a second one put in a repairable error
 * - test@example.com: the fixture's test identity, with its fixed passcode 424242 outstanding
 * - webhooks, when receivers are given: a subscription to profile and connection events that answers
 *   200, and one to connection errors whose receiver answers 503 (its delivery shows a retry)
 */
export async function seedDemo (url: string, clock: ManualClock, receivers?: { ok: string, failing: string }): Promise<void> {
  if (receivers) {
    await expect(url, 201, 'POST', '/v1/webhooks/subscriptions', { name: 'Backend', targetUrl: receivers.ok, eventTypes: ['profile', 'connection'] }, SECRET)
    await expect(url, 201, 'POST', '/v1/webhooks/subscriptions', { name: 'Alerts', targetUrl: receivers.failing, eventTypes: ['connection.synced.errored'] }, SECRET)
  }
  await identify(url, 'carol@example.com', 201)
  await identify(url, 'carol@example.com', 202)
  clock.advance(11 * 60_000)

  await identify(url, 'alice@example.com', 201)
  await identify(url, 'alice@example.com', 202)
  clock.advance(20_000)
  await identify(url, 'alice@example.com', 202)
  const code = await latestCode(url, 'alice@example.com')
  await expect(url, 201, 'PUT', '/v1/users/session', { session: { clientId: CLIENT_ID, email: 'alice@example.com', passcode: code } })
  clock.advance(40_000)

  await identify(url, 'bob@example.com', 201)
  await identify(url, 'bob@example.com', 202)
  const bobs = await latestCode(url, 'bob@example.com')
  const wrong = bobs === '000000' ? '111111' : '000000'
  for (let i = 0; i < 5; i++) {
    await expect(url, 401, 'PUT', '/v1/users/session', { session: { clientId: CLIENT_ID, email: 'bob@example.com', passcode: wrong } })
  }
  clock.advance(30_000)
  await identify(url, 'bob@example.com', 202)

  const dave = await expect(url, 201, 'POST', '/v1/users/sessions', { email: 'dave@example.com', name: 'Dave Smith', metadata: { plan: 'pro' } }, SECRET) as { token: string, userId: string }
  const second = await expect(url, 201, 'POST', '/v1/users/sessions', { userId: dave.userId }, SECRET) as { token: string }
  await expect(url, 204, 'DELETE', '/v1/users/session', undefined, second.token)
  const connections = `/emulator/v1/environments/env_0mockDefaultEnvironment/profiles/${dave.userId}/connections`
  await expect(url, 201, 'POST', connections, { institution: { name: 'First Platypus Bank' }, generate: { accounts: 3, transactionsPerAccount: 120, seed: 42 } })
  const loan = await expect(url, 201, 'POST', connections, { institution: { name: 'Harborline Federal Credit Union' }, accounts: [{ name: 'Auto Loan', kind: 'LOAN', mask: '7781', balance: { current: -12840.55 } }] }) as { connection: { id: string } }
  await expect(url, 200, 'POST', '/v1/graphql', { query: `mutation { connectionSimulateError(input: {id: "${loan.connection.id}"}) { success } }` }, dave.token)
  clock.advance(15_000)

  await identify(url, 'test@example.com', 201)
  await identify(url, 'test@example.com', 202)
}
