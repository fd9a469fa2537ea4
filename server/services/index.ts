// Builds every service from one context: what routes are handed.
import { createAccountService } from './accounts.js'
import { createConnectionService } from './connections.js'
import { createConnectorService } from './connector.js'
import type { ServiceContext } from './context.js'
import { createEnvironmentService } from './environments.js'
import { createEventTriggers } from './event-triggers.js'
import { createFixtureService } from './fixtures.js'
import { createGraphQLService } from './graphql.js'
import { createHoldingService } from './holdings.js'
import { createInstitutionService } from './institutions.js'
import { createOutboxService } from './outbox.js'
import { createPasswordlessService } from './passwordless.js'
import { createProfileSessionsService } from './profile-sessions.js'
import { createProfileService } from './profiles.js'
import { createSessionService } from './sessions.js'
import { createStatementService } from './statements.js'
import { createTransactionService } from './transactions.js'
import { createWebhookService, type WebhookServiceOptions } from './webhooks.js'

export function createServices (ctx: ServiceContext, webhookOptions: WebhookServiceOptions = { hostPolicy: { hosts: [] }, onPending: () => {} }) {
  // First: it listens to the changes the others publish.
  const webhooks = createWebhookService(ctx, webhookOptions)
  const environments = createEnvironmentService(ctx)
  const profiles = createProfileService(ctx)
  const sessions = createSessionService(ctx, environments, profiles)
  const institutions = createInstitutionService(ctx)
  const connections = createConnectionService(ctx, environments, profiles, institutions)
  const accounts = createAccountService(ctx)
  const bank = { connections, accounts, transactions: createTransactionService(ctx), holdings: createHoldingService(ctx), statements: createStatementService(ctx) }
  return {
    environments,
    profiles,
    webhooks,
    sessions,
    passwordless: createPasswordlessService(ctx, environments, profiles, sessions),
    outbox: createOutboxService(ctx, environments),
    profileSessions: createProfileSessionsService(ctx, environments, profiles, connections),
    fixtures: createFixtureService(ctx, environments, profiles, sessions, connections),
    institutions,
    connections,
    accounts,
    transactions: bank.transactions,
    holdings: bank.holdings,
    statements: bank.statements,
    graphql: createGraphQLService(ctx, environments, profiles, sessions, bank),
    connector: createConnectorService(ctx, environments, sessions, () => ({ connections, institutions })),
    eventTriggers: createEventTriggers(ctx, environments, profiles, webhooks)
  }
}

export type Services = ReturnType<typeof createServices>
