/**
 * What both consumer suites share: where pacts go, the provider's name, the default fixture's
 * credentials (literal, as a user's own pact would have them) and matchers for Quiltt's values.
 */
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { MatchersV3, type PactV4, type V3MockServer } from '@pact-foundation/pact'
import { Agent, setGlobalDispatcher } from 'undici'
import { ROOT } from '../server/paths.js'

const { regex, uuid, integer, like } = MatchersV3

export const PROVIDER = 'quiltt'
/** Committed: provider verification reads them, never racing the consumer run that writes them. */
export const PACT_DIR = join(ROOT, 'contracts', 'pacts')

export const DEFAULT = {
  clientId: 'quilttmock',
  secret: 'sk_sandbox_quilttmock_0000000000000000000000'
} as const
export const PHONE = { clientId: 'quilttsms1' } as const

/** The UUID the server-side guide's examples supply. */
export const GUIDE_UUID = '11111111-1111-1111-1111-111111111111'

/** An HS512 token shaped like the emulator's (payload in plain base64 characters, as the SDK's parser needs). */
export const EXAMPLE_TOKEN = 'eyJhbGciOiJIUzUxMiJ9.eyJpc3MiOiJhdXRoLnF1aWx0dC5pbyIsImF1ZCI6ImFwaS5xdWlsdHQuaW8iLCJzdWIiOiIxMTExMTExMS0xMTExLTExMTEtMTExMS0xMTExMTExMTExMTEiLCJlaWQiOiJlbnZfMG1vY2tEZWZhdWx0RW52aXJvbm1lbnQiLCJ2ZXIiOjIsImp0aSI6IjUwZmIyNDNjLTZkMmUtNDViYS1iMWEyLTFiOTc3NDg3NmE3YyIsImlhdCI6MTYyMTI4MzYxOSwibmJmIjoxNjIxMjgzNjE5LCJleHAiOjE2MjEzNzAwMTl9.BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw'
const JWT = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$'
/**
 * EXAMPLE_TOKEN's claims, expiring in 2100: the SDK's GraphQL client (its AuthLink) refuses to send
 * an expired session token, so its consumer tests hold this one.
 */
export const UNEXPIRED_TOKEN = `${EXAMPLE_TOKEN.split('.')[0]}.eyJpc3MiOiJhdXRoLnF1aWx0dC5pbyIsImF1ZCI6ImFwaS5xdWlsdHQuaW8iLCJzdWIiOiIxMTExMTExMS0xMTExLTExMTEtMTExMS0xMTExMTExMTExMTEiLCJlaWQiOiJlbnZfMG1vY2tEZWZhdWx0RW52aXJvbm1lbnQiLCJ2ZXIiOjIsImp0aSI6IjUwZmIyNDNjLTZkMmUtNDViYS1iMWEyLTFiOTc3NDg3NmE3YyIsImlhdCI6MTc3NDkxNTIwMCwibmJmIjoxNzc0OTE1MjAwLCJleHAiOjQxMDI0NDQ4MDB9.${EXAMPLE_TOKEN.split('.')[2]}`

export const token = () => regex(JWT, EXAMPLE_TOKEN)
/** `Authorization: Bearer <jwt>` as a 201 of the passwordless flow carries it. */
export const bearerToken = () => regex(`^Bearer ${JWT.slice(1)}`, `Bearer ${EXAMPLE_TOKEN}`)
/** The session token a provider state made, injected by the verifier (`a session exists` returns `token`). */
export const stateBearer = (example = EXAMPLE_TOKEN) => MatchersV3.fromProviderState('Bearer ${token}', `Bearer ${example}`)

/** An example profile id, as Quiltt's ids look: `p_` and base62. */
export const EXAMPLE_PROFILE_ID = 'p_1hyoxpVVFib1HngGwKAzIr'

/**
 * The session object as Quiltt documents it today (its REST document, 2026-04-01: UserSession):
 * `userId` the profile's `p_` id, `userUuid` its UUID. Pass `userUuid` to pin the UUID the caller supplied.
 */
export function session ({ userUuid }: { userUuid?: string } = {}) {
  return {
    token: token(),
    userId: regex('^p_[0-9A-Za-z]+$', EXAMPLE_PROFILE_ID),
    userUuid: userUuid ?? uuid('f5db0067-3482-4a3a-b05c-7b1b560d1fae'),
    environmentId: regex('^env_[A-Za-z0-9]+$', 'env_0mockDefaultEnvironment'),
    expiration: integer(1621370019),
    expiresAt: regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$', '2021-05-18T20:33:39Z')
  }
}

/** Quiltt's error envelope with a fixed `message` and an instruction that may be worded differently. */
export const restError = (message: string, instruction = 'Are you sending a valid API Key secret in the `Authorization` header?') =>
  ({ message, instruction: like(instruction) })

/** Removes a consumer's pact before its suite runs, so interactions deleted from the suite leave the file too. */
export function freshPact (consumer: string): void {
  rmSync(join(PACT_DIR, `${consumer}-${PROVIDER}.json`), { force: true })
}

/**
 * Every interaction gets a new mock server, and the SDK suite's all listen on one port: a kept-alive
 * connection to a stopped one must never carry the next interaction's request. One connection per request.
 */
export function oneConnectionPerRequest (): void {
  setGlobalDispatcher(new Agent({ pipelining: 0 }))
}

/**
 * Wraps a consumer test body: after it, waits until Pact's mock server has recorded the requests it
 * already answered. pact-core 19's mock server records a match on another task after responding
 * (pact-foundation/pact-core-mock-server#13), so executeTest can read "expected but not received"
 * for a request whose response the client already has. Bounded: a request that never came still
 * fails, two seconds later.
 */
export function settled<T> (pact: PactV4, body: (server: V3MockServer) => Promise<T>): (server: V3MockServer) => Promise<T> {
  const core = (pact as unknown as { pact: { mockServerMatchedSuccessfully: (port: number) => boolean } }).pact
  return async server => {
    const result = await body(server)
    for (let waited = 0; waited < 2000 && !core.mockServerMatchedSuccessfully(server.port); waited += 5) await delay(5)
    return result
  }
}

/** Binds `port` (0: any) on loopback and lets it go; resolves with the port, or rejects if it is taken. */
function probe (port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/** A port free right now, for a mock server whose URL must be known before the SDK is imported. */
export const freePort = (): Promise<number> => probe(0)

/**
 * Waits until `port` can be bound again. pact-core 19 stops a mock server asynchronously, so the next
 * interaction's server on the same fixed port could otherwise fail with "Address already in use".
 */
export async function untilPortFree (port: number): Promise<void> {
  for (let waited = 0; ; waited += 5) {
    try {
      await probe(port)
      return
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE' || waited >= 2000) throw err
      await delay(5)
    }
  }
}
