// The store: every table's statements over one connection, and its transactions.
import { createAccountStore } from './accounts.js'
import { createBalanceStore } from './balances.js'
import { createRowCaches } from './cache.js'
import { createConnectorSessionStore } from './connector-sessions.js'
import { createConnectionStore } from './connections.js'
import type { Db } from './db.js'
import { type ApiKeyOwner, createEnvironmentStore } from './environments.js'
import { createHoldingStore } from './holdings.js'
import { createMessageStore } from './messages.js'
import { createPager } from './pages.js'
import { createPasscodeStore } from './passcodes.js'
import { createProfileStore } from './profiles.js'
import { createRevokedTokenStore } from './revoked-tokens.js'
import { createSessionStore, type SessionOwners } from './sessions.js'
import { createSnapshotStore } from './snapshots.js'
import { createStatementStore } from './statements.js'
import { createTransactionStore } from './transactions.js'
import { createWebhookStore } from './webhooks.js'

export function createStore (db: Db) {
  const wipe = db.prepare('DELETE FROM environments')
  const clear = ['webhook_deliveries', 'webhook_events', 'webhook_subscriptions', 'connector_sessions', 'messages', 'passcodes', 'sessions', 'revoked_tokens', 'profiles'].map(t => db.prepare<[string]>(`DELETE FROM ${t} WHERE environment_id = ?`))
  // One transaction function for every caller: better-sqlite3 builds a wrapper per db.transaction()
  // call, which showed in profiles of the write paths. Nested calls still become savepoints.
  // IMMEDIATE takes the write lock before the first read, so a check-then-write (is this UUID free?
  // then insert) is atomic even against another process on the same file, and a transaction never
  // fails half-way with SQLITE_BUSY when it turns from reading to writing.
  const inTransaction = db.transaction((fn: () => unknown) => fn()).immediate
  const caches = createRowCaches<SessionOwners, ApiKeyOwner>(db)
  const pager = createPager(db)
  return {
    environments: createEnvironmentStore(db, caches.apiKeys),
    profiles: createProfileStore(db),
    sessions: createSessionStore(db, caches.sessionOwners),
    passcodes: createPasscodeStore(db),
    messages: createMessageStore(db),
    revokedTokens: createRevokedTokenStore(db),
    snapshots: createSnapshotStore(db),
    // Bank data: every row belongs to a profile and goes with it (ON DELETE CASCADE), so clearing an
    // environment's profiles clears its bank data too.
    connections: createConnectionStore(db),
    accounts: createAccountStore(db),
    balances: createBalanceStore(db),
    transactions: createTransactionStore(db, pager),
    holdings: createHoldingStore(db, pager),
    statements: createStatementStore(db, pager),
    connectorSessions: createConnectorSessionStore(db),
    webhooks: createWebhookStore(db),
    /** Runs `fn` in one transaction: it all lands, or nothing does. */
    transaction: <T>(fn: () => T): T => inTransaction(fn) as T,
    /** Deletes everything; ON DELETE CASCADE takes every table with the environments. */
    wipe: () => { wipe.run() },
    /** Empties an environment but keeps it, its credentials and its settings. */
    clearEnvironmentData: (environmentId: string) => { for (const stmt of clear) stmt.run(environmentId) }
  }
}

export type Store = ReturnType<typeof createStore>
