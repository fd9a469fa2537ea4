// SQL for the messages (email and SMS) the emulator would have sent.
import type { Db } from './db.js'
import { OUTBOX_RETENTION_MS, PRUNE_BY_AGE_EVERY } from './passcodes.js'

/** The newest messages kept, across environments; older than OUTBOX_RETENTION_MS they go too. */
export const KEPT_MESSAGES = 10_000

export interface MessageRow {
  id: number
  environment_id: string
  channel: 'email' | 'sms'
  recipient: string
  subject: string | null
  text: string
  passcode: string | null
  sent_at: number
}

export function createMessageStore (db: Db) {
  const s = {
    insert: db.prepare<Omit<MessageRow, 'id'>>(`INSERT INTO messages (environment_id, channel, recipient, subject, text, passcode, sent_at)
      VALUES (@environment_id, @channel, @recipient, @subject, @text, @passcode, @sent_at)`),
    list: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE environment_id = ? ORDER BY id DESC LIMIT ?'),
    pruneByCount: db.prepare<[number]>('DELETE FROM messages WHERE id <= ?'),
    pruneByAge: db.prepare<[number]>('DELETE FROM messages WHERE sent_at < ?')
  }
  return {
    insert (row: Omit<MessageRow, 'id'>): void {
      const id = Number(s.insert.run(row).lastInsertRowid)
      if (id > KEPT_MESSAGES) s.pruneByCount.run(id - KEPT_MESSAGES)
      if (id % PRUNE_BY_AGE_EVERY === 0) s.pruneByAge.run(row.sent_at - OUTBOX_RETENTION_MS)
    },
    /** Newest first, at most `limit`. */
    list: (environmentId: string, limit: number) => s.list.all(environmentId, limit)
  }
}
