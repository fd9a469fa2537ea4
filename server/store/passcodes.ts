// SQL for passcodes.
import type { Db } from './db.js'

export interface PasscodeRow {
  id: number
  environment_id: string
  profile_id: string
  channel: 'email' | 'phone'
  username: string
  code: string
  issued_at: number
  expires_at: number
  attempts: number
  consumed_at: number | null
  invalidated_at: number | null
  invalidated_by: 'replaced' | 'locked' | null
}

export type NewPasscode = Omit<PasscodeRow, 'id' | 'attempts' | 'consumed_at' | 'invalidated_at' | 'invalidated_by'>

/** The newest passcodes kept, across environments: an identify loop cannot grow the table without end. */
export const KEPT_PASSCODES = 10_000
/** Closed (used, replaced, locked or expired) passcodes older than this are pruned too. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3600 * 1000
/** Pruning by age scans the table, so it runs once every this many inserts; by count it runs on each. */
export const PRUNE_BY_AGE_EVERY = 64

export function createPasscodeStore (db: Db) {
  const s = {
    insert: db.prepare<NewPasscode>(`INSERT INTO passcodes (environment_id, profile_id, channel, username, code, issued_at, expires_at)
      VALUES (@environment_id, @profile_id, @channel, @username, @code, @issued_at, @expires_at)`),
    replaceOutstanding: db.prepare<[number, string, string]>(`UPDATE passcodes SET invalidated_at = ?, invalidated_by = 'replaced'
      WHERE environment_id = ? AND username = ? AND consumed_at IS NULL AND invalidated_at IS NULL`),
    latestOpen: db.prepare<[string, string], PasscodeRow>(`SELECT * FROM passcodes
      WHERE environment_id = ? AND username = ? AND consumed_at IS NULL AND invalidated_at IS NULL ORDER BY id DESC LIMIT 1`),
    // Single use: only one UPDATE can flip consumed_at, whatever else runs at the same time.
    consume: db.prepare<[number, number, string, number]>(`UPDATE passcodes SET consumed_at = ?
      WHERE id = ? AND code = ? AND consumed_at IS NULL AND invalidated_at IS NULL AND expires_at > ?`),
    fail: db.prepare<[number, number, number, number], { attempts: number }>(`UPDATE passcodes
      SET attempts = attempts + 1,
          invalidated_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE invalidated_at END,
          invalidated_by = CASE WHEN attempts + 1 >= ? THEN 'locked' ELSE invalidated_by END
      WHERE id = ? AND consumed_at IS NULL AND invalidated_at IS NULL RETURNING attempts`),
    list: db.prepare<[string, number], PasscodeRow>('SELECT * FROM passcodes WHERE environment_id = ? ORDER BY id DESC LIMIT ?'),
    listFor: db.prepare<[string, string, number], PasscodeRow>('SELECT * FROM passcodes WHERE environment_id = ? AND username = ? ORDER BY id DESC LIMIT ?'),
    // Ids only grow (rowids after the largest), so the newest KEPT_PASSCODES are a range of ids.
    pruneByCount: db.prepare<[number]>('DELETE FROM passcodes WHERE id <= ?'),
    pruneByAge: db.prepare<[number, number]>(`DELETE FROM passcodes WHERE issued_at < ?
      AND (consumed_at IS NOT NULL OR invalidated_at IS NOT NULL OR expires_at <= ?)`)
  }
  return {
    insert (row: NewPasscode): number {
      const id = Number(s.insert.run(row).lastInsertRowid)
      if (id > KEPT_PASSCODES) s.pruneByCount.run(id - KEPT_PASSCODES)
      if (id % PRUNE_BY_AGE_EVERY === 0) s.pruneByAge.run(row.issued_at - OUTBOX_RETENTION_MS, row.issued_at)
      return id
    },
    replaceOutstanding: (environmentId: string, username: string, now: number) => s.replaceOutstanding.run(now, environmentId, username),
    latestOpen: (environmentId: string, username: string) => s.latestOpen.get(environmentId, username),
    consume: (id: number, code: string, now: number) => s.consume.run(now, id, code, now).changes === 1,
    /** Counts a wrong try; at `maxAttempts` the passcode is locked. Returns the new count, or undefined if it was already closed. */
    fail: (id: number, maxAttempts: number, now: number) => s.fail.get(maxAttempts, now, maxAttempts, id)?.attempts,
    /** Newest first, at most `limit`. */
    list: (environmentId: string, username: string | undefined, limit: number) =>
      username === undefined ? s.list.all(environmentId, limit) : s.listFor.all(environmentId, username, limit)
  }
}
