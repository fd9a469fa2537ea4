// SQL for profiles.
import type { Db } from './db.js'

export interface ProfileRow {
  id: string
  environment_id: string
  uuid: string
  email: string | null
  phone: string | null
  name: string | null
  first_name: string | null
  last_name: string | null
  date_of_birth: string | null
  address: string | null
  metadata: string | null
  created_at: number
  updated_at: number
}

interface SearchParams { environmentId: string, text: string }
const SEARCH_WHERE = `environment_id = @environmentId AND (@text = '' OR instr(lower(id || ' ' || uuid || ' ' ||
  coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(name, '') || ' ' || coalesce(first_name, '') || ' ' ||
  coalesce(last_name, '')), lower(@text)) > 0)`

export function createProfileStore (db: Db) {
  const s = {
    insert: db.prepare<ProfileRow>(`INSERT INTO profiles
      (id, environment_id, uuid, email, phone, name, first_name, last_name, date_of_birth, address, metadata, created_at, updated_at)
      VALUES (@id, @environment_id, @uuid, @email, @phone, @name, @first_name, @last_name, @date_of_birth, @address, @metadata, @created_at, @updated_at)`),
    update: db.prepare<ProfileRow>(`UPDATE profiles SET email = @email, phone = @phone, name = @name, first_name = @first_name,
      last_name = @last_name, date_of_birth = @date_of_birth, address = @address, metadata = @metadata, updated_at = @updated_at
      WHERE id = @id AND environment_id = @environment_id`),
    byId: db.prepare<[string, string], ProfileRow>('SELECT * FROM profiles WHERE environment_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM profiles WHERE id = ?').pluck(true),
    // Which environments have a profile with this id or UUID: a self-signed token may name its profile without its environment.
    environmentsOf: db.prepare<[string, string], string>('SELECT environment_id FROM profiles WHERE id = ? UNION SELECT environment_id FROM profiles WHERE uuid = ?').pluck(true),
    byUuid: db.prepare<[string, string], ProfileRow>('SELECT * FROM profiles WHERE environment_id = ? AND uuid = ?'),
    byEmail: db.prepare<[string, string], ProfileRow>('SELECT * FROM profiles WHERE environment_id = ? AND email = ?'),
    byPhone: db.prepare<[string, string], ProfileRow>('SELECT * FROM profiles WHERE environment_id = ? AND phone = ?'),
    list: db.prepare<[string, number, number], ProfileRow>(
      'SELECT * FROM profiles WHERE environment_id = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?'),
    count: db.prepare<[string], number>('SELECT count(*) FROM profiles WHERE environment_id = ?').pluck(true),
    delete: db.prepare<[string, string]>('DELETE FROM profiles WHERE environment_id = ? AND id = ?'),
    // The inspector's search: newest first, a case-insensitive substring of any identifying column.
    search: db.prepare<SearchParams & { limit: number }, ProfileRow>(`SELECT * FROM profiles WHERE ${SEARCH_WHERE}
      ORDER BY created_at DESC, rowid DESC LIMIT @limit`),
    countSearch: db.prepare<SearchParams, { n: number }>(`SELECT count(*) AS n FROM profiles WHERE ${SEARCH_WHERE}`)
  }
  return {
    insert: (row: ProfileRow) => s.insert.run(row),
    update: (row: ProfileRow) => s.update.run(row),
    byId: (environmentId: string, id: string) => s.byId.get(environmentId, id),
    byUuid: (environmentId: string, uuid: string) => s.byUuid.get(environmentId, uuid),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    environmentsOf: (idOrUuid: string): string[] => s.environmentsOf.all(idOrUuid, idOrUuid.toLowerCase()),
    byUsername: (environmentId: string, channel: 'email' | 'phone', username: string) =>
      (channel === 'email' ? s.byEmail : s.byPhone).get(environmentId, username),
    list: (environmentId: string, limit: number, offset: number) => s.list.all(environmentId, limit, offset),
    count: (environmentId: string): number => s.count.get(environmentId)!,
    delete: (environmentId: string, id: string) => s.delete.run(environmentId, id).changes > 0,
    /** `text` '' matches every profile. */
    search: (environmentId: string, text: string, limit: number) => s.search.all({ environmentId, text, limit }),
    countSearch: (environmentId: string, text: string) => s.countSearch.get({ environmentId, text })!.n
  }
}
