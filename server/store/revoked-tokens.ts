import type { Db } from './db.js'

/**
 * Revocations of self-signed session tokens, which have no session row of their own. A row is only
 * needed until the token would have expired; older ones are pruned on the next revocation.
 */
export function createRevokedTokenStore (db: Db) {
  const s = {
    insert: db.prepare<[string, string, number, number]>(`INSERT OR IGNORE INTO revoked_tokens (environment_id, token_id, revoked_at, expires_at)
      VALUES (?, ?, ?, ?)`),
    has: db.prepare<[string, string], 1>('SELECT 1 FROM revoked_tokens WHERE environment_id = ? AND token_id = ?').pluck(true),
    prune: db.prepare<[number]>('DELETE FROM revoked_tokens WHERE expires_at <= ?')
  }
  return {
    /** False when the token was already revoked. */
    revoke (environmentId: string, tokenId: string, now: number, expiresAt: number): boolean {
      s.prune.run(now)
      return s.insert.run(environmentId, tokenId, now, expiresAt).changes > 0
    },
    isRevoked: (environmentId: string, tokenId: string): boolean => s.has.get(environmentId, tokenId) !== undefined
  }
}
