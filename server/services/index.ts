// Builds every service from one context: what routes are handed.
import { ApiError } from '../errors.js'
import { type BankData, createConnectorService } from './connector.js'
import type { ServiceContext } from './context.js'
import { createEnvironmentService } from './environments.js'
import { createFixtureService } from './fixtures.js'
import { createGraphQLService } from './graphql.js'
import { createOutboxService } from './outbox.js'
import { createPasswordlessService } from './passwordless.js'
import { createProfileSessionsService } from './profile-sessions.js'
import { createProfileService } from './profiles.js'
import { createSessionService } from './sessions.js'

// Until the bank data (connections, institutions) lands, the Connector says it cannot end in a connection.
const noBankData = (): BankData => {
  throw new ApiError(501, 'Not Implemented', 'Connections and institutions arrive with the bank data: this build of quiltt-mock has none.')
}

export function createServices (ctx: ServiceContext) {
  const environments = createEnvironmentService(ctx)
  const profiles = createProfileService(ctx)
  const sessions = createSessionService(ctx, environments, profiles)
  return {
    environments,
    profiles,
    sessions,
    passwordless: createPasswordlessService(ctx, environments, profiles, sessions),
    outbox: createOutboxService(ctx, environments),
    profileSessions: createProfileSessionsService(ctx, environments, profiles),
    fixtures: createFixtureService(ctx, environments, profiles, sessions),
    graphql: createGraphQLService(ctx, environments, profiles, sessions),
    connector: createConnectorService(ctx, environments, sessions, noBankData)
  }
}

export type Services = ReturnType<typeof createServices>
