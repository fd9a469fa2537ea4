// Injected randomness: the OS source (or a seeded one in tests) and every kind of id made from it.
import { randomBytes } from 'node:crypto'
import { customRandom } from 'nanoid'

/** The single source of randomness; tests inject a seeded one to make ids reproducible. */
export interface RandomSource {
  bytes(size: number): Buffer
}

const POOL_SIZE = 4096
let pool = randomBytes(POOL_SIZE)
let offset = 0

/**
 * Bytes from the OS CSPRNG, drawn in 4 KiB batches: one randomBytes call per id showed in profiles of
 * the write paths. Each caller gets bytes no other caller sees (a spent pool is replaced, never refilled
 * in place), so ids may modify what they get.
 */
export const cryptoRandom: RandomSource = {
  bytes (size) {
    if (size > POOL_SIZE / 4) return randomBytes(size)
    if (offset + size > POOL_SIZE) { pool = randomBytes(POOL_SIZE); offset = 0 }
    offset += size
    return pool.subarray(offset - size, offset)
  }
}

/** A deterministic source (xorshift32) for tests and benchmarks. Not for secrets. */
export function seededRandom (seed = 0x9e3779b9): RandomSource {
  let state = seed >>> 0 || 1
  return {
    bytes (size) {
      const out = Buffer.alloc(size)
      for (let i = 0; i < size; i++) {
        state ^= state << 13; state >>>= 0
        state ^= state >>> 17
        state ^= state << 5; state >>>= 0
        out[i] = state & 0xff
      }
      return out
    }
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const LOWER36 = '0123456789abcdefghijklmnopqrstuvwxyz'

export interface Ids {
  uuid(): string
  environmentId(): string
  apiKeyId(): string
  profileId(): string
  clientId(): string
  secret(): string
  signingSecret(): string
  webhookSecret(): string
  webhookSubscriptionId(): string
  eventId(): string
  deliveryId(): string
  errorId(): string
  passcode(): string
  /** A bank record's id, as Quiltt's examples: `conn_`, `acct_`, `bal_`, `txn_`, `hld_`, `stmt_`, then `1` and 21 base62 characters. */
  bankRecord(prefix: 'conn' | 'acct' | 'bal' | 'txn' | 'hld' | 'stmt'): string
}

/** Id formats follow Quiltt's examples: env_ + 22, api_ + 23, p_ + 22 base62 chars, short lowercase connector ids. */
export function createIds (random: RandomSource = cryptoRandom): Ids {
  const gen = (alphabet: string, size: number) => customRandom(alphabet, size, (n) => random.bytes(n))
  const base62x21 = gen(BASE62, 21)
  const base62x22 = gen(BASE62, 22)
  const base62x23 = gen(BASE62, 23)
  const base62x40 = gen(BASE62, 40)
  const base62x64 = gen(BASE62, 64)
  const lower10 = gen(LOWER36, 10)
  const uuid = (): string => {
    const b = random.bytes(16)
    b[6] = (b[6]! & 0x0f) | 0x40
    b[8] = (b[8]! & 0x3f) | 0x80
    const h = b.toString('hex')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
  return {
    uuid,
    environmentId: () => `env_${base62x22()}`,
    apiKeyId: () => `api_${base62x23()}`,
    profileId: () => `p_${base62x22()}`,
    clientId: lower10,
    secret: () => `sk_sandbox_${base62x40()}`,
    // 64 characters: RFC 7518 wants an HS512 key at least as long as its 512-bit hash.
    signingSecret: base62x64,
    webhookSecret: () => `whsec_${base62x40()}`,
    // Quiltt's examples: wh_ and evt_ followed by 22 to 23 base62 characters.
    webhookSubscriptionId: () => `wh_${base62x23()}`,
    eventId: () => `evt_${base62x22()}`,
    deliveryId: () => `whd_${base62x22()}`,
    errorId: uuid,
    bankRecord: prefix => `${prefix}_1${base62x21()}`,
    passcode () {
      // Rejection sampling keeps the six digits uniform.
      for (;;) {
        const n = random.bytes(4).readUInt32BE(0)
        if (n < 4_294_000_000) return String(n % 1_000_000).padStart(6, '0')
      }
    }
  }
}
