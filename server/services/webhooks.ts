// Webhooks: Quiltt's subscriptions (/v1/webhooks/subscriptions), the events every change is recorded
// as, and the pending deliveries those events make; the sending itself is webhook-delivery.ts.
import { toIso } from '../clock.js'
import { isLoopbackHost } from '../drop-in/loopback.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { EnvironmentRow } from '../store/environments.js'
import type { AttemptRow, EventRow, SubscriptionRow } from '../store/webhooks.js'
import type { Change, ChangeType } from './changes.js'
import type { ServiceContext } from './context.js'
import { has, isPlainObject } from './formats.js'

/** Leaf event types, as Quiltt's WebhookPayload lists them. */
export const EVENT_TYPES: readonly ChangeType[] = [
  'connection.created', 'connection.synced.successful', 'connection.synced.successful.initial',
  'connection.synced.successful.historical', 'connection.synced.errored.repairable',
  'connection.synced.errored.institution', 'connection.synced.errored.provider',
  'connection.synced.errored.service', 'connection.disconnected',
  'account.created', 'account.owners_verified', 'account.reconnected', 'account.verified',
  'balance.created', 'statement.ready', 'profile.created', 'profile.ready', 'profile.deleted'
]

/**
 * What a subscription may list (Quiltt's WebhookSubscription enum): the leaf types, their parent
 * scopes (a scope takes every type under it), and `charge.execute`, which no payload carries.
 */
export const SUBSCRIBABLE_TYPES: readonly string[] = [
  'profile', 'profile.created', 'profile.ready', 'profile.deleted',
  'connection', 'connection.created', 'connection.synced', 'connection.synced.successful',
  'connection.synced.successful.initial', 'connection.synced.successful.historical',
  'connection.synced.errored', 'connection.synced.errored.repairable', 'connection.synced.errored.institution',
  'connection.synced.errored.provider', 'connection.synced.errored.service', 'connection.disconnected',
  'account', 'account.created', 'account.owners_verified', 'account.reconnected', 'account.verified',
  'balance', 'balance.created', 'statement', 'statement.ready', 'charge.execute'
]

/** Whether a subscription's list takes an event type: the type itself or one of its parent scopes. */
export const subscribedTo = (eventTypes: readonly string[], type: string): boolean =>
  eventTypes.some(t => t === type || type.startsWith(`${t}.`))

export interface WebhookSubscriptionView {
  id: string
  name: string
  targetUrl: string
  eventTypes: string[]
  disabled: boolean
  createdAt: string
  updatedAt: string
}

/** One event as it is delivered (Quiltt's ConnectionEvent, AccountEvent, ... ProfileEvent). */
export interface WebhookEvent {
  id: string
  at: string
  type: ChangeType
  profile: Change['profile']
  record: Record<string, unknown>
  metadata: Record<string, unknown>
}

/** Quiltt's WebhookPayload. */
export interface WebhookPayload {
  environment: { id: string, name: string, mode: EnvironmentRow['mode'], metadata: null }
  eventTypes: ChangeType[]
  events: WebhookEvent[]
}

export interface DeliveryAttemptView { attempt: number, at: string, statusCode: number | null, durationMs: number, error: string | null }
export interface WebhookDeliveryView {
  id: string
  subscriptionId: string
  eventId: string
  eventType: string
  state: 'pending' | 'delivered' | 'failed'
  attempts: DeliveryAttemptView[]
  nextAttemptAt: string | null
  createdAt: string
}

/** Which target hosts deliveries may go to, besides loopback (`--webhook-hosts`). */
export interface WebhookHostPolicy {
  /** Host names (lower case) or `*` for any. */
  hosts: readonly string[]
}

/**
 * Why a target URL may not be used, or undefined when it may. Quiltt takes HTTPS only; the emulator
 * also takes http:// to this machine, and (so that it never posts data to a stranger because a
 * fixture said so) only loopback hosts unless the user named others with --webhook-hosts, over
 * http:// or https:// as the user chose.
 */
export function targetUrlProblem (raw: string, policy: WebhookHostPolicy): string | undefined {
  let url: URL
  try { url = new URL(raw) } catch { return 'Target URL is not a valid HTTPS URL' }
  if (raw.length > 2048) return 'Target URL is too long (maximum is 2048 characters)'
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Target URL is not a valid HTTPS URL'
  const loopback = isLoopbackHost(url.hostname)
  const named = policy.hosts.includes('*') || policy.hosts.includes(url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase())
  if (!loopback && !named) {
    return `Target URL host ${url.hostname} is not this machine: quiltt-mock delivers to loopback hosts (127.0.0.1, localhost) only, unless started with --webhook-hosts ${url.hostname} (or QUILTT_MOCK_WEBHOOK_HOSTS)`
  }
  return undefined
}

const MAX_NAME = 255
// Newest first, as many as the inspector and a test need; older ones stay in the database.
export const DEFAULT_LIST_LIMIT = 100

export interface WebhookServiceOptions {
  hostPolicy: WebhookHostPolicy
  /** Called after a change has recorded deliveries: the dispatcher sends them once the transaction has committed. */
  onPending: () => void
}

export function createWebhookService ({ store, clock, ids, changes }: ServiceContext, options: WebhookServiceOptions) {
  const hooks = store.webhooks

  function view (row: SubscriptionRow): WebhookSubscriptionView {
    return {
      id: row.id,
      name: row.name,
      targetUrl: row.target_url,
      eventTypes: JSON.parse(row.event_types) as string[],
      disabled: row.disabled === 1,
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at)
    }
  }

  /** The fields sent, checked; `required` for create. Every problem is reported, in Quiltt's field map. */
  function parse (raw: unknown, required: boolean): Partial<Pick<SubscriptionRow, 'name' | 'target_url' | 'event_types' | 'disabled'>> {
    const body = isPlainObject(raw) ? raw : {}
    const errs = new FieldErrorCollector()
    const out: Partial<Pick<SubscriptionRow, 'name' | 'target_url' | 'event_types' | 'disabled'>> = {}
    const given = (k: string): boolean => has(body, k) && body[k] !== undefined
    if (given('name')) {
      const v = body.name
      if (typeof v !== 'string') errs.add('name', 'must be a string')
      else if (v.trim() === '') errs.add('name', "can't be blank")
      else if (v.length > MAX_NAME) errs.add('name', `is too long (maximum is ${MAX_NAME} characters)`)
      else out.name = v
    } else if (required) errs.add('name', "can't be blank")
    if (given('targetUrl')) {
      const v = body.targetUrl
      const problem = typeof v === 'string' ? targetUrlProblem(v, options.hostPolicy) : 'must be a string'
      if (problem) errs.add('targetUrl', problem)
      else out.target_url = v as string
    } else if (required) errs.add('targetUrl', "can't be blank")
    if (given('eventTypes')) {
      const v = body.eventTypes
      if (!Array.isArray(v)) errs.add('eventTypes', 'must be an array')
      else if (v.length === 0) errs.add('eventTypes', "can't be blank: list at least one event type")
      else {
        const unknown = v.filter(t => typeof t !== 'string' || !SUBSCRIBABLE_TYPES.includes(t))
        // Named as sent, but never stringified whole: an entry may be a huge or deeply nested value.
        const name = (t: unknown): string => typeof t === 'string' ? JSON.stringify(t.length > 60 ? `${t.slice(0, 60)}…` : t) : `a${Array.isArray(t) ? 'n array' : t === null ? ' null' : ` ${typeof t}`}`
        if (unknown.length > 0) {
          const listed = unknown.slice(0, 5).map(name).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '')
          errs.add('eventTypes', `${listed} ${unknown.length === 1 ? 'is not an event type' : 'are not event types'}: use ${SUBSCRIBABLE_TYPES.join(', ')}`)
        } else out.event_types = JSON.stringify([...new Set(v as string[])])
      }
    } else if (required) errs.add('eventTypes', "can't be blank: list at least one event type")
    if (given('disabled')) {
      if (typeof body.disabled !== 'boolean') errs.add('disabled', 'must be a boolean')
      else out.disabled = Number(body.disabled)
    }
    errs.throwIfAny()
    return out
  }

  function require (environmentId: string, id: string): SubscriptionRow {
    const row = hooks.subscription(environmentId, id)
    if (!row) throw errors.webhookSubscriptionNotFound(id)
    return row
  }

  function eventView (row: EventRow): WebhookEvent {
    return JSON.parse(row.event) as WebhookEvent
  }

  /** Records one event and a pending delivery for every enabled subscription that takes its type. */
  function record (change: Change): WebhookEvent {
    const now = clock.now()
    const event: WebhookEvent = {
      id: ids.eventId(),
      at: toIso(now),
      type: change.type,
      profile: change.profile,
      record: change.record,
      metadata: change.metadata ?? {}
    }
    const seq = hooks.insertEvent({ id: event.id, environment_id: change.environmentId, type: change.type, at: now, event: JSON.stringify(event) })
    let pending = 0
    for (const sub of hooks.activeSubscriptions(change.environmentId)) {
      if (!subscribedTo(JSON.parse(sub.event_types) as string[], change.type)) continue
      hooks.insertDelivery({ id: ids.deliveryId(), environment_id: change.environmentId, subscription_id: sub.id, event_seq: seq, next_attempt_at: now, created_at: now })
      pending++
    }
    if (pending > 0) options.onPending()
    return event
  }

  // Every change any service publishes, inside the transaction that made it: the event and its
  // deliveries commit with the change, or not at all.
  changes.subscribe(change => { record(change) })

  const attemptView = (a: AttemptRow): DeliveryAttemptView =>
    ({ attempt: a.attempt, at: toIso(a.at), statusCode: a.status_code, durationMs: a.duration_ms, error: a.error })

  return {
    view,

    create (environment: EnvironmentRow, raw: unknown): WebhookSubscriptionView {
      const fields = parse(raw, true)
      const now = clock.now()
      const row: SubscriptionRow = {
        id: ids.webhookSubscriptionId(),
        environment_id: environment.id,
        name: fields.name!,
        target_url: fields.target_url!,
        event_types: fields.event_types!,
        disabled: fields.disabled ?? 0,
        created_at: now,
        updated_at: now
      }
      hooks.insertSubscription(row)
      return view(row)
    },

    list (environmentId: string, page: number, limit: number): { subscriptions: WebhookSubscriptionView[], total: number, pages: number } {
      const total = hooks.countSubscriptions(environmentId)
      return { subscriptions: hooks.subscriptions(environmentId, limit, (page - 1) * limit).map(view), total, pages: Math.max(1, Math.ceil(total / limit)) }
    },

    get: (environmentId: string, id: string): WebhookSubscriptionView => view(require(environmentId, id)),

    update (environmentId: string, id: string, raw: unknown): WebhookSubscriptionView {
      const fields = parse(raw, false)
      return store.transaction(() => {
        const row = require(environmentId, id)
        if (Object.keys(fields).length === 0) return view(row)
        const next = { ...row, ...fields, updated_at: clock.now() }
        hooks.updateSubscription(next)
        // Re-enabled, its held deliveries may go out.
        if (row.disabled === 1 && next.disabled === 0) options.onPending()
        return view(next)
      })
    },

    delete (environmentId: string, id: string): void {
      if (!hooks.deleteSubscription(environmentId, id)) throw errors.webhookSubscriptionNotFound(id)
    },

    /** Records a change as an event (and its deliveries) now: what `POST .../events` fires. */
    record,

    /** Newest first. */
    events: (environmentId: string, limit = DEFAULT_LIST_LIMIT): WebhookEvent[] => hooks.events(environmentId, limit).map(eventView),

    /** Newest first, each with every attempt made. */
    deliveries (environmentId: string, limit = DEFAULT_LIST_LIMIT): WebhookDeliveryView[] {
      return hooks.deliveries(environmentId, limit).map(d => ({
        id: d.id,
        subscriptionId: d.subscription_id,
        eventId: d.event_id,
        eventType: d.event_type,
        state: d.state,
        attempts: hooks.attemptsOf(d.seq).map(attemptView),
        nextAttemptAt: d.state === 'pending' ? toIso(d.next_attempt_at) : null,
        createdAt: toIso(d.created_at)
      }))
    },

    /** The envelope one event is delivered in. */
    payload (environment: Pick<EnvironmentRow, 'id' | 'name' | 'mode'>, event: WebhookEvent): WebhookPayload {
      return { environment: { id: environment.id, name: environment.name, mode: environment.mode, metadata: null }, eventTypes: [event.type], events: [event] }
    }
  }
}

export type WebhookService = ReturnType<typeof createWebhookService>
