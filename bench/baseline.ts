/**
 * The baselines the emulator is measured against, in their own process like the emulator:
 * - `GET /json`: a bare Fastify route returning a small JSON object (the ceiling of the stack);
 *   with `--logger`, the same with Fastify's default logger (two JSON lines per request, on stdout);
 * - `POST /sessions`: bare Fastify + better-sqlite3 doing only what issuing a session must do:
 *   two inserts (profile, session) in one transaction on the emulator's own schema and pragmas,
 *   and one HS512 signature.
 * Usage: `baseline.ts [--logger] [database file]`. Prints `listening on <url>` on stdout.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import { openDatabase } from '../server/store/db.js'

const args = process.argv.slice(2)
const logger = args.includes('--logger')
const dbPath = args.find(a => a !== '--logger') ?? ':memory:'
const db = openDatabase(dbPath)
const now = Date.now()
db.prepare(`INSERT INTO environments (id, name, mode, auth_strategy, signups_enabled, client_id, signing_secret, rate_limits,
  session_format, passcode_ttl_seconds, session_ttl_seconds, created_at, seq)
  VALUES ('env_bench', 'Bench', 'SANDBOX', 'email', 1, 'bench', 'k', 0, 'current', 600, 86400, ?, 1)`).run(now)
const insertProfile = db.prepare(`INSERT INTO profiles (id, environment_id, uuid, email, phone, name, first_name, last_name,
  date_of_birth, address, metadata, created_at, updated_at) VALUES (?, 'env_bench', ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?)`)
const insertSession = db.prepare(`INSERT INTO sessions (id, environment_id, profile_id, via, issued_at, expires_at, revoked_at)
  VALUES (?, 'env_bench', ?, 'apiKey', ?, ?, NULL)`)
const issue = db.transaction((profileId: string, uuid: string, sessionId: string, at: number, expiresAt: number) => {
  insertProfile.run(profileId, uuid, at, at)
  insertSession.run(sessionId, profileId, at, expiresAt)
})
const key = randomBytes(64)
const HEADER = Buffer.from('{"alg":"HS512"}').toString('base64url')

const app = Fastify({ logger })
app.get('/json', async () => ({ status: 'ok', version: '0.0.0' }))
app.post('/sessions', async (_req, reply) => {
  const at = Date.now()
  const iat = Math.floor(at / 1000)
  const exp = iat + 86_400
  const uuid = randomUUID()
  const sessionId = randomUUID()
  const profileId = `p_${randomBytes(16).toString('base64url')}`
  issue(profileId, uuid, sessionId, at, exp * 1000)
  const input = `${HEADER}.${Buffer.from(JSON.stringify({ iss: 'auth.quiltt.io', aud: 'api.quiltt.io', sub: uuid, uid: profileId, eid: 'env_bench', cid: 'bench', did: 'bench', ver: 2, jti: sessionId, iat, nbf: iat, exp })).toString('base64url')}`
  const token = `${input}.${createHmac('sha512', key).update(input).digest('base64url')}`
  return reply.code(201).send({ id: sessionId, token, userId: uuid, userUuid: uuid, environmentId: 'env_bench', expiration: exp, expiresAt: new Date(exp * 1000).toISOString() })
})

// Its own "Server listening at" line is a log line; the bench waits for this one.
const url = await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening on ${url}\n`)
const stop = (): void => { app.close().then(() => { db.close(); process.exit(0) }, () => process.exit(1)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
