// Domain events: what changed, published by the service that changed it, inside its own transaction,
// so that whatever listens (the webhook service records `evt_` events and pending deliveries) commits
// or rolls back with the change itself.

/** Quiltt's leaf event types (its REST document's webhook payloads, 2026-04-01). */
export type ChangeType =
  | 'profile.created' | 'profile.ready' | 'profile.deleted'
  | 'connection.created' | 'connection.disconnected'
  | 'connection.synced.successful' | 'connection.synced.successful.initial' | 'connection.synced.successful.historical'
  | 'connection.synced.errored.repairable' | 'connection.synced.errored.institution'
  | 'connection.synced.errored.provider' | 'connection.synced.errored.service'
  | 'account.created' | 'account.owners_verified' | 'account.reconnected' | 'account.verified'
  | 'balance.created'
  | 'statement.ready'

export interface Change {
  environmentId: string
  type: ChangeType
  /** The profile the record belongs to, as a webhook event names it. */
  profile: { id: string, uuid: string, metadata: Record<string, unknown> | null }
  /** The record in Quiltt's REST 2026-04-01 shape (Profile, Connection, Account, Balance, Statement). */
  record: Record<string, unknown>
  metadata?: Record<string, unknown>
}

export type ChangeListener = (change: Change) => void

export interface Changes {
  /** Called by a service inside the transaction that made the change; listeners run synchronously. */
  publish: (change: Change) => void
  /** Returns the function that stops listening. */
  subscribe: (listener: ChangeListener) => () => void
}

export function createChanges (): Changes {
  const listeners = new Set<ChangeListener>()
  return {
    publish (change) { for (const listener of listeners) listener(change) },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
