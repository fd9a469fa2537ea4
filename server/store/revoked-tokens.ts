import type { Db } from './db.js'

/** The newest revocations kept per environment. */
export const KEPT_REVOCATIONS = 10_000
export const PRUNE_EVERY = 64
/**
 * How long past its token's expiry a revocation is kept. Not at the expiry itself: moving the emulator
 * clock past it and back would bring the token back to life. A move of more than this would.
 */
export const REVOCATION_GRACE_MS = 30 * 24 * 3600 * 1000

/**
 * Revocations of self-signed session tokens, which have no session row of their own. Pruned on the next
 * revocation: those whose token expired more than REVOCATION_GRACE_MS ago, and all but the newest
 * KEPT_REVOCATIONS of the environment.
 */
export function createRevokedTokenStore (db: Db) {
  const s = {
    insert: db.prepare<[string, string, number, number]>(`INSERT OR IGNORE INTO revoked_tokens (environment_id, token_id, revoked_at, expires_at)
      VALUES (?, ?, ?, ?)`),
    has: db.prepare<[string, string], 1>('SELECT 1 FROM revoked_tokens WHERE environment_id = ? AND token_id = ?').pluck(true),
    prune: db.prepare<[number]>('DELETE FROM revoked_tokens WHERE expires_at <= ?'),
    pruneOldest: db.prepare<[string, string, number]>(`DELETE FROM revoked_tokens WHERE environment_id = ? AND token_id IN
      (SELECT token_id FROM revoked_tokens WHERE environment_id = ? ORDER BY revoked_at DESC, token_id DESC LIMIT -1 OFFSET ?)`)
  }
  // Pruning reads the whole table, so it runs once every PRUNE_EVERY revocations (an environment may
  // hold up to KEPT_REVOCATIONS + PRUNE_EVERY - 1 between two).
  let revocations = 0
  return {
    /** False when the token was already revoked. */
    revoke (environmentId: string, tokenId: string, now: number, expiresAt: number): boolean {
      const added = s.insert.run(environmentId, tokenId, now, expiresAt).changes > 0
      if (++revocations % PRUNE_EVERY === 0) {
        s.prune.run(now - REVOCATION_GRACE_MS)
        s.pruneOldest.run(environmentId, environmentId, KEPT_REVOCATIONS)
      }
      return added
    },
    isRevoked: (environmentId: string, tokenId: string): boolean => s.has.get(environmentId, tokenId) !== undefined
  }
}
