// Quiltt's webhook signature: what the emulator signs its deliveries with, and verifyWebhook(), the
// check a receiver makes (exported by the package for users' tests).
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Quiltt's receiver sample: signature version `1`, a five-minute window. */
export const SIGNATURE_VERSION = '1'
export const TOLERANCE_SECONDS = 300

/** base64(HMAC-SHA256(secret, "1" + timestamp + body)): the `Quiltt-Signature` of a body sent at `timestamp` (Unix seconds, as sent). */
export function webhookSignature (secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(SIGNATURE_VERSION).update(timestamp).update(body).digest('base64')
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>

export interface VerifyWebhookOptions {
  /** The receiver's time (a Date or epoch ms); default now. Pass the emulator's clock when it was moved. */
  now?: Date | number
  /** Seconds a timestamp may be from `now` either way; default 300, as Quiltt's receiver sample. */
  toleranceSeconds?: number
}

export type VerifyWebhookResult =
  | { ok: true, payload: unknown, timestamp: number }
  | { ok: false, reason: string }

function header (headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

/**
 * Checks a webhook delivery as a receiver should: `Quiltt-Timestamp` within the window of `now`, and
 * `Quiltt-Signature` equal to base64(HMAC-SHA256(secret, "1" + timestamp + raw body)). `rawBody` is
 * the body exactly as received (a re-serialised JSON object would not match byte for byte). Answers
 * the parsed payload, or why the delivery is not Quiltt's (never throws).
 */
export function verifyWebhook (rawBody: string | Buffer | Uint8Array, headers: WebhookHeaders, secret: string, options: VerifyWebhookOptions = {}): VerifyWebhookResult {
  const timestamp = header(headers, 'quiltt-timestamp')
  const signature = header(headers, 'quiltt-signature')
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'no Quiltt-Timestamp header' }
  if (signature === undefined || signature === '') return { ok: false, reason: 'no Quiltt-Signature header' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `Quiltt-Timestamp is not Unix seconds: ${JSON.stringify(timestamp)}` }
  const nowMs = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime()
  const tolerance = options.toleranceSeconds ?? TOLERANCE_SECONDS
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp))
  if (skew > tolerance) return { ok: false, reason: `Quiltt-Timestamp is ${skew} s from now, more than the ${tolerance} s allowed (a replay, or a moved clock: pass options.now)` }
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'base64')
  const given = Buffer.from(signature, 'base64')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'Quiltt-Signature does not match: another secret, or the body was changed (sign the raw bytes, not re-serialised JSON)' }
  }
  let payload: unknown
  try {
    payload = JSON.parse(body.toString('utf8'))
  } catch {
    return { ok: false, reason: 'the body is not JSON' }
  }
  return { ok: true, payload, timestamp: Number(timestamp) }
}
