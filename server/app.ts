// buildApp(): the whole emulator as one Fastify instance (store, services, hooks, routes from openapi.yaml);
// the CLI, startEmulator and the tests all build it here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { type Clock, EmulatorClock, systemClock } from './clock.js'
import { useAdminToken } from './http/admin.js'
import { useControlPlane } from './http/control-plane.js'
import { useCors } from './http/cors.js'
import { useDocs } from './http/docs.js'
import { useEarlyAnswers } from './http/early-answers.js'
import { BODY_LIMIT, clientErrorHandler, frameworkErrors, useQuilttErrors } from './http/errors.js'
import { InvalidFixturesError, ValidationError } from './errors.js'
import { EmulatorRequest } from './http/expectations.js'
import { lazyChildLogger, RequestLogController } from './http/logging.js'
import { registerOperations } from './http/operations.js'
import { specValidators } from './http/validation.js'
import { DEFAULT_FIXTURES_PATH, fixturesPath, ROOT } from './paths.js'
import { type OnResponseMismatch, useQuilttConformance, useResponseValidation } from './http/response-validation.js'
import { createIds, cryptoRandom, type Ids, type RandomSource } from './random.js'
import { bankDataRoutes } from './routes/bank-data.js'
import { connectorRoutes } from './routes/connector.js'
import { emulatorConnectionRoutes } from './routes/emulator-connections.js'
import { emulatorControlRoutes } from './routes/emulator-control.js'
import { emulatorEnvironmentRoutes } from './routes/emulator-environments.js'
import { emulatorHealthRoutes } from './routes/emulator-health.js'
import { emulatorInspectorRoutes } from './routes/emulator-inspector.js'
import { emulatorOutboxRoutes } from './routes/emulator-outbox.js'
import { emulatorProfileRoutes } from './routes/emulator-profiles.js'
import { emulatorProviderStateRoutes } from './routes/emulator-provider-states.js'
import { emulatorResetRoutes } from './routes/emulator-reset.js'
import { graphqlRoutes } from './routes/graphql.js'
import { introspectRoutes } from './routes/introspect.js'
import { profileRoutes } from './routes/profiles.js'
import { usersSessionRoutes } from './routes/users-session.js'
import { usersSessionsRoutes } from './routes/users-sessions.js'
import { emulatorWebhookRoutes } from './routes/emulator-webhooks.js'
import { webhookSubscriptionRoutes } from './routes/webhook-subscriptions.js'
import { type Control, createControl } from './services/control.js'
import { type FixtureDocument, parseFixtureDocument, readFixtureFile, withStableIds } from './services/fixtures.js'
import { type Changes, createChanges } from './services/changes.js'
import { createServices, type Services } from './services/index.js'
import { createDispatcher, type Dispatcher } from './webhooks/delivery.js'
import { DEFAULT_JOURNAL_SIZE } from './services/journal.js'
import { createProviderStateService } from './services/provider-states.js'
import { type Db, openDatabase, useServingBusyTimeout } from './store/db.js'
import { createStore, type Store } from './store/index.js'

export interface AppOptions {
  /** A SQLite file path, or ':memory:'. */
  db?: string
  /** A fixture file path (JSON or YAML) or an already-parsed fixture document. Defaults to fixtures/default.json. */
  fixtures?: string | Record<string, unknown>
  /** Origins allowed to call the emulator from a browser; `['*']` (the default) allows any. */
  corsOrigins?: string[]
  /** The base clock; the emulator's own clock runs on top of it with a movable offset. */
  clock?: Clock
  random?: RandomSource
  logger?: FastifyServerOptions['logger']
  /** How many Quiltt API requests the journal keeps (0 turns it off). Default 1000. */
  journalSize?: number
  /** When set, /emulator/ endpoints other than health require `Authorization: Bearer <adminToken>`. */
  adminToken?: string
  /**
   * Test-only: check every response against openapi.yaml (status, declared headers, JSON body) and
   * answer a mismatch with a 500 naming it; a function is also called with each mismatch.
   */
  validateResponses?: boolean | OnResponseMismatch
  /**
   * Test-only: also check every answer of an operation Quiltt's published document describes
   * against Quiltt's own schema (contract/conformance.ts); the function hears of each mismatch.
   */
  validateAgainstQuiltt?: OnResponseMismatch
  /**
   * Hosts besides loopback that webhook subscriptions may target (`--webhook-hosts`); `['*']` for any.
   * Default none: deliveries go to this machine only.
   */
  webhookHosts?: string[]
  /** How long a webhook receiver has to answer; default 10 000 ms. */
  webhookTimeoutMs?: number
  /** How long a request may take to arrive whole, and its headers; tests shorten them. */
  timeouts?: { requestMs: number, headersMs: number, checkEveryMs?: number }
}

/**
 * A client that trickles its request (a header a minute, a body a byte at a time) would otherwise hold
 * its connection, and what it sent, forever: Fastify turns Node's request timeout off. A whole request
 * has a minute (the 32 MiB fixture upload included, over any link a developer has); its headers 20 s.
 * Node checks every 5 s, so a trickler goes at most that long after its time.
 */
export const REQUEST_TIMEOUT_MS = 60_000
export const HEADERS_TIMEOUT_MS = 20_000
const TIMEOUT_CHECK_MS = 5_000

export interface Emulator {
  db: Db
  store: Store
  services: Services
  clock: EmulatorClock
  ids: Ids
  startup: FixtureDocument
  /** Clock control, request journal and faults: in memory, per process. */
  control: Control
  /** Sends pending webhook deliveries (services/webhook-delivery.ts). */
  webhookDispatcher: Dispatcher
  /** Every route as registered, for the spec-parity test and the inspector. */
  routes: Array<{ method: string, url: string, operationId?: string }>
  /** Domain events, for listeners in process (the webhook service, tests). */
  changes: Changes
}

declare module 'fastify' {
  interface FastifyInstance { emulator: Emulator }
}

export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** Builds the whole emulator. Tests call this; the CLI calls it and then listens. */
export async function buildApp (options: AppOptions = {}): Promise<FastifyInstance> {
  const clock = new EmulatorClock(options.clock ?? systemClock)
  const ids = createIds(options.random ?? cryptoRandom)
  const control = createControl({ clock, ids }, { journalSize: options.journalSize ?? DEFAULT_JOURNAL_SIZE })
  const db = openDatabase(options.db ?? ':memory:')
  const store = createStore(db)
  const changes = createChanges()
  const hostPolicy = { hosts: (options.webhookHosts ?? []).map(h => h.toLowerCase()) }
  let dispatcher: Dispatcher | undefined
  const services = createServices({ store, clock, ids, changes }, { hostPolicy, onPending: () => dispatcher?.kick() })

  let startup: FixtureDocument
  try {
    const raw = typeof options.fixtures === 'object' ? options.fixtures : readFixtureFile(fixturesPath(options.fixtures ?? DEFAULT_FIXTURES_PATH))
    startup = withStableIds(parseFixtureDocument(raw, services.profiles))
    services.fixtures.loadMissing(startup)
    useServingBusyTimeout(db)
  } catch (err) {
    db.close()
    throw err instanceof ValidationError ? new InvalidFixturesError(err.fields) : err
  }

  dispatcher = createDispatcher({ store, clock, webhooks: services.webhooks, hostPolicy, ...(options.webhookTimeoutMs === undefined ? {} : { timeoutMs: options.webhookTimeoutMs }) })
  const webhookDispatcher = dispatcher

  const app = Fastify({
    logger: options.logger ?? false,
    logController: new RequestLogController(),
    // close() must not wait on keep-alive or preconnected sockets (browsers hold both open): an
    // emulator that is told to stop, in a CLI or in a test suite's teardown, stops at once.
    forceCloseConnections: true,
    // Every server Fastify makes, the extra ones for a host name such as localhost included, builds its
    // requests with this class: it serves an unknown `Expect` like any request (http/expectations.ts).
    http: { IncomingMessage: EmulatorRequest, connectionsCheckingInterval: options.timeouts?.checkEveryMs ?? TIMEOUT_CHECK_MS } as never,
    requestTimeout: options.timeouts?.requestMs ?? REQUEST_TIMEOUT_MS,
    bodyLimit: BODY_LIMIT,
    // Quiltt's ids never need more; bounds what a hostile URL can make the router do.
    routerOptions: { maxParamLength: 500 },
    schemaController: specValidators,
    clientErrorHandler,
    frameworkErrors,
    childLoggerFactory: lazyChildLogger
  })
  app.server.headersTimeout = options.timeouts?.headersMs ?? HEADERS_TIMEOUT_MS
  const routes: Emulator['routes'] = []
  app.addHook('onRoute', r => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, ...(r.config?.operationId ? { operationId: r.config.operationId } : {}) })
  })
  app.decorate('emulator', { db, store, services, clock, ids, startup, routes, control, changes, webhookDispatcher })
  // Sending stops before the database closes; what was pending stays pending for the next start.
  app.addHook('onClose', async () => { await webhookDispatcher.close(); db.close() })

  // First of the hooks: preflights are answered before anything else looks at a request, and every
  // answer, errors included, carries the CORS headers a page needs to read it.
  useCors(app, options.corsOrigins)
  useQuilttErrors(app, ids)
  useEarlyAnswers(app)
  useAdminToken(app, options.adminToken)
  useControlPlane(app, control, clock)
  if (options.validateResponses) {
    useResponseValidation(app, ids, typeof options.validateResponses === 'function' ? options.validateResponses : undefined)
  }

  if (options.validateAgainstQuiltt) useQuilttConformance(app, options.validateAgainstQuiltt)

  useDocs(app)

  registerOperations(app, {
    ...usersSessionRoutes(services),
    ...usersSessionsRoutes(services),
    ...introspectRoutes(services),
    ...profileRoutes(services),
    ...webhookSubscriptionRoutes(services),
    ...emulatorWebhookRoutes(services, services.eventTriggers),
    ...graphqlRoutes(services),
    ...connectorRoutes(services),
    ...emulatorInspectorRoutes(),
    ...emulatorProfileRoutes(services),
    ...emulatorConnectionRoutes(services),
    ...bankDataRoutes(services),
    ...emulatorHealthRoutes(VERSION),
    ...emulatorEnvironmentRoutes(services),
    ...emulatorOutboxRoutes(services),
    ...emulatorResetRoutes(services, startup, () => control.reset()),
    ...emulatorControlRoutes(services, control),
    ...emulatorProviderStateRoutes(createProviderStateService({ store, clock, ids, changes }, services, startup))
  })

  await app.ready()
  // What a previous run left pending (a crash included) goes out now.
  webhookDispatcher.kick()
  return app
}
