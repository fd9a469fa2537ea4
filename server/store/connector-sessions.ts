// SQL for the Connector stand-in's sessions: one row per time the Connector page opened for a profile.
import type { Db } from './db.js'

export interface ConnectorSessionRow {
  id: string
  environment_id: string
  profile_id: string
  connector_id: string
  flow: 'connect' | 'reconnect'
  /** How the page was shown: MODAL (connector.js), INLINE (an iframe the app made), webview. */
  mode: string
  institution: string | null
  connection_id: string | null
  status: 'open' | 'successful' | 'aborted' | 'errored'
  reason: string | null
  /** The environment's `connector` setting when the session started: it decides how the session ends. */
  connector_outcome: 'success' | 'abort' | 'error'
  connector_auto: number
  created_at: number
  finished_at: number | null
}

export function createConnectorSessionStore (db: Db) {
  const s = {
    insert: db.prepare<ConnectorSessionRow>(`INSERT INTO connector_sessions (id, environment_id, profile_id, connector_id, flow, mode,
      institution, connection_id, status, reason, connector_outcome, connector_auto, created_at, finished_at) VALUES (@id, @environment_id,
      @profile_id, @connector_id, @flow, @mode, @institution, @connection_id, @status, @reason, @connector_outcome, @connector_auto,
      @created_at, @finished_at)`),
    byId: db.prepare<[string], ConnectorSessionRow>('SELECT * FROM connector_sessions WHERE id = ?'),
    // Only an open session finishes, once: two finishing requests cannot both win.
    finish: db.prepare<Pick<ConnectorSessionRow, 'id' | 'status' | 'institution' | 'connection_id' | 'reason' | 'finished_at'>>(`UPDATE connector_sessions
      SET status = @status, institution = @institution, connection_id = @connection_id, reason = @reason, finished_at = @finished_at
      WHERE id = @id AND status = 'open'`),
    list: db.prepare<[string, number], ConnectorSessionRow>(`SELECT * FROM connector_sessions WHERE environment_id = ?
      ORDER BY created_at DESC, rowid DESC LIMIT ?`)
  }
  return {
    insert: (row: ConnectorSessionRow) => s.insert.run(row),
    byId: (id: string) => s.byId.get(id),
    finish: (row: Pick<ConnectorSessionRow, 'id' | 'status' | 'institution' | 'connection_id' | 'reason' | 'finished_at'>) => s.finish.run(row).changes > 0,
    /** Newest first. */
    list: (environmentId: string, limit: number) => s.list.all(environmentId, limit)
  }
}
