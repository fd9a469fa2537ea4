// Profiles: Quiltt's attributes, their validation, and the Profiles API's semantics.
import { toIso } from '../clock.js'
import { errors, FieldErrorCollector } from '../errors.js'
import type { EnvironmentRow } from '../store/environments.js'
import type { ProfileRow } from '../store/profiles.js'
import type { ServiceContext } from './context.js'
import { EMAIL_INVALID, has, hasPrototypeKeys, unrepresentable, isCalendarDate, isE164, isEmail, isPlainObject, isProfileId, isUuid, nestsAtMost, normalizeEmail } from './formats.js'

/** Quiltt's Profile (2026-04-01): `at` is when the profile last changed. */
export interface ProfileView {
  id: string
  uuid: string
  metadata: Record<string, unknown> | null
  at: string
  email: string | null
  phone: string | null
  name: string | null
  names: { full: string, first: string | null, last: string | null } | null
  dateOfBirth: string | null
  address: Record<string, unknown> | null
  createdAt: string
  updatedAt: string
}

/** The writable columns of a profile; a key that is absent leaves the column as it is. */
export type ProfilePatch = Partial<Pick<ProfileRow, 'email' | 'phone' | 'name' | 'first_name' | 'last_name' | 'date_of_birth' | 'address' | 'metadata'>>

const ADDRESS_REQUIRED = ['line1', 'city', 'state', 'postalCode', 'countryCode'] as const
// Quiltt's minimum lengths for address fields (its Profile schema); the others need one character.
const ADDRESS_MIN_LENGTH: Record<string, number> = { line1: 2, state: 2 }
const ADDRESS_KEYS = new Set<string>([...ADDRESS_REQUIRED, 'line2'])
// Quiltt documents 1 to 50 keys and no depth; a bound keeps a hostile body from reaching the stack limit.
const METADATA_MAX_DEPTH = 32

/**
 * Validates Quiltt's ProfileCreateRequest / ProfileUpdateRequest attributes into column values, collecting
 * every problem as a Rails-style field message (`{"email": ["is invalid"]}`). `null` clears an attribute.
 */
export function parseProfileAttributes (body: Record<string, unknown>, errs: FieldErrorCollector, prefix = ''): ProfilePatch {
  const patch: ProfilePatch = {}
  const at = (k: string): string => `${prefix}${k}`
  const stringOrNull = (k: string): string | null | undefined => {
    if (!has(body, k) || body[k] === undefined) return undefined
    const v = body[k]
    if (v === null) return null
    if (typeof v !== 'string') { errs.add(at(k), 'must be a string'); return undefined }
    return v
  }

  const email = stringOrNull('email')
  if (email !== undefined) {
    if (email !== null && !isEmail(normalizeEmail(email))) errs.add(at('email'), EMAIL_INVALID)
    else patch.email = email === null ? null : normalizeEmail(email)
  }
  const phone = stringOrNull('phone')
  if (phone !== undefined) {
    if (phone !== null && !isE164(phone)) errs.add(at('phone'), 'is invalid')
    else patch.phone = phone
  }
  const name = stringOrNull('name')
  if (name !== undefined) {
    if (name !== null && name.trim() === '') errs.add(at('name'), "can't be blank")
    else if (name !== null && name.length > 255) errs.add(at('name'), 'is too long (maximum is 255 characters)')
    else patch.name = name
  }
  if (has(body, 'names') && body.names !== undefined) {
    const names = body.names
    // Quiltt's names object is written whole: first and last are both required (null clears one);
    // `full` is read-only and, as OpenAPI's readOnly says, ignored in a request.
    if (names === null) { patch.first_name = null; patch.last_name = null } else if (!isPlainObject(names)) errs.add(at('names'), 'must be an object')
    else {
      for (const [key, column] of [['first', 'first_name'], ['last', 'last_name']] as const) {
        const v = names[key]
        if (v === undefined) errs.add(at(`names.${key}`), "can't be blank")
        else if (v !== null && typeof v !== 'string') errs.add(at(`names.${key}`), 'must be a string')
        else if (v !== null && v.trim() === '') errs.add(at(`names.${key}`), "can't be blank")
        else patch[column] = v
      }
    }
  }
  const dob = stringOrNull('dateOfBirth')
  if (dob !== undefined) {
    if (dob !== null && !isCalendarDate(dob)) errs.add(at('dateOfBirth'), 'must be a date as YYYY-MM-DD')
    else patch.date_of_birth = dob
  }
  if (has(body, 'address') && body.address !== undefined) {
    const address = body.address
    if (address === null) patch.address = null
    else if (!isPlainObject(address)) errs.add(at('address'), 'must be an object')
    else {
      const before = Object.keys(errs.fields).length
      for (const key of ADDRESS_REQUIRED) {
        const v = address[key]
        const min = ADDRESS_MIN_LENGTH[key] ?? 1
        if (v === undefined || v === null || v === '') errs.add(at(`address.${key}`), "can't be blank")
        else if (typeof v !== 'string') errs.add(at(`address.${key}`), 'must be a string')
        else if (v.length < min) errs.add(at(`address.${key}`), `is too short (minimum is ${min} characters)`)
      }
      if (typeof address.countryCode === 'string' && address.countryCode !== 'USA') errs.add(at('address.countryCode'), 'is not included in the list')
      if (address.line2 !== undefined && address.line2 !== null && typeof address.line2 !== 'string') errs.add(at('address.line2'), 'must be a string')
      else if (address.line2 === '') errs.add(at('address.line2'), "can't be blank: leave it out or send null")
      for (const key of Object.keys(address)) if (!ADDRESS_KEYS.has(key)) errs.add(at(`address.${key}`), 'is not a known field')
      if (Object.keys(errs.fields).length === before) {
        const { line1, line2, city, state, postalCode, countryCode } = address
        patch.address = JSON.stringify({ line1, line2: line2 ?? null, city, state, postalCode, countryCode })
      }
    }
  }
  if (has(body, 'metadata') && body.metadata !== undefined) {
    const metadata = body.metadata
    if (metadata === null) patch.metadata = null
    else if (!isPlainObject(metadata)) errs.add(at('metadata'), 'must be an object')
    else {
      const n = Object.keys(metadata).length
      if (n < 1 || n > 50) errs.add(at('metadata'), 'must have between 1 and 50 keys')
      else if (!nestsAtMost(metadata, METADATA_MAX_DEPTH)) errs.add(at('metadata'), `is nested too deeply (at most ${METADATA_MAX_DEPTH} levels)`)
      // A JSON body with such a key is refused whole (secure-json-parse); GraphQL's JSON scalar can
      // still carry one, and the two APIs must agree on what a profile may hold.
      else if (hasPrototypeKeys(metadata)) errs.add(at('metadata'), 'must not have a __proto__ key, or a constructor key holding a prototype')
      // GraphQL's JSON scalar reads a literal 1e400 as Infinity, which JSON.stringify would store as null.
      else if (unrepresentable(metadata)) { const u = unrepresentable(metadata)!; errs.add(at(u.path === '' ? 'metadata' : `metadata.${u.path}`), u.problem) } else patch.metadata = JSON.stringify(metadata)
    }
  }
  return patch
}

export function createProfileService ({ store, clock, ids, changes }: ServiceContext) {
  function view (row: ProfileRow): ProfileView {
    const hasNames = row.first_name !== null || row.last_name !== null
    return {
      id: row.id,
      uuid: row.uuid,
      metadata: row.metadata === null ? null : JSON.parse(row.metadata) as Record<string, unknown>,
      at: toIso(row.updated_at),
      email: row.email,
      phone: row.phone,
      name: row.name,
      names: hasNames
        ? { full: [row.first_name, row.last_name].filter(Boolean).join(' '), first: row.first_name, last: row.last_name }
        : null,
      dateOfBirth: row.date_of_birth,
      address: row.address === null ? null : JSON.parse(row.address) as Record<string, unknown>,
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at)
    }
  }

  /** A profile change as webhooks see it (services/changes.ts); called inside the transaction that made it. */
  function publish (type: 'profile.created' | 'profile.deleted' | 'profile.ready', row: ProfileRow, metadata?: Record<string, unknown>): void {
    const record = view(row)
    changes.publish({ environmentId: row.environment_id, type, profile: { id: record.id, uuid: record.uuid, metadata: record.metadata }, record: record as unknown as Record<string, unknown>, ...(metadata ? { metadata } : {}) })
  }

  /** Email and phone identify a profile for passwordless login, so each belongs to one profile per environment. */
  function assertUsernamesFree (environmentId: string, patch: ProfilePatch, selfId?: string): void {
    const errs = new FieldErrorCollector()
    for (const channel of ['email', 'phone'] as const) {
      const v = patch[channel]
      if (v === undefined || v === null) continue
      const other = store.profiles.byUsername(environmentId, channel, v)
      if (other && other.id !== selfId) errs.add(channel, 'has already been taken')
    }
    errs.throwIfAny()
  }

  return {
    view,
    publish,

    /** Finds a profile by its `p_...` ID or its UUID, only ever inside the given environment. */
    find (environmentId: string, idOrUuid: string): ProfileRow | undefined {
      if (isUuid(idOrUuid)) return store.profiles.byUuid(environmentId, idOrUuid.toLowerCase())
      return store.profiles.byId(environmentId, idOrUuid)
    },

    require (environmentId: string, idOrUuid: string): ProfileRow {
      const row = this.find(environmentId, idOrUuid)
      if (!row) throw errors.profileNotFound(idOrUuid)
      return row
    },

    /** Parses a chosen `id` for a new profile: `p_` and base62, or absent for a generated one. */
    parseNewId (body: Record<string, unknown>, errs: FieldErrorCollector, prefix = ''): string | undefined {
      const v = body.id
      if (v === undefined || v === null) return undefined
      if (typeof v !== 'string' || !isProfileId(v)) { errs.add(`${prefix}id`, 'must be p_ followed by 1 to 64 letters and digits, as Quiltt\'s profile ids are'); return undefined }
      return v
    },

    /** Parses `uuid` for a new profile: a UUID, or null/absent for a random one. */
    parseNewUuid (body: Record<string, unknown>, errs: FieldErrorCollector): string | undefined {
      const v = body.uuid
      if (v === undefined || v === null) return undefined
      if (typeof v !== 'string' || !isUuid(v)) { errs.add('uuid', 'is not a valid UUID'); return undefined }
      return v.toLowerCase()
    },

    /** `id` and `uuid` are chosen ones (fixtures, seeding, issue session's `uuid`) or generated. */
    create (environment: EnvironmentRow, uuid: string | undefined, patch: ProfilePatch, id?: string): ProfileRow {
      const now = clock.now()
      const row: ProfileRow = {
        id: id ?? ids.profileId(),
        environment_id: environment.id,
        uuid: uuid ?? ids.uuid(),
        email: null,
        phone: null,
        name: null,
        first_name: null,
        last_name: null,
        date_of_birth: null,
        address: null,
        metadata: null,
        ...patch,
        created_at: now,
        updated_at: now
      }
      if (uuid !== undefined && store.profiles.byUuid(environment.id, uuid)) throw errors.uuidNotAvailable()
      // Profile ids are unique across environments, as Quiltt's global ids are.
      if (id !== undefined && store.profiles.idTaken(id)) throw errors.profileIdNotAvailable()
      assertUsernamesFree(environment.id, patch)
      try {
        // Every way a profile comes to be (signup, issued session, REST, fixtures, seeding) passes here:
        // its profile.created event is recorded with it, or not at all.
        store.transaction(() => {
          store.profiles.insert(row)
          publish('profile.created', row)
        })
      } catch (err) {
        // The unique index settles a race the checks above lost.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          if (String((err as Error).message).includes('uuid')) throw errors.uuidNotAvailable()
          assertUsernamesFree(environment.id, patch)
        }
        throw err
      }
      return row
    },

    update (row: ProfileRow, patch: ProfilePatch): ProfileRow {
      if (Object.keys(patch).length === 0) return row
      assertUsernamesFree(row.environment_id, patch, row.id)
      const next = { ...row, ...patch, updated_at: clock.now() }
      store.profiles.update(next)
      return next
    },

    /** POST /v1/profiles: attributes and an optional `uuid`, all validated before anything is written. */
    createFromBody (environment: EnvironmentRow, rawBody: unknown): ProfileRow {
      const body = isPlainObject(rawBody) ? rawBody : {}
      const errs = new FieldErrorCollector()
      const patch = parseProfileAttributes(body, errs)
      const uuid = this.parseNewUuid(body, errs)
      errs.throwIfAny()
      return this.create(environment, uuid, patch)
    },

    /** PATCH /v1/profiles/{id}: only the attributes sent change. */
    updateFromBody (environmentId: string, idOrUuid: string, rawBody: unknown): ProfileRow {
      const errs = new FieldErrorCollector()
      const patch = parseProfileAttributes(isPlainObject(rawBody) ? rawBody : {}, errs)
      errs.throwIfAny()
      return this.update(this.require(environmentId, idOrUuid), patch)
    },

    /** One page, with the counts Quiltt sends as pagination headers (pagy's: at least one page, even when empty). */
    list (environmentId: string, page: number, limit: number): { profiles: ProfileView[], total: number, pages: number } {
      const total = store.profiles.count(environmentId)
      return { profiles: store.profiles.list(environmentId, limit, (page - 1) * limit).map(view), total, pages: Math.max(1, Math.ceil(total / limit)) }
    },

    delete (environmentId: string, idOrUuid: string): void {
      store.transaction(() => {
        const row = this.require(environmentId, idOrUuid)
        store.profiles.delete(environmentId, row.id)
        publish('profile.deleted', row)
      })
    }
  }
}

export type ProfileService = ReturnType<typeof createProfileService>
