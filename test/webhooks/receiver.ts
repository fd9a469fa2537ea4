// A real webhook receiver on 127.0.0.1 for tests: records every request (raw body and headers) and
// answers what the test tells it to; `next()` waits for the next request, without sleeping.
import http from 'node:http'
import type { Test } from 'tap'

export interface Received {
  headers: http.IncomingHttpHeaders
  raw: string
  body: { eventTypes: string[], events: Array<{ id: string, type: string, record: Record<string, unknown>, [k: string]: unknown }>, [k: string]: unknown }
}

/** What the receiver does with a request: answer a status (default 200), or hang, or answer a huge body. */
export type Behaviour = (r: Received, res: http.ServerResponse) => void

export async function startReceiver (t: Test, behaviour: Behaviour = (_r, res) => { res.writeHead(200).end('ok') }) {
  const received: Received[] = []
  const waiting: Array<(r: Received) => void> = []
  let handle = behaviour
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const r: Received = { headers: req.headers, raw, body: JSON.parse(raw) as Received['body'] }
      received.push(r)
      handle(r, res)
      waiting.shift()?.(r)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/webhooks/quiltt`,
    received,
    /** Resolves with the next request the receiver gets (or one it already has beyond `seen`). */
    next (seen = received.length): Promise<Received> {
      if (received.length > seen) return Promise.resolve(received[seen]!)
      return new Promise(resolve => waiting.push(resolve))
    },
    behave (b: Behaviour): void { handle = b }
  }
}
