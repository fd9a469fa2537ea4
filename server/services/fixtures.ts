// Fixture documents: reading, checking and loading them (at start, over HTTP, on reset).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fixturesPath } from '../paths.js'
import { parseYaml } from '../yaml.js'
import { toIso } from '../clock.js'
import { ApiError, errors, FieldErrorCollector, ValidationError } from '../errors.js'
import type { ServiceContext } from './context.js'
import { ENVIRONMENT_INPUT_FIELDS, type EnvironmentInput, type EnvironmentService, parseEnvironmentInput } from './environments.js'
import { isPlainObject } from './formats.js'
import { type ProfilePatch, parseProfileAttributes, type ProfileService, type ProfileView } from './profiles.js'
import type { SessionService } from './sessions.js'
import type { ConnectionService } from './connections.js'

/** `connections`: seeding bodies (as POST .../connections takes them), checked when the profile is loaded. */
interface ProfileFixture { id?: string, uuid?: string, patch: ProfilePatch, sessions: number, connections: unknown[], path: string }
interface EnvironmentFixture { input: EnvironmentInput, profiles: ProfileFixture[], path: string }
export interface FixtureDocument { environments: EnvironmentFixture[] }

export interface LoadedEnvironment {
  id: string
  clientId: string
  apiKey: { id: string, secret: string }
  signingSecret: string
  webhookSecret: string
  profiles: Array<{ id: string, uuid: string, sessions: Array<{ id: string, token: string }> }>
}

/** A profile seeded into a running environment, with the sessions started for it. */
export interface SeededProfile extends ProfileView {
  sessions: Array<{ id: string, token: string, expiresAt: string }>
}

const MAX_SESSIONS_PER_PROFILE = 1000
/**
 * What one fixture document may make in all, checked before anything is parsed further or written:
 * every object in it (environments, profiles, whatever a later kind of fixture adds) and every session
 * its profiles start. One 18 KB document asking a thousand profiles for a thousand sessions each held
 * the process for 37 seconds.
 */
export const MAX_FIXTURE_OBJECTS = 100_000
export const MAX_FIXTURE_SESSIONS = 10_000
// A misspelt key would otherwise be ignored and leave a setting at its default without a word.
const ENVIRONMENT_KEYS = new Set([...ENVIRONMENT_INPUT_FIELDS, 'profiles'])
const PROFILE_KEYS = new Set(['id', 'uuid', 'email', 'phone', 'name', 'names', 'dateOfBirth', 'address', 'metadata', 'sessions', 'connections'])
const MAX_CONNECTIONS_PER_PROFILE = 20

/** The known key `key` is most likely a misspelling of: the same but for case, or at most two edits away. */
export function closestKey (key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key)
    if (d < bestDistance) { best = k; bestDistance = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}

/** Reports every key not in `known`, naming the known one it likely misspells; returns those it names. */
function unknownKeys (raw: Record<string, unknown>, known: Set<string>, errs: FieldErrorCollector, prefix: string): Set<string> {
  const meant = new Set<string>()
  for (const k of Object.keys(raw)) {
    if (known.has(k)) continue
    const guess = closestKey(k, known)
    if (guess !== undefined) meant.add(guess)
    errs.add(`${prefix}${k}`, guess === undefined ? 'is not a known field' : `is not a known field; did you mean ${guess}?`)
  }
  return meant
}

const isJsonPath = (path: string): boolean => /\.json$/i.test(path)
// A UTF-8 byte order mark (Windows editors write one) is not part of the document: the same text sent
// over HTTP is accepted, so the file is too.
const parseFixtureText = (path: string, text: string): unknown => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return isJsonPath(path) ? JSON.parse(body) : parseYaml(body)
}

/** Reads a fixture file, JSON or YAML. */
export function readFixtureFile (path: string): unknown {
  return parseFixtureText(path, readFileSync(path, 'utf8'))
}

/** A `--fixtures` value that names no readable, parsable file; the message says which and why, for the flag to prefix. */
export class FixtureFileError extends Error {}

/**
 * The document a `--fixtures` value names: a JSON or YAML file, or a bundled one by name
 * (`email-and-phone`). Read when the flag is read, so a wrong value is a usage error naming the
 * flag, not a raw ENOENT or SyntaxError from deep in the start.
 */
export function readFixturesOption (value: string): Record<string, unknown> {
  const path = resolve(fixturesPath(value))
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new FixtureFileError(`"${value}" ${code === 'ENOENT'
      ? `no such file (${path}); give a JSON or YAML fixture file, or email-and-phone for the bundled one`
      : code === 'EISDIR' ? 'is a folder, not a fixture file' : `cannot be read (${code ?? String(err)})`}`)
  }
  let raw: unknown
  try {
    raw = parseFixtureText(path, text)
  } catch (err) {
    throw new FixtureFileError(`"${value}" is not valid ${isJsonPath(path) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!isPlainObject(raw)) throw new FixtureFileError(`"${value}" must hold a fixture document: an object with "environments"`)
  return raw
}

/**
 * Validates a whole fixture document before anything is written, reporting every bad value at its
 * path (`environments.0.profiles.2.email`).
 */
export function parseFixtureDocument (raw: unknown, profiles: ProfileService): FixtureDocument {
  const errs = new FieldErrorCollector()
  if (!isPlainObject(raw)) throw new ValidationError({ environments: ['must be an array of environments'] })
  // `environment:` or `Environments:` is reported as the misspelling it is, not as a missing `environments`.
  const meant = unknownKeys(raw, new Set(['environments']), errs, '')
  if (!Array.isArray(raw.environments)) {
    if (!meant.has('environments') || raw.environments !== undefined) errs.add('environments', 'must be an array of environments')
    throw new ValidationError(errs.fields)
  }
  checkDocumentCost(raw)
  const environments = raw.environments.map((env, i): EnvironmentFixture => {
    const path = `environments.${i}.`
    const input = parseEnvironmentInput(env, errs, path)
    if (isPlainObject(env)) unknownKeys(env, ENVIRONMENT_KEYS, errs, path)
    const list = isPlainObject(env) ? env.profiles : undefined
    let fixtures: ProfileFixture[] = []
    if (list !== undefined) {
      if (!Array.isArray(list)) errs.add(`${path}profiles`, 'must be an array')
      else {
        fixtures = list.map((p, j): ProfileFixture => parseFixtureProfile(p, errs, `${path}profiles.${j}.`, profiles))
      }
    }
    return { input, profiles: fixtures, path }
  })
  errs.throwIfAny()
  return { environments }
}

/** The whole document's cost, before its parts are checked one by one: a 422 at `environments` naming the bound. */
function checkDocumentCost (raw: Record<string, unknown>): void {
  let objects = 0
  let sessions = 0
  // Iterative, so a deeply nested document cannot overflow the stack here.
  const stack: unknown[] = [raw]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (++objects > MAX_FIXTURE_OBJECTS) break
    if (Array.isArray(v)) { for (const x of v) stack.push(x); continue }
    for (const x of Object.values(v)) stack.push(x)
  }
  for (const env of raw.environments as unknown[]) {
    const list = isPlainObject(env) && Array.isArray(env.profiles) ? env.profiles : []
    for (const p of list) if (isPlainObject(p) && typeof p.sessions === 'number' && p.sessions > 0) sessions += p.sessions
  }
  const problems: string[] = []
  if (objects > MAX_FIXTURE_OBJECTS) problems.push(`hold more than ${MAX_FIXTURE_OBJECTS.toLocaleString('en-US')} objects (environments, profiles and what they hold); a fixture document may hold at most that: split it into several`)
  if (sessions > MAX_FIXTURE_SESSIONS) problems.push(`start ${sessions.toLocaleString('en-US')} sessions in all (the profiles' "sessions" added up); a fixture document may start at most ${MAX_FIXTURE_SESSIONS.toLocaleString('en-US')}`)
  if (problems.length > 0) throw new ValidationError({ environments: problems })
}

/**
 * One profile of a fixture document (or of a seeding request), every bad value reported at
 * `prefix` + field: its attributes, an optional chosen `id` (`p_...`) and `uuid`, and how many
 * sessions to start for it.
 */
function parseFixtureProfile (p: unknown, errs: FieldErrorCollector, prefix: string, profiles: ProfileService): ProfileFixture {
  if (!isPlainObject(p)) { errs.add(prefix.slice(0, -1) || 'base', 'must be an object'); return { patch: {}, sessions: 0, connections: [], path: prefix } }
  unknownKeys(p, PROFILE_KEYS, errs, prefix)
  const own = new FieldErrorCollector()
  const uuid = profiles.parseNewUuid(p, own)
  const id = profiles.parseNewId(p, own)
  for (const [f, msgs] of Object.entries(own.fields)) for (const m of msgs) errs.add(`${prefix}${f}`, m)
  const sessions = p.sessions ?? 0
  if (typeof sessions !== 'number' || !Number.isInteger(sessions) || sessions < 0 || sessions > MAX_SESSIONS_PER_PROFILE) {
    errs.add(`${prefix}sessions`, `must be a whole number from 0 to ${MAX_SESSIONS_PER_PROFILE}`)
  }
  const connections = p.connections ?? []
  if (!Array.isArray(connections) || connections.length > MAX_CONNECTIONS_PER_PROFILE) {
    errs.add(`${prefix}connections`, `must be an array of at most ${MAX_CONNECTIONS_PER_PROFILE} connections (docs/bank-data.md)`)
  }
  return {
    ...(id ? { id } : {}),
    ...(uuid ? { uuid } : {}),
    patch: parseProfileAttributes(p, errs, prefix),
    sessions: typeof sessions === 'number' && Number.isInteger(sessions) ? sessions : 0,
    connections: Array.isArray(connections) ? connections : [],
    path: prefix
  }
}

/** Startup fixtures without an id get one derived from their place and name, so a file database does not grow a copy per restart. */
export function withStableIds (doc: FixtureDocument): FixtureDocument {
  return {
    environments: doc.environments.map((env, i) => env.input.id !== undefined
      ? env
      : { ...env, input: { ...env.input, id: `env_${createHash('sha256').update(`${i}:${env.input.name ?? ''}:${env.input.clientId ?? ''}`).digest('hex').slice(0, 22)}` } })
  }
}

/** Prefixes the field names of an error raised while loading one item, so it names the item. */
function atPath<T> (path: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [`${path}${k}`, v])))
    }
    if (err instanceof ApiError && err.statusCode === 409) throw new ValidationError({ [path.replace(/\.$/, '')]: [err.instruction] })
    throw err
  }
}

export function createFixtureService (
  { store }: ServiceContext,
  environments: EnvironmentService,
  profiles: ProfileService,
  sessions: SessionService,
  connections: ConnectionService
) {
  /** A fixture profile's `connections`, each as the seeding route takes it; a problem names its place. */
  const seedConnections = (environmentId: string, profileId: string, fixture: ProfileFixture): void => {
    fixture.connections.forEach((body, k) => atPath(`${fixture.path}connections.${k}.`, () => connections.create(environmentId, profileId, body)))
  }

  function loadEnvironment (env: EnvironmentFixture): LoadedEnvironment {
    const row = atPath(env.path, () => environments.create(env.input))
    const apiKey = store.environments.apiKeyOf(row.id)!
    return {
      id: row.id,
      clientId: row.client_id,
      apiKey: { id: apiKey.id, secret: apiKey.secret },
      signingSecret: row.signing_secret,
      webhookSecret: row.webhook_secret,
      profiles: env.profiles.map(p => {
        const profile = atPath(p.path, () => profiles.create(row, p.uuid, p.patch, p.id))
        seedConnections(row.id, profile.id, p)
        const made = Array.from({ length: p.sessions }, () => sessions.start(row, profile, 'fixture'))
        return { id: profile.id, uuid: profile.uuid, sessions: made.map(s => ({ id: s.session.id, token: s.token })) }
      })
    }
  }

  /**
   * A startup environment as it will be reloaded: with the credentials it has now wherever its fixture
   * leaves them to be generated, so a reset never hands a test suite a new secret it did not ask for.
   */
  function withCurrentCredentials (env: EnvironmentFixture): EnvironmentFixture {
    const row = store.environments.byId(env.input.id!)
    if (!row) return env
    const apiKey = store.environments.apiKeyOf(row.id)
    const { input } = env
    return {
      ...env,
      input: {
        ...input,
        clientId: input.clientId ?? row.client_id,
        signingSecret: input.signingSecret ?? row.signing_secret,
        webhookSecret: input.webhookSecret ?? row.webhook_secret,
        apiKey: {
          ...(input.apiKey?.id ?? apiKey?.id ? { id: input.apiKey?.id ?? apiKey!.id } : {}),
          ...(input.apiKey?.secret ?? apiKey?.secret ? { secret: input.apiKey?.secret ?? apiKey!.secret } : {})
        }
      }
    }
  }

  return {
    /**
     * POST /emulator/v1/environments/{environmentId}/profiles: one fixture profile added to a running
     * environment. A taken id, UUID, email or phone is a 409 naming it; bad values a 422; nothing is
     * written unless all of it is.
     */
    addProfile (environmentId: string, raw: unknown): SeededProfile {
      const environment = environments.require(environmentId)
      const errs = new FieldErrorCollector()
      const fixture = parseFixtureProfile(raw, errs, '', profiles)
      errs.throwIfAny()
      return store.transaction(() => {
        // The ids first: seeding the same profile twice is best told by "Profile ID is not available".
        if (fixture.id !== undefined && store.profiles.idTaken(fixture.id)) throw errors.profileIdNotAvailable()
        if (fixture.uuid !== undefined && store.profiles.byUuid(environment.id, fixture.uuid)) throw errors.uuidNotAvailable()
        for (const channel of ['email', 'phone'] as const) {
          const username = fixture.patch[channel]
          if (username && store.profiles.byUsername(environment.id, channel, username)) throw errors.usernameNotAvailable(channel)
        }
        const profile = profiles.create(environment, fixture.uuid, fixture.patch, fixture.id)
        seedConnections(environment.id, profile.id, fixture)
        const made = Array.from({ length: fixture.sessions }, () => sessions.start(environment, profile, 'fixture'))
        return { ...profiles.view(profile), sessions: made.map(s => ({ id: s.session.id, token: s.token, expiresAt: toIso(s.session.expires_at) })) }
      })
    },

    /** Loads a validated document in one transaction: all of it, or (on any error) nothing. */
    load: (doc: FixtureDocument): LoadedEnvironment[] => store.transaction(() => doc.environments.map(loadEnvironment)),

    /** At start: environments already in a persistent database are kept as they are. */
    loadMissing: (doc: FixtureDocument): void => store.transaction(() => {
      for (const env of doc.environments) if (!store.environments.byId(env.input.id!)) loadEnvironment(env)
    }),

    /** Back to the startup fixtures: everything, or one environment. */
    reset (doc: FixtureDocument, environmentId?: string): void {
      store.transaction(() => {
        if (environmentId === undefined) {
          const reloaded = doc.environments.map(withCurrentCredentials)
          store.wipe()
          reloaded.forEach(loadEnvironment)
          return
        }
        const fixture = doc.environments.find(e => e.input.id === environmentId)
        const { seq } = environments.require(environmentId)
        if (fixture) {
          const reloaded = withCurrentCredentials(fixture)
          environments.delete(environmentId)
          loadEnvironment(reloaded)
          // Re-created, it keeps its place: the first environment stays the default one.
          store.environments.setSeq(environmentId, seq)
        } else {
          store.clearEnvironmentData(environmentId)
        }
      })
    }
  }
}

export type FixtureService = ReturnType<typeof createFixtureService>
