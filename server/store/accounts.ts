// SQL for accounts (bank data, issue 23).
import type { Db } from './db.js'

export interface AccountRow {
  id: string
  environment_id: string
  profile_id: string
  connection_id: string
  name: string
  mask: string | null
  kind: string | null
  /** JSON array of AccountTaxonomyMember values, from ASSET/LIABILITY down. */
  taxonomy: string
  currency_code: string
  state: string
  verified: number
  account_number: string | null
  routing_number: string | null
  metadata: string | null
  transacted_first_on: string | null
  transacted_last_on: string | null
  at: number
  created_at: number
  updated_at: number
}

export function createAccountStore (db: Db) {
  const s = {
    insert: db.prepare<AccountRow>(`INSERT INTO accounts
      (id, environment_id, profile_id, connection_id, name, mask, kind, taxonomy, currency_code, state, verified, account_number, routing_number,
       metadata, transacted_first_on, transacted_last_on, at, created_at, updated_at)
      VALUES (@id, @environment_id, @profile_id, @connection_id, @name, @mask, @kind, @taxonomy, @currency_code, @state, @verified, @account_number, @routing_number,
       @metadata, @transacted_first_on, @transacted_last_on, @at, @created_at, @updated_at)`),
    updateMetadata: db.prepare<[string | null, number, string, string]>('UPDATE accounts SET metadata = ?, updated_at = ? WHERE profile_id = ? AND id = ?'),
    touch: db.prepare<[number, string]>('UPDATE accounts SET at = ? WHERE connection_id = ?'),
    // The dates of the earliest and latest transactions, after transactions were added.
    transactedOn: db.prepare<[string]>(`UPDATE accounts SET
      transacted_first_on = (SELECT min(date) FROM transactions WHERE account_id = accounts.id),
      transacted_last_on = (SELECT max(date) FROM transactions WHERE account_id = accounts.id) WHERE id = ?`),
    byId: db.prepare<[string, string], AccountRow>('SELECT * FROM accounts WHERE profile_id = ? AND id = ?'),
    byIdInEnvironment: db.prepare<[string, string], AccountRow>('SELECT * FROM accounts WHERE environment_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM accounts WHERE id = ?').pluck(true),
    list: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE profile_id = ? ORDER BY created_at, rowid'),
    ofConnection: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE connection_id = ? ORDER BY created_at, rowid')
  }
  return {
    insert: (row: AccountRow) => s.insert.run(row),
    updateMetadata: (profileId: string, id: string, metadata: string | null, at: number) => s.updateMetadata.run(metadata, at, profileId, id),
    touchConnection: (connectionId: string, at: number) => s.touch.run(at, connectionId),
    refreshTransactedOn: (id: string) => s.transactedOn.run(id),
    byId: (profileId: string, id: string) => s.byId.get(profileId, id),
    byIdInEnvironment: (environmentId: string, id: string) => s.byIdInEnvironment.get(environmentId, id),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    list: (profileId: string) => s.list.all(profileId),
    ofConnection: (connectionId: string) => s.ofConnection.all(connectionId)
  }
}
