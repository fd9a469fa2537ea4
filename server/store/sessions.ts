import type { Db } from './db.js'

export interface SessionRow {
  id: string
  environment_id: string
  profile_id: string
  via: 'passwordless' | 'apiKey' | 'fixture'
  issued_at: number
  expires_at: number
  revoked_at: number | null
}

export function createSessionStore (db: Db) {
  const s = {
    insert: db.prepare<SessionRow>(`INSERT INTO sessions (id, environment_id, profile_id, via, issued_at, expires_at, revoked_at)
      VALUES (@id, @environment_id, @profile_id, @via, @issued_at, @expires_at, @revoked_at)`),
    byId: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    revoke: db.prepare<[number, string]>('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    // Sessions issued with the App Secret and not revoked, newest first, inside the rate-limit window.
    issuedSince: db.prepare<[string, number], { issued_at: number }>(`SELECT issued_at FROM sessions
      WHERE profile_id = ? AND via = 'apiKey' AND revoked_at IS NULL AND issued_at > ? ORDER BY issued_at DESC`),
    // One statement for a page of profiles: the ids arrive as a JSON array.
    forProfiles: db.prepare<[string], SessionRow>(`SELECT * FROM sessions
      WHERE profile_id IN (SELECT value FROM json_each(?)) ORDER BY issued_at DESC, rowid DESC`)
  }
  return {
    insert: (row: SessionRow) => s.insert.run(row),
    byId: (id: string) => s.byId.get(id),
    revoke: (id: string, now: number) => s.revoke.run(now, id).changes > 0,
    issuedSince: (profileId: string, since: number) => s.issuedSince.all(profileId, since).map(r => r.issued_at),
    forProfiles: (profileIds: string[]) => s.forProfiles.all(JSON.stringify(profileIds))
  }
}
