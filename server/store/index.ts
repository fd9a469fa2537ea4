import type { Db } from './db.js'
import { createEnvironmentStore } from './environments.js'
import { createMessageStore } from './messages.js'
import { createPasscodeStore } from './passcodes.js'
import { createProfileStore } from './profiles.js'
import { createSessionStore } from './sessions.js'

export function createStore (db: Db) {
  const wipe = db.prepare('DELETE FROM environments')
  const clear = ['messages', 'passcodes', 'sessions', 'profiles'].map(t => db.prepare<[string]>(`DELETE FROM ${t} WHERE environment_id = ?`))
  return {
    environments: createEnvironmentStore(db),
    profiles: createProfileStore(db),
    sessions: createSessionStore(db),
    passcodes: createPasscodeStore(db),
    messages: createMessageStore(db),
    /** Runs `fn` in one transaction: it all lands, or nothing does. */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    /** Deletes everything; ON DELETE CASCADE takes every table with the environments. */
    wipe: () => { wipe.run() },
    /** Empties an environment but keeps it, its credentials and its settings. */
    clearEnvironmentData: (environmentId: string) => { for (const stmt of clear) stmt.run(environmentId) }
  }
}

export type Store = ReturnType<typeof createStore>
