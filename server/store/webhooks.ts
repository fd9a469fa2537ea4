// SQL for webhooks: subscriptions, events, deliveries (one event for one subscription) and their attempts.
import type { BalanceRow } from './balances.js'
import type { Db } from './db.js'
import type { StatementRow } from './statements.js'

export interface SubscriptionRow {
  id: string
  environment_id: string
  name: string
  target_url: string
  /** JSON array of event types and parent scopes. */
  event_types: string
  disabled: number
  created_at: number
  updated_at: number
}

export interface EventRow {
  seq: number
  id: string
  environment_id: string
  type: string
  at: number
  /** The event object as delivered: {id, at, type, profile, record, metadata}, as JSON. */
  event: string
}

export interface DeliveryRow {
  seq: number
  id: string
  environment_id: string
  subscription_id: string
  event_seq: number
  state: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: number
  created_at: number
}

export interface AttemptRow {
  delivery_seq: number
  attempt: number
  at: number
  status_code: number | null
  duration_ms: number
  error: string | null
}

/** What one attempt needs: the delivery, its subscription's target and its event. */
export interface DueDelivery extends DeliveryRow {
  target_url: string
  event: string
  webhook_secret: string
  environment_name: string
  environment_mode: 'TEST' | 'SANDBOX' | 'PRODUCTION'
}

export function createWebhookStore (db: Db) {
  const s = {
    insertSubscription: db.prepare<SubscriptionRow>(`INSERT INTO webhook_subscriptions
      (id, environment_id, name, target_url, event_types, disabled, created_at, updated_at)
      VALUES (@id, @environment_id, @name, @target_url, @event_types, @disabled, @created_at, @updated_at)`),
    updateSubscription: db.prepare<SubscriptionRow>(`UPDATE webhook_subscriptions SET name = @name, target_url = @target_url,
      event_types = @event_types, disabled = @disabled, updated_at = @updated_at WHERE id = @id AND environment_id = @environment_id`),
    subscription: db.prepare<[string, string], SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE environment_id = ? AND id = ?'),
    subscriptions: db.prepare<[string, number, number], SubscriptionRow>(`SELECT * FROM webhook_subscriptions WHERE environment_id = ?
      ORDER BY created_at, rowid LIMIT ? OFFSET ?`),
    activeSubscriptions: db.prepare<[string], SubscriptionRow>(`SELECT * FROM webhook_subscriptions WHERE environment_id = ? AND disabled = 0
      ORDER BY created_at, rowid`),
    countSubscriptions: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM webhook_subscriptions WHERE environment_id = ?'),
    deleteSubscription: db.prepare<[string, string]>('DELETE FROM webhook_subscriptions WHERE environment_id = ? AND id = ?'),
    insertEvent: db.prepare<Omit<EventRow, 'seq'>>(`INSERT INTO webhook_events (id, environment_id, type, at, event)
      VALUES (@id, @environment_id, @type, @at, @event)`),
    events: db.prepare<[string, number], EventRow>('SELECT * FROM webhook_events WHERE environment_id = ? ORDER BY seq DESC LIMIT ?'),
    insertDelivery: db.prepare<Omit<DeliveryRow, 'seq' | 'attempts' | 'state'>>(`INSERT INTO webhook_deliveries
      (id, environment_id, subscription_id, event_seq, state, attempts, next_attempt_at, created_at)
      VALUES (@id, @environment_id, @subscription_id, @event_seq, 'pending', 0, @next_attempt_at, @created_at)`),
    // The oldest pending delivery of each enabled subscription: a subscription's deliveries go out one
    // at a time, in event order, so a later event never overtakes an earlier one that is being retried.
    heads: db.prepare<[], DueDelivery>(`SELECT d.*, s.target_url, e.event, env.webhook_secret, env.name AS environment_name, env.mode AS environment_mode
      FROM webhook_deliveries d
      JOIN webhook_subscriptions s ON s.id = d.subscription_id
      JOIN webhook_events e ON e.seq = d.event_seq
      JOIN environments env ON env.id = d.environment_id
      WHERE d.seq IN (SELECT min(seq) FROM webhook_deliveries WHERE state = 'pending' GROUP BY subscription_id)
        AND s.disabled = 0
      ORDER BY d.next_attempt_at, d.seq`),
    finish: db.prepare<{ seq: number, state: DeliveryRow['state'], attempts: number, next_attempt_at: number }>(`UPDATE webhook_deliveries
      SET state = @state, attempts = @attempts, next_attempt_at = @next_attempt_at WHERE seq = @seq`),
    insertAttempt: db.prepare<AttemptRow>(`INSERT INTO webhook_attempts (delivery_seq, attempt, at, status_code, duration_ms, error)
      VALUES (@delivery_seq, @attempt, @at, @status_code, @duration_ms, @error)`),
    deliveries: db.prepare<[string, number], DeliveryRow & { event_id: string, event_type: string }>(`SELECT d.*, e.id AS event_id, e.type AS event_type
      FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq
      WHERE d.environment_id = ? ORDER BY d.seq DESC LIMIT ?`),
    // Events on demand name a balance or a statement by id; both hang off a profile of the environment.
    balance: db.prepare<[string, string], BalanceRow>('SELECT b.* FROM balances b JOIN profiles p ON p.id = b.profile_id WHERE p.environment_id = ? AND b.id = ?'),
    statement: db.prepare<[string, string], StatementRow>('SELECT s.* FROM statements s JOIN profiles p ON p.id = s.profile_id WHERE p.environment_id = ? AND s.id = ?'),
    exists: db.prepare<[number], { one: number }>('SELECT 1 AS one FROM webhook_deliveries WHERE seq = ?'),
    attemptsOf: db.prepare<[number], AttemptRow>('SELECT * FROM webhook_attempts WHERE delivery_seq = ? ORDER BY attempt')
  }
  return {
    insertSubscription: (row: SubscriptionRow) => s.insertSubscription.run(row),
    updateSubscription: (row: SubscriptionRow) => s.updateSubscription.run(row),
    subscription: (environmentId: string, id: string) => s.subscription.get(environmentId, id),
    subscriptions: (environmentId: string, limit: number, offset: number) => s.subscriptions.all(environmentId, limit, offset),
    activeSubscriptions: (environmentId: string) => s.activeSubscriptions.all(environmentId),
    countSubscriptions: (environmentId: string) => s.countSubscriptions.get(environmentId)!.n,
    deleteSubscription: (environmentId: string, id: string) => s.deleteSubscription.run(environmentId, id).changes > 0,
    /** Returns the event's place in the order of all events. */
    insertEvent: (row: Omit<EventRow, 'seq'>): number => Number(s.insertEvent.run(row).lastInsertRowid),
    events: (environmentId: string, limit: number) => s.events.all(environmentId, limit),
    insertDelivery: (row: Omit<DeliveryRow, 'seq' | 'attempts' | 'state'>) => s.insertDelivery.run(row),
    heads: () => s.heads.all(),
    finish: (seq: number, state: DeliveryRow['state'], attempts: number, nextAttemptAt: number) => s.finish.run({ seq, state, attempts, next_attempt_at: nextAttemptAt }),
    insertAttempt: (row: AttemptRow) => s.insertAttempt.run(row),
    deliveries: (environmentId: string, limit: number) => s.deliveries.all(environmentId, limit),
    attemptsOf: (deliverySeq: number) => s.attemptsOf.all(deliverySeq),
    balanceInEnvironment: (environmentId: string, id: string) => s.balance.get(environmentId, id),
    statementInEnvironment: (environmentId: string, id: string) => s.statement.get(environmentId, id),
    /** A delivery may be gone by the time its attempt ends (its subscription deleted, a reset). */
    deliveryExists: (seq: number) => s.exists.get(seq) !== undefined
  }
}

export type WebhookStore = ReturnType<typeof createWebhookStore>
