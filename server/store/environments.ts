// SQL for environments, API keys and test identities.
import { timingSafeEqual } from 'node:crypto'
import { secretDigest, secretDigestBase64 } from '../secrets.js'
import type { RowCache } from './cache.js'
import type { Db } from './db.js'
import { byTable } from './join.js'

export interface EnvironmentRow {
  id: string
  name: string
  mode: 'TEST' | 'SANDBOX' | 'PRODUCTION'
  auth_strategy: 'email' | 'phone'
  signups_enabled: number
  client_id: string
  signing_secret: string
  webhook_secret: string
  rate_limits: number
  session_format: 'current' | 'legacy'
  passcode_ttl_seconds: number
  session_ttl_seconds: number
  connector_outcome: 'success' | 'abort' | 'error'
  connector_auto: number
  created_at: number
  seq: number
}

export interface ApiKeyRow {
  id: string
  environment_id: string
  name: string
  secret: string
  created_at: number
}

export interface TestIdentityRow {
  environment_id: string
  username: string
  passcode: string
}

export type EnvironmentSettings = Pick<EnvironmentRow, 'id' | 'name' | 'mode' | 'auth_strategy' | 'signups_enabled' |
'rate_limits' | 'session_format' | 'passcode_ttl_seconds' | 'session_ttl_seconds' | 'connector_outcome' | 'connector_auto' | 'webhook_secret'>

export interface ApiKeyOwner { apiKey: ApiKeyRow, environment: EnvironmentRow }

export function createEnvironmentStore (db: Db, cache: RowCache<ApiKeyOwner>) {
  const s = {
    insert: db.prepare<EnvironmentRow>(`INSERT INTO environments
      (id, name, mode, auth_strategy, signups_enabled, client_id, signing_secret, webhook_secret, rate_limits, session_format,
       passcode_ttl_seconds, session_ttl_seconds, connector_outcome, connector_auto, created_at, seq)
      VALUES (@id, @name, @mode, @auth_strategy, @signups_enabled, @client_id, @signing_secret, @webhook_secret, @rate_limits, @session_format,
       @passcode_ttl_seconds, @session_ttl_seconds, @connector_outcome, @connector_auto, @created_at, @seq)`),
    nextSeq: db.prepare<[], { seq: number }>('SELECT coalesce(max(seq), 0) + 1 AS seq FROM environments'),
    setSeq: db.prepare<[number, string]>('UPDATE environments SET seq = ? WHERE id = ?'),
    update: db.prepare<EnvironmentSettings>(`UPDATE environments SET name = @name, mode = @mode, auth_strategy = @auth_strategy,
      signups_enabled = @signups_enabled, rate_limits = @rate_limits, session_format = @session_format,
      passcode_ttl_seconds = @passcode_ttl_seconds, session_ttl_seconds = @session_ttl_seconds,
      connector_outcome = @connector_outcome, connector_auto = @connector_auto, webhook_secret = @webhook_secret WHERE id = @id`),
    list: db.prepare<[], EnvironmentRow>('SELECT * FROM environments ORDER BY seq'),
    byId: db.prepare<[string], EnvironmentRow>('SELECT * FROM environments WHERE id = ?'),
    byClientId: db.prepare<[string], EnvironmentRow>('SELECT * FROM environments WHERE client_id = ?'),
    delete: db.prepare<[string]>('DELETE FROM environments WHERE id = ?'),
    insertApiKey: db.prepare<ApiKeyRow & { secret_sha256: Buffer }>(`INSERT INTO api_keys (id, environment_id, name, secret, created_at, secret_sha256)
      VALUES (@id, @environment_id, @name, @secret, @created_at, @secret_sha256)`),
    // By digest only (see secrets.ts); the secret itself is then compared in constant time.
    apiKeyByDigest: db.prepare<[Buffer], ApiKeyRow>(`SELECT id, environment_id, name, secret, created_at
      FROM api_keys WHERE secret_sha256 = ?`),
    // The App Secret check of every API-key request, in one query.
    apiKeyAndEnvironmentByDigest: byTable<[Buffer], { api_keys: ApiKeyRow, environments: EnvironmentRow }>(db.prepare(`SELECT
      k.id, k.environment_id, k.name, k.secret, k.created_at, e.*
      FROM api_keys k JOIN environments e ON e.id = k.environment_id WHERE k.secret_sha256 = ?`)),
    apiKeyById: db.prepare<[string], ApiKeyRow>('SELECT id, environment_id, name, secret, created_at FROM api_keys WHERE id = ?'),
    apiKeyOf: db.prepare<[string], ApiKeyRow>(`SELECT id, environment_id, name, secret, created_at FROM api_keys
      WHERE environment_id = ? ORDER BY created_at, id LIMIT 1`),
    insertTestIdentity: db.prepare<TestIdentityRow>(`INSERT INTO test_identities (environment_id, username, passcode)
      VALUES (@environment_id, @username, @passcode)`),
    deleteTestIdentities: db.prepare<[string]>('DELETE FROM test_identities WHERE environment_id = ?'),
    testIdentities: db.prepare<[string], TestIdentityRow>('SELECT * FROM test_identities WHERE environment_id = ? ORDER BY username'),
    testIdentity: db.prepare<[string, string], TestIdentityRow>('SELECT * FROM test_identities WHERE environment_id = ? AND username = ?')
  }
  return {
    insert: (row: Omit<EnvironmentRow, 'seq'>) => s.insert.run({ ...row, seq: s.nextSeq.get()!.seq }),
    update: (row: EnvironmentSettings) => s.update.run(row),
    /** Puts an environment back at a place in the list (a re-created one keeps its place). */
    setSeq: (id: string, seq: number) => s.setSeq.run(seq, id),
    list: () => s.list.all(),
    byId: (id: string) => s.byId.get(id),
    byClientId: (clientId: string) => s.byClientId.get(clientId),
    delete: (id: string) => s.delete.run(id).changes > 0,
    insertApiKey: (row: ApiKeyRow) => s.insertApiKey.run({ ...row, secret_sha256: secretDigest(row.secret) }),
    apiKeyBySecret (secret: string): ApiKeyRow | undefined {
      const digest = secretDigest(secret)
      const row = s.apiKeyByDigest.get(digest)
      return row && timingSafeEqual(secretDigest(row.secret), digest) ? row : undefined
    },
    /** The App Secret check: the key and its environment (read-only, cached: see cache.ts), or undefined. */
    apiKeyAndEnvironment (secret: string): ApiKeyOwner | undefined {
      const key = secretDigestBase64(secret)
      return cache.get(key, () => {
        const digest = Buffer.from(key, 'base64')
        const row = s.apiKeyAndEnvironmentByDigest(digest)
        // The row was found by digest; this confirms its stored secret is the one that digest stands for.
        return row && timingSafeEqual(secretDigest(row.api_keys.secret), digest) ? { apiKey: row.api_keys, environment: row.environments } : undefined
      })
    },
    apiKeyById: (id: string) => s.apiKeyById.get(id),
    apiKeyOf: (environmentId: string) => s.apiKeyOf.get(environmentId),
    replaceTestIdentities (environmentId: string, rows: Array<{ username: string, passcode: string }>) {
      s.deleteTestIdentities.run(environmentId)
      for (const r of rows) s.insertTestIdentity.run({ environment_id: environmentId, ...r })
    },
    testIdentities: (environmentId: string) => s.testIdentities.all(environmentId),
    testIdentity: (environmentId: string, username: string) => s.testIdentity.get(environmentId, username)
  }
}
