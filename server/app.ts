import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { type Clock, EmulatorClock, systemClock } from './clock.js'
import { BODY_LIMIT, useQuilttErrors } from './http/errors.js'
import { registerOperations } from './http/operations.js'
import { type OnResponseMismatch, useResponseValidation } from './http/response-validation.js'
import { useSpecValidators } from './http/validation.js'
import { DEFAULT_FIXTURES_PATH, OPENAPI_PATH, ROOT } from './paths.js'
import { createIds, cryptoRandom, type Ids, type RandomSource } from './random.js'
import { emulatorEnvironmentRoutes } from './routes/emulator-environments.js'
import { emulatorHealthRoutes } from './routes/emulator-health.js'
import { emulatorOutboxRoutes } from './routes/emulator-outbox.js'
import { emulatorProviderStateRoutes } from './routes/emulator-provider-states.js'
import { emulatorResetRoutes } from './routes/emulator-reset.js'
import { introspectRoutes } from './routes/introspect.js'
import { profileRoutes } from './routes/profiles.js'
import { usersSessionRoutes } from './routes/users-session.js'
import { usersSessionsRoutes } from './routes/users-sessions.js'
import { type FixtureDocument, parseFixtureDocument, readFixtureFile, withStableIds } from './services/fixtures.js'
import { createServices, type Services } from './services/index.js'
import { createProviderStateService } from './services/provider-states.js'
import { type Db, openDatabase } from './store/db.js'
import { createStore, type Store } from './store/index.js'

export interface AppOptions {
  /** A SQLite file path, or ':memory:'. */
  db?: string
  /** A fixture file path (JSON or YAML) or an already-parsed fixture document. Defaults to fixtures/default.json. */
  fixtures?: string | Record<string, unknown>
  /** The base clock; the emulator's own clock runs on top of it with a movable offset. */
  clock?: Clock
  random?: RandomSource
  logger?: FastifyServerOptions['logger']
  /**
   * Test-only: check every response against openapi.yaml (status, declared headers, JSON body) and
   * answer a mismatch with a 500 naming it; a function is also called with each mismatch.
   */
  validateResponses?: boolean | OnResponseMismatch
}

export interface Emulator {
  db: Db
  store: Store
  services: Services
  clock: EmulatorClock
  ids: Ids
  startup: FixtureDocument
  /** Every route as registered, for the spec-parity test and the inspector. */
  routes: Array<{ method: string, url: string, operationId?: string }>
}

declare module 'fastify' {
  interface FastifyInstance { emulator: Emulator }
}

export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** Builds the whole emulator. Tests call this; the CLI calls it and then listens. */
export async function buildApp (options: AppOptions = {}): Promise<FastifyInstance> {
  const clock = new EmulatorClock(options.clock ?? systemClock)
  const ids = createIds(options.random ?? cryptoRandom)
  const db = openDatabase(options.db ?? ':memory:')
  const store = createStore(db)
  const services = createServices({ store, clock, ids })

  let startup: FixtureDocument
  try {
    const raw = typeof options.fixtures === 'object' ? options.fixtures : readFixtureFile(options.fixtures ?? DEFAULT_FIXTURES_PATH)
    startup = withStableIds(parseFixtureDocument(raw, services.profiles))
    services.fixtures.loadMissing(startup)
  } catch (err) {
    db.close()
    throw err
  }

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Quiltt's ids never need more; bounds what a hostile URL can make the router do.
    routerOptions: { maxParamLength: 500 },
    ajv: { customOptions: { strict: false } }
  })
  const routes: Emulator['routes'] = []
  app.addHook('onRoute', r => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, ...(r.config?.operationId ? { operationId: r.config.operationId } : {}) })
  })
  app.decorate('emulator', { db, store, services, clock, ids, startup, routes })
  app.addHook('onClose', async () => { db.close() })

  useSpecValidators(app)
  useQuilttErrors(app, ids)
  if (options.validateResponses) {
    useResponseValidation(app, ids, typeof options.validateResponses === 'function' ? options.validateResponses : undefined)
  }

  await app.register(swagger, { mode: 'static', specification: { path: OPENAPI_PATH, baseDir: ROOT } })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  registerOperations(app, {
    ...usersSessionRoutes(services),
    ...usersSessionsRoutes(services),
    ...introspectRoutes(services),
    ...profileRoutes(services),
    ...emulatorHealthRoutes(VERSION),
    ...emulatorEnvironmentRoutes(services),
    ...emulatorOutboxRoutes(services),
    ...emulatorResetRoutes(services, startup, () => clock.reset()),
    ...emulatorProviderStateRoutes(createProviderStateService({ store, clock, ids }, services, startup))
  })

  await app.ready()
  return app
}
