// The Connector stand-in's semantics: a Connector session per time the page opens for a profile, and
// how it ends (the environment's `connector` setting): a new MOCK connection, a repaired one, an abort
// or an error. Also the SDK-only REST calls (institution search, resolvable). docs/connector.md.
import { toIso } from '../clock.js'
import { ApiError, errors } from '../errors.js'
import type { ConnectorSessionRow } from '../store/connector-sessions.js'
import type { ServiceContext } from './context.js'
import { DEFAULT_INSTITUTIONS } from './institutions.js'
import type { ConnectorSettings, EnvironmentService } from './environments.js'
import type { AuthenticatedSession, SessionService } from './sessions.js'

/** What the Connector needs of the bank data (services/connections.ts and institutions.ts). */
export interface ConnectionLike { id: string, status: string }
export interface BankData {
  connections: {
    create (
      environmentId: string, profileId: string,
      input: { institution: { name: string }, generate: { accounts: number, transactionsPerAccount: number, seed: number } }
    ): ConnectionLike
    find (environmentId: string, profileId: string, connectionId: string): ConnectionLike | null
    repair (environmentId: string, profileId: string, connectionId: string): ConnectionLike
  }
  institutions: { search (environmentId: string, term: string): Array<{ id: string, name: string, logoUrl: string | null }> }
}

export interface ConnectorSessionView {
  id: string
  connectorId: string
  environmentId: string
  profileId: string
  flow: ConnectorSessionRow['flow']
  mode: string
  institution: string | null
  connectionId: string | null
  status: ConnectorSessionRow['status']
  reason: string | null
  /** The environment's setting when this session started, which decides how it ends (a later PATCH does not change it). */
  connector: ConnectorSettings
  createdAt: string
  finishedAt: string | null
  /** The institutions that sign in at their own page: the Connector page sends Navigate for them. */
  oauthInstitutions: string[]
}

export interface StartInput { connectionId?: string, institution?: string, mode?: string }
export interface FinishInput { action: 'connect' | 'close', institution?: string }

// Quiltt's connector ids are short lowercase strings (`rbemt34osd`); any such id is accepted here.
const CONNECTOR_ID = /^[A-Za-z0-9_-]{1,64}$/
const PROVIDERS = ['plaid', 'mock', 'mx', 'finicity', 'akoya'] as const
// What a new MOCK connection holds: enough to list, small enough to make in a click.
const GENERATED = { accounts: 3, transactionsPerAccount: 20 }

const OAUTH_INSTITUTIONS = DEFAULT_INSTITUTIONS.filter(i => i.oauth).map(i => i.name)

export function createConnectorService (
  { store, clock, ids }: ServiceContext, environments: EnvironmentService, sessions: SessionService, bank: () => BankData
) {
  function view (row: ConnectorSessionRow): ConnectorSessionView {
    return {
      id: row.id,
      connectorId: row.connector_id,
      environmentId: row.environment_id,
      profileId: row.profile_id,
      flow: row.flow,
      mode: row.mode,
      institution: row.institution,
      connectionId: row.connection_id,
      status: row.status,
      reason: row.reason,
      connector: { outcome: row.connector_outcome, auto: row.connector_auto === 1 },
      createdAt: toIso(row.created_at),
      finishedAt: row.finished_at === null ? null : toIso(row.finished_at),
      oauthInstitutions: OAUTH_INSTITUTIONS
    }
  }

  const reasonOf = (err: unknown): string => err instanceof ApiError ? `${err.message}: ${err.instruction}` : String((err as Error)?.message ?? err)

  function authenticate (token: string | undefined): AuthenticatedSession {
    return sessions.authenticate(token === '' ? undefined : token)
  }

  function end (row: ConnectorSessionRow, status: ConnectorSessionRow['status'], fields: { institution?: string | null, connectionId?: string | null, reason?: string | null } = {}): ConnectorSessionView {
    const finished = {
      id: row.id,
      status,
      institution: fields.institution ?? row.institution,
      connection_id: fields.connectionId ?? row.connection_id,
      reason: fields.reason ?? null,
      finished_at: clock.now()
    }
    if (!store.connectorSessions.finish(finished)) {
      const now = store.connectorSessions.byId(row.id)
      throw errors.connectorSessionFinished(row.id, now?.status ?? 'gone')
    }
    return view({ ...row, ...finished })
  }

  /** The connection a success leaves: a new MOCK one, or the Reconnect's, repaired (same id). */
  function succeed (row: ConnectorSessionRow, institution: string): string {
    const { connections } = bank()
    if (row.flow === 'reconnect') {
      const found = connections.find(row.environment_id, row.profile_id, row.connection_id!)
      if (!found) throw new ApiError(404, 'Not Found', `Connection \`${row.connection_id}\` is not one of this Profile's connections.`)
      if (found.status !== 'SYNCED' && found.status !== 'SYNCING') connections.repair(row.environment_id, row.profile_id, found.id)
      return found.id
    }
    const seed = ids.uuid()
    return connections.create(row.environment_id, row.profile_id, {
      institution: { name: institution },
      generate: { ...GENERATED, seed: Number.parseInt(seed.slice(0, 8), 16) }
    }).id
  }

  return {
    /**
     * POST /connector/{connectorId}/sessions: the page opened. A token that names no valid session is
     * a 401 (there is no profile to record it for); anything else wrong (the connector id, a
     * Reconnect's connection) is recorded and answered as a session that has already ended errored,
     * with its reason, so the page, the SDK's metadata and the inspector all say why.
     */
    start (connectorId: string, token: string | undefined, input: StartInput): ConnectorSessionView {
      const auth = authenticate(token)
      const row: ConnectorSessionRow = {
        id: ids.uuid(),
        environment_id: auth.environment.id,
        profile_id: auth.profile.id,
        connector_id: connectorId,
        flow: input.connectionId ? 'reconnect' : 'connect',
        mode: input.mode ?? 'MODAL',
        institution: input.institution ?? null,
        connection_id: input.connectionId ?? null,
        status: 'open',
        reason: null,
        connector_outcome: auth.environment.connector_outcome,
        connector_auto: auth.environment.connector_auto,
        created_at: clock.now(),
        finished_at: null
      }
      let reason: string | null = null
      if (!CONNECTOR_ID.test(connectorId)) reason = reasonOf(errors.connectorNotFound(connectorId))
      else if (input.connectionId && !bank().connections.find(auth.environment.id, auth.profile.id, input.connectionId)) {
        reason = `Not Found: Connection \`${input.connectionId}\` is not one of this Profile's connections, so it cannot be reconnected.`
      }
      if (reason !== null) { row.status = 'errored'; row.reason = reason; row.finished_at = row.created_at }
      store.connectorSessions.insert(row)
      return view(row)
    },

    /**
     * POST /connector/{connectorId}/sessions/{sessionId}: the flow ends. `close` is an abort; `connect`
     * ends as the `connector.outcome` in force when the session started says (what the session shows).
     * A session ends once (409 after).
     */
    finish (connectorId: string, sessionId: string, token: string | undefined, input: FinishInput): ConnectorSessionView {
      const row = store.connectorSessions.byId(sessionId)
      if (!row || row.connector_id !== connectorId) throw errors.connectorSessionNotFound(sessionId)
      let auth: AuthenticatedSession
      try {
        auth = authenticate(token)
      } catch (err) {
        // The token ran out (or was revoked) while the page was open: the session ends errored, saying so.
        if (row.status === 'open') end(row, 'errored', { reason: reasonOf(err) })
        throw err
      }
      if (auth.profile.id !== row.profile_id) throw errors.connectorSessionNotFound(sessionId)
      if (row.status !== 'open') throw errors.connectorSessionFinished(row.id, row.status)
      if (input.action === 'close') return end(row, 'aborted')
      const institution = input.institution ?? row.institution ?? 'Mock Bank'
      if (row.connector_outcome === 'abort') return end(row, 'aborted', { institution })
      if (row.connector_outcome === 'error') {
        return end(row, 'errored', {
          institution,
          reason: `${institution} could not be connected: this environment's connector.outcome is "error" (PATCH /emulator/v1/environments/${row.environment_id} to change it).`
        })
      }
      try {
        return store.transaction(() => end(row, 'successful', { institution, connectionId: succeed(row, institution) }))
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 409) throw err
        return end(row, 'errored', { institution, reason: reasonOf(err) })
      }
    },

    /** GET /connector/{connectorId}/sessions/{sessionId}: the session of the token's profile, as it stands. */
    get (connectorId: string, sessionId: string, token: string | undefined): ConnectorSessionView {
      const row = store.connectorSessions.byId(sessionId)
      if (!row || row.connector_id !== connectorId) throw errors.connectorSessionNotFound(sessionId)
      if (authenticate(token).profile.id !== row.profile_id) throw errors.connectorSessionNotFound(sessionId)
      return view(row)
    },

    /** GET /emulator/v1/environments/{environmentId}/connector-sessions: newest first. */
    list (environmentId: string, limit = 100): ConnectorSessionView[] {
      environments.require(environmentId)
      return store.connectorSessions.list(environmentId, limit).map(view)
    },

    /** GET /v1/sdk/connectors/{connectorId}/institutions?term=: the SDK's search, `[{name, logoUrl}]`. */
    searchInstitutions (connectorId: string, token: string | undefined, term: string | undefined): Array<{ name: string, logoUrl: string | null }> {
      const auth = authenticate(token)
      if (!CONNECTOR_ID.test(connectorId)) throw errors.connectorNotFound(connectorId)
      if (term === undefined) throw errors.badRequest('Send the text to search for as `term`: GET /v1/sdk/connectors/{connectorId}/institutions?term=bank')
      return bank().institutions.search(auth.environment.id, term).map(({ name, logoUrl }) => ({ name, logoUrl }))
    },

    /**
     * GET /v1/sdk/connectors/{connectorId}/resolvable?<provider>=<id>: only MOCK institutions exist
     * here, so an id is resolvable when the provider is `mock` and the id names one of them.
     */
    resolvable (connectorId: string, token: string | undefined, query: Record<string, string | undefined>): { resolvable: boolean } {
      const auth = authenticate(token)
      if (!CONNECTOR_ID.test(connectorId)) throw errors.connectorNotFound(connectorId)
      const given = PROVIDERS.filter(p => query[p] !== undefined && query[p] !== '')
      if (given.length !== 1) throw errors.badRequest(`Send exactly one provider id: ${PROVIDERS.map(p => `\`${p}\``).join(', ')} (got ${given.length}).`)
      const provider = given[0]!
      if (provider !== 'mock') return { resolvable: false }
      const id = query.mock!
      const found = bank().institutions.search(auth.environment.id, id).some(i => i.id === id || i.name.toLowerCase() === id.toLowerCase())
      return { resolvable: found }
    }
  }
}

export type ConnectorService = ReturnType<typeof createConnectorService>
