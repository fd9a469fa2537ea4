// Events on demand (POST /emulator/v1/environments/{environmentId}/events), as `stripe trigger` does:
// `{"type", ...the record's id}` records the event for a record that exists, and its deliveries.
import { errors, FieldErrorCollector } from '../errors.js'
import type { ProfileRow } from '../store/profiles.js'
import { accountRecord, balanceRecord, connectionRecord, metadataOf, statementRecord } from './bank-records.js'
import type { Change, ChangeType } from './changes.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import { has, isPlainObject, nestsAtMost } from './formats.js'
import type { ProfileService } from './profiles.js'
import { EVENT_TYPES, SUBSCRIBABLE_TYPES, type WebhookEvent, type WebhookService } from './webhooks.js'

/**
 * How a kind of record is found by the id a trigger names: the change it would publish (without its
 * type and metadata), or undefined when no such record is in the environment.
 */
export interface RecordSource {
  /** The body field that names the record: `profileId`, `connectionId`, ... */
  idField: string
  /** The record's name in a 404 (`Connection`). */
  kind: string
  find: (environmentId: string, id: string) => Omit<Change, 'type' | 'metadata'> | undefined
}

const KINDS = ['profile', 'connection', 'account', 'balance', 'statement'] as const
type Kind = typeof KINDS[number]

export function createEventTriggers ({ store }: ServiceContext, environments: EnvironmentService, profiles: ProfileService, webhooks: WebhookService) {
  const change = (environmentId: string, profileId: string, record: Record<string, unknown>): Omit<Change, 'type' | 'metadata'> | undefined => {
    const p: ProfileRow | undefined = store.profiles.byId(environmentId, profileId)
    return p ? { environmentId, profile: { id: p.id, uuid: p.uuid, metadata: metadataOf(p.metadata) }, record } : undefined
  }
  const sources: Partial<Record<Kind, RecordSource>> = {
    connection: {
      idField: 'connectionId',
      kind: 'Connection',
      find (environmentId, id) {
        const row = store.connections.byIdInEnvironment(environmentId, id)
        return row && change(environmentId, row.profile_id, connectionRecord(row))
      }
    },
    account: {
      idField: 'accountId',
      kind: 'Account',
      find (environmentId, id) {
        const row = store.accounts.byIdInEnvironment(environmentId, id)
        return row && change(environmentId, row.profile_id, accountRecord(row))
      }
    },
    balance: {
      idField: 'balanceId',
      kind: 'Balance',
      find (environmentId, id) {
        const row = store.webhooks.balanceInEnvironment(environmentId, id)
        return row && change(environmentId, row.profile_id, balanceRecord(row))
      }
    },
    statement: {
      idField: 'statementId',
      kind: 'Statement',
      find (environmentId, id) {
        const row = store.webhooks.statementInEnvironment(environmentId, id)
        return row && change(environmentId, row.profile_id, statementRecord(row))
      }
    },
    profile: {
      idField: 'profileId',
      kind: 'Profile',
      find (environmentId, id) {
        const row = profiles.find(environmentId, id)
        if (!row) return undefined
        const record = profiles.view(row)
        return { environmentId, profile: { id: record.id, uuid: record.uuid, metadata: record.metadata }, record: record as unknown as Record<string, unknown> }
      }
    }
  }

  return {
    /** Adds the records another part of the emulator keeps (connections, accounts, balances, statements). */
    addSource (kind: Kind, source: RecordSource): void { sources[kind] = source },

    fire (environmentId: string, raw: unknown): WebhookEvent {
      environments.require(environmentId)
      const body = isPlainObject(raw) ? raw : {}
      const errs = new FieldErrorCollector()
      const type = body.type
      if (type === undefined) errs.add('type', `can't be blank: name an event type such as profile.created`)
      else if (typeof type !== 'string' || !EVENT_TYPES.includes(type as ChangeType)) {
        errs.add('type', typeof type === 'string' && SUBSCRIBABLE_TYPES.includes(type)
          ? `${JSON.stringify(type)} is a scope a subscription may list, not an event: name one of ${EVENT_TYPES.join(', ')}`
          : `is not an event type: use one of ${EVENT_TYPES.join(', ')}`)
      }
      errs.throwIfAny()
      const kind = (type as string).split('.')[0] as Kind
      const source = sources[kind]
      if (!source) {
        errs.add('type', `${kind} events need ${kind} records, which this build of quiltt-mock does not keep`)
        errs.throwIfAny()
      }
      const id = body[source!.idField]
      if (typeof id !== 'string' || id === '') errs.add(source!.idField, `can't be blank: name the ${source!.kind.toLowerCase()} the event is about`)
      const metadata = has(body, 'metadata') ? body.metadata : undefined
      if (metadata !== undefined && !isPlainObject(metadata)) errs.add('metadata', 'must be an object')
      else if (metadata !== undefined && !nestsAtMost(metadata, 32)) errs.add('metadata', 'is nested too deeply (at most 32 levels)')
      errs.throwIfAny()
      return store.transaction(() => {
        const found = source!.find(environmentId, id as string)
        if (!found) throw errors.eventRecordNotFound(source!.kind, id as string)
        return webhooks.record({ ...found, type: type as ChangeType, ...(metadata ? { metadata: metadata as Record<string, unknown> } : {}) })
      })
    }
  }
}

export type EventTriggers = ReturnType<typeof createEventTriggers>
