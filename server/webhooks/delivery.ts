// Sends pending webhook deliveries: after the transaction that recorded them, never in the request
// that caused them; one at a time per subscription, in event order; retried with backoff on the
// emulator's clock; every attempt kept. Pending deliveries live in SQLite, so a restart sends them.
import http from 'node:http'
import https from 'node:https'
import { performance } from 'node:perf_hooks'
import { type EmulatorClock, toUnixSeconds } from '../clock.js'
import type { Store } from '../store/index.js'
import type { DueDelivery } from '../store/webhooks.js'
import { webhookSignature } from './signature.js'
import { targetUrlProblem, type WebhookEvent, type WebhookHostPolicy, type WebhookService } from '../services/webhooks.js'

/** About what Quiltt is said to make (20 tries, exponential backoff); the last one fails the delivery. */
export const MAX_ATTEMPTS = 20
/** A receiver that has not answered in this long is a failed attempt (Quiltt is said to wait about 20 s). */
export const DEFAULT_TIMEOUT_MS = 10_000
/** What is read of an answer; the rest is never buffered (the socket is closed). */
export const MAX_ANSWER_BYTES = 64 * 1024
const MAX_BACKOFF_MS = 3_600_000
// A due time further away is looked at again after this long, in case the clock moved in between.
const MAX_TIMER_MS = 60_000

/** After the n-th failed attempt: 2 s, 4 s, 8 s, ... up to an hour (the first retry within 5 s). */
export const backoffMs = (failedAttempts: number): number => Math.min(2 ** failedAttempts * 1000, MAX_BACKOFF_MS)

interface Answer { statusCode: number | null, error: string | null }

function post (target: string, body: string, headers: Record<string, string>, timeoutMs: number, inFlight: Set<http.ClientRequest>): Promise<Answer> {
  return new Promise(resolve => {
    const url = new URL(target)
    let req: http.ClientRequest | undefined
    let done = false
    const finish = (answer: Answer): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (req) { inFlight.delete(req); req.destroy() }
      resolve(answer)
    }
    const timer = setTimeout(() => finish({ statusCode: null, error: `no answer within ${timeoutMs / 1000} s` }), timeoutMs)
    try {
      // agent: false: one connection per attempt, closed after it, so nothing lingers past close().
      req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent: false }, res => {
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > MAX_ANSWER_BYTES) finish({ statusCode: res.statusCode ?? null, error: `answer body cut off after ${MAX_ANSWER_BYTES} bytes (not read further)` })
        })
        res.on('end', () => finish({ statusCode: res.statusCode ?? null, error: null }))
        res.on('error', err => finish({ statusCode: res.statusCode ?? null, error: err.message }))
      })
      inFlight.add(req)
      req.on('error', err => finish({ statusCode: null, error: (err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ${err.message}` : err.message }))
      req.end(body)
    } catch (err) {
      finish({ statusCode: null, error: (err as Error).message })
    }
  })
}

export interface DispatcherOptions {
  store: Store
  clock: EmulatorClock
  webhooks: WebhookService
  hostPolicy: WebhookHostPolicy
  timeoutMs?: number
}

export function createDispatcher ({ store, clock, webhooks, hostPolicy, timeoutMs = DEFAULT_TIMEOUT_MS }: DispatcherOptions) {
  const busy = new Set<string>()
  const requests = new Set<http.ClientRequest>()
  const running = new Set<Promise<void>>()
  let timer: NodeJS.Timeout | undefined
  let scheduled = false
  let closed = false

  async function attempt (d: DueDelivery): Promise<void> {
    const event = JSON.parse(d.event) as WebhookEvent
    // Compact JSON, signed over exactly the bytes sent.
    const body = JSON.stringify(webhooks.payload({ id: d.environment_id, name: d.environment_name, mode: d.environment_mode }, event))
    const timestamp = String(toUnixSeconds(clock.now()))
    const at = clock.now()
    const started = performance.now()
    // The policy of this run: a subscription made under another --webhook-hosts is refused, not sent.
    const problem = targetUrlProblem(d.target_url, hostPolicy)
    const answer: Answer = problem
      ? { statusCode: null, error: problem }
      : await post(d.target_url, body, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'quiltt-mock-webhooks',
        'quiltt-timestamp': timestamp,
        'quiltt-signature': webhookSignature(d.webhook_secret, timestamp, body)
      }, timeoutMs, requests)
    if (closed) return
    const durationMs = Math.round(performance.now() - started)
    const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300
    const attempts = d.attempts + 1
    const state = ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending'
    const error = ok ? answer.error : answer.error ?? `answered ${answer.statusCode}, not 2xx`
    store.transaction(() => {
      if (!store.webhooks.deliveryExists(d.seq)) return
      store.webhooks.insertAttempt({ delivery_seq: d.seq, attempt: attempts, at, status_code: answer.statusCode, duration_ms: durationMs, error })
      store.webhooks.finish(d.seq, state, attempts, state === 'pending' ? clock.now() + backoffMs(attempts) : d.next_attempt_at)
    })
  }

  /** Starts every due head of a subscription's queue that is not already being sent, and arms the timer for the next. */
  function run (): void {
    scheduled = false
    if (closed) return
    const now = clock.now()
    let next = Infinity
    for (const d of store.webhooks.heads()) {
      if (busy.has(d.subscription_id)) continue
      if (d.next_attempt_at > now) { next = Math.min(next, d.next_attempt_at); continue }
      busy.add(d.subscription_id)
      const sending: Promise<void> = attempt(d)
        .catch(() => { /* the store was closed under it; the delivery stays pending for the next start */ })
        .finally(() => { busy.delete(d.subscription_id); running.delete(sending); kick() })
      running.add(sending)
    }
    clearTimeout(timer)
    if (Number.isFinite(next)) {
      timer = setTimeout(run, Math.min(Math.max(next - now, 0), MAX_TIMER_MS))
      timer.unref()
    }
  }

  /** Looks for due deliveries on the next turn of the event loop: after the current transaction has committed. */
  function kick (): void {
    if (closed || scheduled) return
    scheduled = true
    setImmediate(run)
  }

  const stopListening = clock.onMove(kick)

  return {
    kick,
    /** Stops sending: attempts under way are cut off and stay pending (a restart sends them again). */
    async close (): Promise<void> {
      closed = true
      stopListening()
      clearTimeout(timer)
      for (const req of requests) req.destroy()
      await Promise.allSettled([...running])
    },
    /** Resolves when nothing is being sent (tests). */
    async idle (): Promise<void> {
      while (scheduled || running.size > 0) {
        if (running.size > 0) await Promise.allSettled([...running])
        else await new Promise(resolve => setImmediate(resolve))
      }
    }
  }
}

export type Dispatcher = ReturnType<typeof createDispatcher>
