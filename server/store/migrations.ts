// The schema, as append-only migrations numbered by PRAGMA user_version.
import { randomBytes } from 'node:crypto'
import { secretDigest } from '../secrets.js'
import type { Db } from './db.js'

/** A step is SQL, or a function for what SQL cannot compute (such as a digest). */
export type Migration = string | ((db: Db) => void)

/**
 * Schema migrations, applied in order by `user_version`. Append only: a shipped step never changes.
 *
 * Invariants the schema enforces, so races are settled by SQLite and not by luck:
 * - one profile per (environment, uuid), per (environment, email) and per (environment, phone);
 * - one environment per clientId and per API key secret;
 * - a passcode is consumed by one conditional UPDATE (see passcodes store).
 */
export const migrations: Migration[] = [
  `
  CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('TEST', 'SANDBOX', 'PRODUCTION')),
    auth_strategy TEXT NOT NULL CHECK (auth_strategy IN ('email', 'phone')),
    signups_enabled INTEGER NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    signing_key TEXT NOT NULL,
    rate_limits INTEGER NOT NULL,
    user_id_format TEXT NOT NULL CHECK (user_id_format IN ('uuid', 'profileId')),
    passcode_ttl_seconds INTEGER NOT NULL,
    session_ttl_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    seq INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX api_keys_environment ON api_keys(environment_id);

  CREATE TABLE test_identities (
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    passcode TEXT NOT NULL,
    PRIMARY KEY (environment_id, username)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    name TEXT,
    first_name TEXT,
    last_name TEXT,
    date_of_birth TEXT,
    address TEXT,
    metadata TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (environment_id, uuid)
  ) STRICT;
  CREATE UNIQUE INDEX profiles_email ON profiles(environment_id, email) WHERE email IS NOT NULL;
  CREATE UNIQUE INDEX profiles_phone ON profiles(environment_id, phone) WHERE phone IS NOT NULL;

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    via TEXT NOT NULL CHECK (via IN ('passwordless', 'apiKey', 'fixture')),
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX sessions_profile ON sessions(profile_id, issued_at);

  CREATE TABLE passcodes (
    id INTEGER PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
    username TEXT NOT NULL,
    code TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at INTEGER,
    invalidated_at INTEGER,
    invalidated_by TEXT CHECK (invalidated_by IN ('replaced', 'locked'))
  ) STRICT;
  CREATE INDEX passcodes_username ON passcodes(environment_id, username, id);

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT,
    text TEXT NOT NULL,
    passcode TEXT,
    sent_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX messages_environment ON messages(environment_id, id);
  `,

  // 2. API keys are found by the SHA-256 of their secret and then compared in constant time, so no
  // lookup compares a guessed secret byte by byte with a real one.
  (db: Db) => {
    db.exec('ALTER TABLE api_keys ADD COLUMN secret_sha256 BLOB')
    const set = db.prepare<[Buffer, string]>('UPDATE api_keys SET secret_sha256 = ? WHERE id = ?')
    for (const { id, secret } of db.prepare<[], { id: string, secret: string }>('SELECT id, secret FROM api_keys').all()) {
      set.run(secretDigest(secret), id)
    }
    db.exec('CREATE UNIQUE INDEX api_keys_secret_sha256 ON api_keys(secret_sha256)')
  },

  // 3. Quiltt's published contract (2026-04-01):
  // - `session_format` replaces `user_id_format`: 'current' is Quiltt's UserSession (userId the p_ id),
  //   'legacy' the seed guide's {id, expiration, userId (UUID), token}. Every environment moves to
  //   'current', the new default.
  // - the per-environment key becomes a signing *secret*, a string users see and sign their own
  //   (self-signed) session tokens with; issued tokens are signed with a key derived from it. Tokens
  //   signed before this step no longer verify. The bundled fixtures' environments, kept as they are
  //   in a file database, get the secrets the README documents.
  // - self-signed tokens have no session row, so their revocations are kept here, by token id (`jti`,
  //   or the token's SHA-256 when it has none), until they would have expired anyway.
  // - a self-signed token may name its profile by UUID without naming the environment.
  `
  ALTER TABLE environments ADD COLUMN session_format TEXT NOT NULL DEFAULT 'current' CHECK (session_format IN ('current', 'legacy'));
  ALTER TABLE environments DROP COLUMN user_id_format;
  ALTER TABLE environments RENAME COLUMN signing_key TO signing_secret;
  -- The bundled fixtures' environments get the secrets the README documents, as a new database would.
  UPDATE environments SET signing_secret = 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000' WHERE id = 'env_0mockDefaultEnvironment';
  UPDATE environments SET signing_secret = 'ss_sandbox_quilttsms1_000000000000000000000000000000000000000000' WHERE id = 'env_0mockPhoneEnvironment';

  CREATE TABLE revoked_tokens (
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    token_id TEXT NOT NULL,
    revoked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (environment_id, token_id)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX profiles_uuid ON profiles(uuid);
  `,

  // 4. Bank data (issue 23): connections, accounts, balances, transactions, holdings and statements,
  // per profile. Every row hangs off its profile (ON DELETE CASCADE), so deleting a profile, or
  // clearing or deleting its environment (which deletes its profiles), takes its bank data with it.
  // Profile ids are unique across environments; environment_id is kept for scoping lookups by id.
  // Transactions page by (sort_key, rowid): sort_key is the date, with pending ones after every posted
  // one ('1' prefix), so DATE_DESC shows pending first and DATE_ASC last, as Quiltt sorts them.
  `
  CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    institution_logo_url TEXT,
    status TEXT NOT NULL,
    products TEXT NOT NULL,
    metadata TEXT,
    at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX connections_profile ON connections(profile_id, created_at);

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mask TEXT,
    kind TEXT,
    taxonomy TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    state TEXT NOT NULL,
    verified INTEGER NOT NULL,
    account_number TEXT,
    routing_number TEXT,
    metadata TEXT,
    transacted_first_on TEXT,
    transacted_last_on TEXT,
    at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX accounts_profile ON accounts(profile_id, created_at);
  CREATE INDEX accounts_connection ON accounts(connection_id);

  CREATE TABLE balances (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    current REAL,
    available REAL,
    "limit" REAL,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX balances_account ON balances(account_id, at);
  CREATE INDEX balances_profile ON balances(profile_id);

  CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    amount REAL NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    metadata TEXT
  ) STRICT;
  CREATE INDEX transactions_profile ON transactions(profile_id, sort_key);
  CREATE INDEX transactions_account ON transactions(account_id, sort_key);

  CREATE TABLE holdings (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    security TEXT,
    price REAL,
    quantity REAL,
    value REAL,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX holdings_profile ON holdings(profile_id);
  CREATE INDEX holdings_account ON holdings(account_id);

  CREATE TABLE statements (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    start_on TEXT,
    end_on TEXT,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX statements_profile ON statements(profile_id, end_on);
  CREATE INDEX statements_account ON statements(account_id, end_on);
  `,

  // 5. The Connector stand-in: each environment's `connector` setting (how a flow ends, and whether it
  // runs by itself), and the Connector sessions the inspector lists. A session belongs to a profile
  // (one is only recorded once a session token named it) and goes with it.
  `
  ALTER TABLE environments ADD COLUMN connector_outcome TEXT NOT NULL DEFAULT 'success' CHECK (connector_outcome IN ('success', 'abort', 'error'));
  ALTER TABLE environments ADD COLUMN connector_auto INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE connector_sessions (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    connector_id TEXT NOT NULL,
    flow TEXT NOT NULL CHECK (flow IN ('connect', 'reconnect')),
    mode TEXT NOT NULL,
    institution TEXT,
    connection_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'successful', 'aborted', 'errored')),
    reason TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX connector_sessions_environment ON connector_sessions(environment_id, created_at);
  CREATE INDEX connector_sessions_profile ON connector_sessions(profile_id);
  `,

  // 6. Webhooks (docs/webhooks.md). Each environment signs its deliveries with a `webhook_secret`
  // (the bundled fixtures' environments get the documented ones, others a random one). Events are
  // kept in the order they happened (`seq`); a delivery is one event for one subscription, pending
  // until a 2xx or its last attempt, and every attempt is kept for the inspector. Deleting an
  // environment takes all of it with it.
  (db: Db) => {
    db.exec(`
    ALTER TABLE environments ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';

    CREATE TABLE webhook_subscriptions (
      id TEXT PRIMARY KEY,
      environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      target_url TEXT NOT NULL,
      event_types TEXT NOT NULL,
      disabled INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX webhook_subscriptions_environment ON webhook_subscriptions(environment_id, created_at);

    CREATE TABLE webhook_events (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      at INTEGER NOT NULL,
      event TEXT NOT NULL
    ) STRICT;
    CREATE INDEX webhook_events_environment ON webhook_events(environment_id, seq);

    CREATE TABLE webhook_deliveries (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
      subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
      event_seq INTEGER NOT NULL REFERENCES webhook_events(seq) ON DELETE CASCADE,
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(subscription_id, seq) WHERE state = 'pending';
    CREATE INDEX webhook_deliveries_environment ON webhook_deliveries(environment_id, seq);
    CREATE INDEX webhook_deliveries_event ON webhook_deliveries(event_seq);

    CREATE TABLE webhook_attempts (
      delivery_seq INTEGER NOT NULL REFERENCES webhook_deliveries(seq) ON DELETE CASCADE,
      attempt INTEGER NOT NULL,
      at INTEGER NOT NULL,
      status_code INTEGER,
      duration_ms INTEGER NOT NULL,
      error TEXT,
      PRIMARY KEY (delivery_seq, attempt)
    ) STRICT, WITHOUT ROWID;

    UPDATE environments SET webhook_secret = 'whsec_quilttmock_0000000000000000000000000000' WHERE id = 'env_0mockDefaultEnvironment';
    UPDATE environments SET webhook_secret = 'whsec_quilttsms1_0000000000000000000000000000' WHERE id = 'env_0mockPhoneEnvironment';
    `)
    const set = db.prepare<[string, string]>('UPDATE environments SET webhook_secret = ? WHERE id = ?')
    for (const { id } of db.prepare<[], { id: string }>("SELECT id FROM environments WHERE webhook_secret = ''").all()) {
      set.run(`whsec_${randomBytes(24).toString('base64url')}`, id)
    }
  },

  // 7. A Connector session keeps the environment's `connector` setting that was in force when it
  // started (the inspector shows what decided it, not what the environment says now). Sessions from
  // before this take their environment's current setting, the best that is known of them.
  `
  ALTER TABLE connector_sessions ADD COLUMN connector_outcome TEXT NOT NULL DEFAULT 'success' CHECK (connector_outcome IN ('success', 'abort', 'error'));
  ALTER TABLE connector_sessions ADD COLUMN connector_auto INTEGER NOT NULL DEFAULT 0;
  UPDATE connector_sessions SET
    connector_outcome = (SELECT connector_outcome FROM environments WHERE environments.id = connector_sessions.environment_id),
    connector_auto = (SELECT connector_auto FROM environments WHERE environments.id = connector_sessions.environment_id);
  `
]
