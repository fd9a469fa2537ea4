// Fixture documents: reading, checking and loading them (at start, over HTTP, on reset).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseYaml } from '../yaml.js'
import { ApiError, FieldErrorCollector, ValidationError } from '../errors.js'
import type { ServiceContext } from './context.js'
import { ENVIRONMENT_INPUT_FIELDS, type EnvironmentInput, type EnvironmentService, parseEnvironmentInput } from './environments.js'
import { isPlainObject } from './formats.js'
import { type ProfilePatch, parseProfileAttributes, type ProfileService } from './profiles.js'
import type { SessionService } from './sessions.js'

interface ProfileFixture { uuid?: string, patch: ProfilePatch, sessions: number, path: string }
interface EnvironmentFixture { input: EnvironmentInput, profiles: ProfileFixture[], path: string }
export interface FixtureDocument { environments: EnvironmentFixture[] }

export interface LoadedEnvironment {
  id: string
  clientId: string
  apiKey: { id: string, secret: string }
  profiles: Array<{ id: string, uuid: string, sessions: Array<{ id: string, token: string }> }>
}

const MAX_SESSIONS_PER_PROFILE = 1000
// A misspelt key would otherwise be ignored and leave a setting at its default without a word.
const ENVIRONMENT_KEYS = new Set([...ENVIRONMENT_INPUT_FIELDS, 'profiles'])
const PROFILE_KEYS = new Set(['uuid', 'email', 'phone', 'name', 'names', 'dateOfBirth', 'address', 'metadata', 'sessions'])

function unknownKeys (raw: Record<string, unknown>, known: Set<string>, errs: FieldErrorCollector, prefix: string): void {
  for (const k of Object.keys(raw)) if (!known.has(k)) errs.add(`${prefix}${k}`, 'is not a known field')
}

/** Reads a fixture file, JSON or YAML. */
export function readFixtureFile (path: string): unknown {
  const text = readFileSync(path, 'utf8')
  return /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text)
}

/**
 * Validates a whole fixture document before anything is written, reporting every bad value at its
 * path (`environments.0.profiles.2.email`).
 */
export function parseFixtureDocument (raw: unknown, profiles: ProfileService): FixtureDocument {
  const errs = new FieldErrorCollector()
  if (!isPlainObject(raw) || !Array.isArray(raw.environments)) {
    throw new ValidationError({ environments: ['must be an array of environments'] })
  }
  unknownKeys(raw, new Set(['environments']), errs, '')
  const environments = raw.environments.map((env, i): EnvironmentFixture => {
    const path = `environments.${i}.`
    const input = parseEnvironmentInput(env, errs, path)
    if (isPlainObject(env)) unknownKeys(env, ENVIRONMENT_KEYS, errs, path)
    const list = isPlainObject(env) ? env.profiles : undefined
    let fixtures: ProfileFixture[] = []
    if (list !== undefined) {
      if (!Array.isArray(list)) errs.add(`${path}profiles`, 'must be an array')
      else {
        fixtures = list.map((p, j): ProfileFixture => {
          const ppath = `${path}profiles.${j}.`
          if (!isPlainObject(p)) { errs.add(ppath.slice(0, -1), 'must be an object'); return { patch: {}, sessions: 0, path: ppath } }
          unknownKeys(p, PROFILE_KEYS, errs, ppath)
          const uuidErrs = new FieldErrorCollector()
          const uuid = profiles.parseNewUuid(p, uuidErrs)
          for (const [f, msgs] of Object.entries(uuidErrs.fields)) for (const m of msgs) errs.add(`${ppath}${f}`, m)
          const sessions = p.sessions ?? 0
          if (typeof sessions !== 'number' || !Number.isInteger(sessions) || sessions < 0 || sessions > MAX_SESSIONS_PER_PROFILE) {
            errs.add(`${ppath}sessions`, `must be a whole number from 0 to ${MAX_SESSIONS_PER_PROFILE}`)
          }
          return { ...(uuid ? { uuid } : {}), patch: parseProfileAttributes(p, errs, ppath), sessions: typeof sessions === 'number' && Number.isInteger(sessions) ? sessions : 0, path: ppath }
        })
      }
    }
    return { input, profiles: fixtures, path }
  })
  errs.throwIfAny()
  return { environments }
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
  sessions: SessionService
) {
  function loadEnvironment (env: EnvironmentFixture): LoadedEnvironment {
    const row = atPath(env.path, () => environments.create(env.input))
    const apiKey = store.environments.apiKeyOf(row.id)!
    return {
      id: row.id,
      clientId: row.client_id,
      apiKey: { id: apiKey.id, secret: apiKey.secret },
      profiles: env.profiles.map(p => {
        const profile = atPath(p.path, () => profiles.create(row, p.uuid, p.patch))
        const made = Array.from({ length: p.sessions }, () => sessions.start(row, profile, 'fixture'))
        return { id: profile.id, uuid: profile.uuid, sessions: made.map(s => ({ id: s.id, token: s.token })) }
      })
    }
  }

  return {
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
          store.wipe()
          doc.environments.forEach(loadEnvironment)
          return
        }
        const fixture = doc.environments.find(e => e.input.id === environmentId)
        const { seq } = environments.require(environmentId)
        if (fixture) {
          environments.delete(environmentId)
          loadEnvironment(fixture)
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
