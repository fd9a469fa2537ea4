// SQL for connections (bank data, issue 23).
import type { Db } from './db.js'

export interface ConnectionRow {
  id: string
  environment_id: string
  profile_id: string
  provider: string
  institution_id: string
  institution_name: string
  institution_logo_url: string | null
  status: string
  /** JSON array of Quiltt's products (ConnectionFeature values). */
  products: string
  metadata: string | null
  at: number
  created_at: number
  updated_at: number
}

export function createConnectionStore (db: Db) {
  const s = {
    insert: db.prepare<ConnectionRow>(`INSERT INTO connections
      (id, environment_id, profile_id, provider, institution_id, institution_name, institution_logo_url, status, products, metadata, at, created_at, updated_at)
      VALUES (@id, @environment_id, @profile_id, @provider, @institution_id, @institution_name, @institution_logo_url, @status, @products, @metadata, @at, @created_at, @updated_at)`),
    update: db.prepare<ConnectionRow>(`UPDATE connections SET provider = @provider, status = @status, metadata = @metadata, at = @at, updated_at = @updated_at
      WHERE id = @id AND profile_id = @profile_id`),
    byId: db.prepare<[string, string], ConnectionRow>('SELECT * FROM connections WHERE profile_id = ? AND id = ?'),
    idTaken: db.prepare<[string], 1>('SELECT 1 FROM connections WHERE id = ?').pluck(true),
    list: db.prepare<[string], ConnectionRow>('SELECT * FROM connections WHERE profile_id = ? ORDER BY created_at, rowid'),
    inEnvironment: db.prepare<[string, number], ConnectionRow>('SELECT * FROM connections WHERE environment_id = ? ORDER BY created_at, rowid LIMIT ?'),
    findInEnvironment: db.prepare<[string, string], ConnectionRow>('SELECT * FROM connections WHERE environment_id = ? AND id = ?')
  }
  return {
    insert: (row: ConnectionRow) => s.insert.run(row),
    update: (row: ConnectionRow) => s.update.run(row),
    byId: (profileId: string, id: string) => s.byId.get(profileId, id),
    /** A connection of any profile of the environment: the REST API acts with the environment's API key. */
    byIdInEnvironment: (environmentId: string, id: string) => s.findInEnvironment.get(environmentId, id),
    idTaken: (id: string): boolean => s.idTaken.get(id) !== undefined,
    list: (profileId: string) => s.list.all(profileId),
    listInEnvironment: (environmentId: string, limit: number) => s.inEnvironment.all(environmentId, limit)
  }
}
