/**
 * The programmatic API, for test suites:
 *
 *   import { startEmulator } from 'quiltt-mock'
 *   const emulator = await startEmulator()           // free port, in-memory database
 *   process.env.QUILTT_API_DOMAIN = `localhost:${new URL(emulator.url).port}`
 *   ...
 *   const [latest] = await emulator.passcodes('alice@example.com')
 *   await emulator.reset()
 *   await emulator.close()
 *
 * With `startEmulator({ intercept: true })`, requests of this process to https://auth.quiltt.io and
 * https://api.quiltt.io go to the emulator until close(), with no variable set (docs/drop-in.md).
 *
 * And the Quiltt contract check of a pact, for users who verify with their own Pact setup:
 *
 *   import { checkPactAgainstQuiltt } from 'quiltt-mock'
 *   const { summary, interactions } = checkPactAgainstQuiltt(JSON.parse(readFileSync('pacts/my-app-quiltt.json', 'utf8')))
 */
import type { FastifyInstance } from 'fastify'
import { type AppOptions, buildApp, VERSION } from './app.js'
import type { Clock } from './clock.js'
import { type Interception, intercept, type InterceptOptions } from './drop-in/intercept.js'
import type { EnvironmentView } from './services/environments.js'
import type { PasscodeView } from './services/outbox.js'

export { buildApp, intercept, VERSION }
export { checkPactAgainstQuiltt } from './contract/check.js'
export type { CheckSummary, Finding, FindingKind, InteractionCheck, Location, QuilttContractCheck } from './contract/check.js'
export type { DocumentId } from './contract/facts.js'
export { verifyWebhook, webhookSignature } from './webhooks/signature.js'
export type { VerifyWebhookOptions, VerifyWebhookResult, WebhookHeaders } from './webhooks/signature.js'
export type { WebhookDeliveryView, WebhookEvent, WebhookPayload, WebhookSubscriptionView } from './services/webhooks.js'
export type { AppOptions, Clock, EnvironmentView, Interception, InterceptOptions, PasscodeView }
export type { MessageView } from './services/outbox.js'
export type { ProfileWithSessions, InspectedSession } from './services/profile-sessions.js'
export type { ProfileView } from './services/profiles.js'
export type { SessionView } from './services/sessions.js'

export interface StartEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number
  /** Interface to bind; default 127.0.0.1. */
  host?: string
  /** A SQLite file, or ':memory:' (the default). */
  db?: string
  /**
   * A fixture file (JSON or YAML), `'email-and-phone'` (the bundled one with a phone-login environment
   * too), or a fixture document; default: the bundled fixtures/default.json.
   */
  fixtures?: string | Record<string, unknown>
  /** Origins allowed by CORS; default any. */
  corsOrigins?: string[]
  /** A pino logger config, or false (the default) for silence. */
  logger?: AppOptions['logger']
  /** The base clock the emulator's movable clock runs on; default the system clock. */
  clock?: Clock
  /**
   * Send this process's requests to https://auth.quiltt.io and https://api.quiltt.io (and http://) to
   * this emulator while it runs, as `quiltt-mock/register` with QUILTT_MOCK_URL does; `{ hosts }` adds
   * host names (e.g. `['cdn.quiltt.io']`). Undone by close(). Default false.
   */
  intercept?: boolean | { hosts?: string[] }
  /** Hosts besides loopback that webhook subscriptions may deliver to (`--webhook-hosts`); `['*']` for any. Default none. */
  webhookHosts?: string[]
}

/** A passcode as GET /emulator/v1/environments/{environmentId}/passcodes lists it, with its environment. */
export interface EmulatorPasscode extends PasscodeView {
  environmentId: string
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:53124`, serving both Quiltt hosts and the emulator API. */
  readonly url: string
  /** The port it listens on: `QUILTT_API_DOMAIN=localhost:<port>` points the SDK here. */
  readonly port: number
  /** The environments as they are now, with their clientId and API key secret. */
  readonly environments: EnvironmentView[]
  /** The first environment: with the bundled fixtures, clientId `quilttmock`, email login. */
  readonly defaultEnvironment: EnvironmentView
  /** Passcodes sent to an email or phone, newest first, across environments (or in one). */
  passcodes (username: string, options?: { environmentId?: string }): Promise<EmulatorPasscode[]>
  /** Back to the fixtures loaded at start (POST /emulator/v1/reset); the clock returns to real time. */
  reset (): Promise<void>
  /** Stops listening and closes the database (and stops intercepting, if it did). */
  close (): Promise<void>
  /** What `intercept` redirects here, while it does; undefined without it, and after close(). */
  readonly interception: Interception | undefined
  /** The Fastify instance, for `inject()` and anything else. */
  readonly app: FastifyInstance
}

/** Starts an emulator listening on a free port with an in-memory database unless told otherwise. */
export async function startEmulator (options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const app = await buildApp({
    db: options.db ?? ':memory:',
    ...(options.fixtures === undefined ? {} : { fixtures: options.fixtures }),
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.webhookHosts === undefined ? {} : { webhookHosts: options.webhookHosts }),
    logger: options.logger ?? false
  })
  const host = options.host ?? '127.0.0.1'
  try {
    await app.listen({ port: options.port ?? 0, host })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const { services } = app.emulator
  let interception: Interception | undefined
  if (options.intercept) {
    // Bound to every interface, it is reached on loopback; any other address is this machine's own.
    const to = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host
    try {
      interception = intercept({ url: `http://${to}:${port}`, allowRemote: true, hosts: typeof options.intercept === 'object' ? options.intercept.hosts ?? [] : [] })
    } catch (err) {
      await app.close()
      throw err
    }
  }

  return {
    url,
    port,
    app,
    get environments () { return services.environments.list() },
    get defaultEnvironment () {
      const [first] = services.environments.list()
      if (!first) throw new Error('quiltt-mock: there are no environments (the fixtures define none, or they were deleted)')
      return first
    },
    async passcodes (username, { environmentId } = {}) {
      // Read through the same inject path a test would use over HTTP, so what it returns is the API's answer.
      const kind = username.trim().startsWith('+') ? 'phone' : 'email'
      const ids = environmentId === undefined ? services.environments.list().map(e => e.id) : [environmentId]
      const all: EmulatorPasscode[] = []
      for (const id of ids) {
        const res = await app.inject({ url: `/emulator/v1/environments/${encodeURIComponent(id)}/passcodes?${new URLSearchParams({ [kind]: username })}` })
        if (res.statusCode !== 200) throw new Error(`quiltt-mock: listing passcodes of ${id} answered ${res.statusCode}: ${res.body}`)
        for (const p of (res.json() as { passcodes: PasscodeView[] }).passcodes) all.push({ ...p, environmentId: id })
      }
      return all.sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))
    },
    async reset () {
      const res = await app.inject({ method: 'POST', url: '/emulator/v1/reset' })
      if (res.statusCode !== 200) throw new Error(`quiltt-mock: reset answered ${res.statusCode}: ${res.body}`)
    },
    get interception () { return interception },
    async close () {
      // First: nothing more is sent here once the emulator starts closing.
      interception?.restore()
      interception = undefined
      await app.close()
    }
  }
}
