// An environment's profiles with their sessions and bank data, for the emulator API and the inspector.
import { toIso } from '../clock.js'
import type { SessionRow } from '../store/sessions.js'
import type { ConnectionService, ConnectionView } from './connections.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import type { ProfileService, ProfileView } from './profiles.js'

export interface InspectedSession {
  id: string
  via: SessionRow['via']
  issuedAt: string
  expiresAt: string
  revokedAt: string | null
  state: 'active' | 'revoked' | 'expired'
}

export interface ProfileWithSessions extends ProfileView {
  sessions: InspectedSession[]
  connections: ConnectionView[]
}

/**
 * Profiles with their sessions, for the inspector and for tests. Quiltt has no "list sessions" call,
 * so this lives only under /emulator; it needs no API key secret because it is the emulator's own view.
 */
export function createProfileSessionsService (
  { store, clock }: ServiceContext, environments: EnvironmentService, profiles: ProfileService, connections: ConnectionService
) {
  function state (row: SessionRow, now: number): InspectedSession['state'] {
    if (row.revoked_at !== null) return 'revoked'
    return row.expires_at <= now ? 'expired' : 'active'
  }

  return {
    list (environmentId: string, { search = '', limit = 100 }: { search?: string, limit?: number }): { profiles: ProfileWithSessions[], total: number } {
      environments.require(environmentId)
      const text = search.trim()
      const rows = store.profiles.search(environmentId, text, limit)
      const now = clock.now()
      const byProfile = new Map<string, InspectedSession[]>(rows.map(r => [r.id, []]))
      for (const s of store.sessions.forProfiles(rows.map(r => r.id))) {
        byProfile.get(s.profile_id)?.push({
          id: s.id,
          via: s.via,
          issuedAt: toIso(s.issued_at),
          expiresAt: toIso(s.expires_at),
          revokedAt: s.revoked_at === null ? null : toIso(s.revoked_at),
          state: state(s, now)
        })
      }
      return {
        profiles: rows.map(r => ({ ...profiles.view(r), sessions: byProfile.get(r.id) ?? [], connections: connections.rows(r.id).map(connections.view) })),
        total: store.profiles.countSearch(environmentId, text)
      }
    }
  }
}
