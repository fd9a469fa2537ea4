// How tests build the emulator (build(t): app.inject, every answer checked against openapi.yaml) and the default fixture's names.
import type { Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { type AppOptions, buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { EMAIL_AND_PHONE_FIXTURES_PATH } from '../server/paths.js'
import type { ResponseMismatch } from '../server/http/response-validation.js'

/** The default fixture, as documented in the README. */
export const DEFAULT = {
  environmentId: 'env_0mockDefaultEnvironment',
  clientId: 'quilttmock',
  secret: 'sk_sandbox_quilttmock_0000000000000000000000',
  apiKeyId: 'api_0mockDefaultApiKey00000',
  testEmail: 'test@example.com',
  testPasscode: '424242'
} as const

/** The phone-login environment of fixtures/email-and-phone.json (not in the default fixture): `build(t, WITH_PHONE)`. */
export const PHONE = {
  environmentId: 'env_0mockPhoneEnvironment',
  clientId: 'quilttsms1',
  secret: 'sk_sandbox_quilttsms1_0000000000000000000000'
} as const

export const WITH_PHONE = { fixtures: EMAIL_AND_PHONE_FIXTURES_PATH } as const

/**
 * A fresh emulator on `:memory:` with a hand-moved clock, closed when the test ends. Every response
 * is checked against openapi.yaml: a mismatch fails this test (and the response becomes a 500).
 * Every answer of an operation Quiltt's published document describes is also checked against
 * Quiltt's own schema (a mismatch fails the test); a test of the legacy session format, which is
 * off Quiltt's current contract on purpose, passes `validateAgainstQuiltt: undefined`.
 */
export async function build (t: Test, options: AppOptions = {}): Promise<{ app: FastifyInstance, clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12))
  const validateResponses = (m: ResponseMismatch): void => {
    t.fail(`${m.method} ${m.url} answered ${m.statusCode}, which does not match openapi.yaml: ${m.problems.join('; ')}`, { body: m.body })
  }
  const validateAgainstQuiltt = (m: ResponseMismatch): void => {
    t.fail(`${m.method} ${m.url} answered ${m.statusCode}, which Quiltt's published document rules out: ${m.problems.join('; ')}`, { body: m.body })
  }
  const app = await buildApp({ db: ':memory:', clock, validateResponses, validateAgainstQuiltt, ...options })
  t.teardown(() => app.close())
  return { app, clock }
}

/** Fails with the response body in the message, so a wrong status says why. */
export function expectStatus (t: Test, res: LightMyRequestResponse, status: number, what = ''): void {
  t.equal(res.statusCode, status, `${what} status ${status}`.trim(), { body: res.body })
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** A session's id: its token's `jti` (Quiltt's current session object has no `id` of its own). */
export const jti = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti

export function identify (app: FastifyInstance, session: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, ...session } } })
}

export function authenticate (app: FastifyInstance, session: Record<string, unknown>) {
  return app.inject({ method: 'PUT', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, ...session } } })
}

export function issue (app: FastifyInstance, body: Record<string, unknown> = {}, secret: string = DEFAULT.secret) {
  return app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(secret), payload: body })
}

export interface PasscodeEntry { code: string, state: string, attempts: number, consumedAt: string | null, email?: string, phone?: string }

/** Reads passcodes the way a user would: through the emulator API, never the database. */
export async function passcodes (app: FastifyInstance, query: string, environmentId: string = DEFAULT.environmentId): Promise<PasscodeEntry[]> {
  const res = await app.inject({ url: `/emulator/v1/environments/${environmentId}/passcodes?${query}` })
  return (res.json() as { passcodes: PasscodeEntry[] }).passcodes
}

/** identify -> 202 -> read the passcode -> authenticate: the existing-user flow, returning the session body. */
export async function login (app: FastifyInstance, email: string): Promise<{ token: string, userId: string, userUuid: string }> {
  await identify(app, { email })
  const again = await identify(app, { email })
  if (again.statusCode !== 202) throw new Error(`expected 202, got ${again.statusCode}: ${again.body}`)
  const [latest] = await passcodes(app, `email=${encodeURIComponent(email)}`)
  const res = await authenticate(app, { email, passcode: latest!.code })
  if (res.statusCode !== 201) throw new Error(`expected 201, got ${res.statusCode}: ${res.body}`)
  return res.json()
}

/** PATCH the default environment's settings through the emulator API. */
export function settings (app: FastifyInstance, body: unknown, environmentId: string = DEFAULT.environmentId) {
  return app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${environmentId}`, payload: body as object })
}
