// SQL for the messages (email and SMS) the emulator would have sent.
import type { Db } from './db.js'

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
    list: db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE environment_id = ? ORDER BY id DESC')
  }
  return {
    insert: (row: Omit<MessageRow, 'id'>) => s.insert.run(row),
    list: (environmentId: string) => s.list.all(environmentId)
  }
}
