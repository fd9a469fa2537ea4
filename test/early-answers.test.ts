// An answer sent before the body was read (413, 401) reaches every client: Node's fetch, undici,
// node:http and curl, for bodies just over the limit, a few MiB and 50 MiB (http/early-answers.ts).
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { request as undiciRequest } from 'undici'
import { buildApp } from '../server/app.js'

const SIZES = [1024 * 1024 + 1, 3 * 1024 * 1024, 50 * 1024 * 1024]

type Client = (url: string, body: Buffer, file: string, headers: Record<string, string>) => Promise<{ status: number, text: string }>

const clients: Record<string, Client> = {
  async fetch (url, body, _file, headers) {
    const res = await fetch(url, { method: 'POST', headers, body: body as unknown as BodyInit })
    return { status: res.status, text: await res.text() }
  },
  async 'fetch (chunked)' (url, body, _file, headers) {
    const stream = new ReadableStream({ start (c) { c.enqueue(body); c.close() } })
    const res = await fetch(url, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit)
    return { status: res.status, text: await res.text() }
  },
  async undici (url, body, _file, headers) {
    const res = await undiciRequest(url, { method: 'POST', headers, body })
    return { status: res.statusCode, text: await res.body.text() }
  },
  'node:http' (url, body, _file, headers) {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, res => {
        let text = ''
        res.on('data', d => { text += d })
        res.on('end', () => resolve({ status: res.statusCode!, text }))
      })
      req.on('error', reject)
      req.end(body)
    })
  },
  curl (url, _body, file, headers) {
    const args = ['-sS', '-w', '\n%{http_code}', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), '--data-binary', `@${file}`, url]
    return new Promise((resolve, reject) => execFile('curl', args, (err, out) => {
      if (err) { reject(err); return }
      const lines = out.split('\n')
      resolve({ status: Number(lines.pop()), text: lines.join('\n') })
    }))
  }
}

t.test('a body over the limit gets its 413, readable by every client, and the connection stays usable', async t => {
  const app = await buildApp({ db: ':memory:' })
  t.teardown(() => app.close())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const dir = t.testdir({})
  for (const size of SIZES) {
    const body = Buffer.alloc(size, 'a')
    const file = join(dir, `${size}.json`)
    writeFileSync(file, body)
    for (const [name, client] of Object.entries(clients)) {
      const res = await client(`${base}/v1/users/session`, body, file, { 'content-type': 'application/json' })
      t.equal(res.status, 413, `${name}, ${size} bytes`)
      t.match(JSON.parse(res.text), { message: 'Payload Too Large' }, `${name}, ${size} bytes: Quiltt's shape`)
    }
  }
  // Keep-alive connections that carried a drained body serve the next request.
  t.equal((await fetch(`${base}/emulator/v1/health`)).status, 200)
})

t.test('a 401 from --admin-token, answered before a large body is read, reaches the client', async t => {
  const app = await buildApp({ db: ':memory:', adminToken: 'admin-secret-1234' })
  t.teardown(() => app.close())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const body = Buffer.alloc(3 * 1024 * 1024, 'a')
  for (const name of ['fetch', 'node:http'] as const) {
    const res = await clients[name]!(`${base}/emulator/v1/fixtures`, body, '', { 'content-type': 'application/json' })
    t.equal(res.status, 401, name)
  }
})
