/**
 * `npm run bench:soak [-- --duration SECONDS]`: the built CLI under mixed load and hostile bodies for a
 * while (default 5 minutes), its resident memory sampled throughout; reports RSS at start, peak and
 * end, and what every kind of request got. What it shows: memory stays flat, every hostile request
 * gets its clear answer (413, 422, 400, 408), and the ordinary load keeps being served meanwhile.
 *
 * The load, all at once, until the time is up:
 * - autocannon: pings, App-Secret sessions, identifies of new emails (passcodes and messages pile up),
 *   GraphQL profile reads (every Quiltt request is journaled);
 * - chunked 1 MB JSON bodies (the journal must not keep them), 3 MiB and, now and then, 50 MiB bodies
 *   (413s the client must read), dense 60 KiB bodies under the journal's cap;
 * - a fixture document of 1,000 profiles x 1,000 sessions and a 50-operation GraphQL batch of 300
 *   fragments each (refused before work);
 * - clients trickling their requests (let go at the request timeout).
 * Not part of `npm test`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'bin', 'quiltt-mock.cjs')
const SECRET = 'sk_sandbox_quilttmock_0000000000000000000000'
const MB = 1024 * 1024

function durationSeconds (argv: string[]): number {
  const i = argv.findIndex(a => a === '--duration' || a.startsWith('--duration='))
  if (i < 0) return 300
  const v = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1]
  const n = Number(v)
  if (!Number.isFinite(n) || n < 5 || n > 86_400) throw new Error('--duration must be a number of seconds from 5 to 86400')
  return n
}

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

// A database file, as `npm start` keeps one: the process's memory is then the emulator's own. With
// `:memory:` every profile and session the load creates stays in the process, so its RSS grows with
// the data (about 100 MB a minute under this load), which says nothing about leaks.
const DB_DIR = mkdtempSync(join(tmpdir(), 'quiltt-mock-soak-'))
process.on('exit', () => rmSync(DB_DIR, { recursive: true, force: true }))

function start (): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', '--db', join(DB_DIR, 'soak.db'), '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let text = ''
    child.once('exit', code => reject(new Error(`the emulator exited (${code}) before listening`)))
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(text)
      if (m) { child.stdout!.resume(); child.removeAllListeners('exit'); resolve({ url: m[1]!, child }) }
    })
  })
}

const tally = new Map<string, number>()
const note = (what: string): void => { tally.set(what, (tally.get(what) ?? 0) + 1) }

async function post (url: string, body: BodyInit, headers: Record<string, string>, label: string, chunked = false): Promise<void> {
  try {
    const init: RequestInit & { duplex?: string } = { method: 'POST', headers, body }
    if (chunked) init.duplex = 'half'
    const res = await fetch(url, init)
    await res.arrayBuffer()
    note(`${label}: ${res.status}`)
  } catch (err) {
    note(`${label}: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`)
  }
}

function trickle (url: URL, label: string): Promise<void> {
  return new Promise(resolve => {
    const socket = connect(Number(url.port), url.hostname)
    let out = ''
    const drip = setInterval(() => { if (!socket.destroyed) socket.write(' ') }, 1000)
    socket.setEncoding('latin1')
    socket.on('data', d => { out += d })
    socket.on('error', () => {})
    socket.on('close', () => { clearInterval(drip); note(`${label}: ${/^HTTP\/1\.1 (\d+)/.exec(out)?.[1] ?? 'closed without an answer'}`); resolve() })
    socket.write(`POST /v1/users/session HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{`)
  })
}

async function main (): Promise<void> {
  const seconds = durationSeconds(process.argv.slice(2))
  const { url, child } = await start()
  const pid = child.pid!
  const until = Date.now() + seconds * 1000
  const samples: number[] = [rssMb(pid)]
  const sampler = setInterval(() => samples.push(rssMb(pid)), 500)
  // RSS at each tenth of the run: flat means a plateau, not a slope.
  const tenths: string[] = []
  const marker = setInterval(() => tenths.push(rssMb(pid).toFixed(0)), seconds * 100)
  const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }
  const token = ((await (await fetch(`${url}/v1/users/sessions`, { method: 'POST', headers: auth, body: '{}' })).json()) as { token: string }).token
  process.stdout.write(`soak: ${seconds} s against ${url} (pid ${pid}), RSS at start ${samples[0]!.toFixed(1)} MB\n`)

  let n = 0
  const ordinary = autocannon({
    url,
    connections: 8,
    duration: seconds,
    requests: [
      { method: 'GET', path: '/v1/users/session', headers: { authorization: `Bearer ${token}` } },
      { method: 'POST', path: '/v1/users/sessions', headers: auth, body: '{}' },
      { method: 'POST', path: '/v1/users/session', headers: { 'content-type': 'application/json' }, setupRequest: req => ({ ...req, body: JSON.stringify({ session: { clientId: 'quilttmock', email: `soak${n++}@example.com` } }) }) },
      { method: 'POST', path: '/v1/graphql', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ profile { id email } }' }) }
    ]
  })

  const chunk = Buffer.alloc(MB, ' ')
  chunk.write('{"a":"', 0); chunk.write('"}', MB - 2)
  const dense = JSON.stringify({ metadata: { list: Array.from({ length: 15_000 }, () => 0) } })
  const fragments = Array.from({ length: 300 }, (_, i) => `fragment F${i} on Profile { id }`).join('\n')
  const heavy = `query Q { profile { ${Array.from({ length: 300 }, (_, i) => `...F${i}`).join(' ')} } }\n${fragments}`
  const flood = JSON.stringify({ environments: [{ name: 'Flood', profiles: Array.from({ length: 1000 }, () => ({ sessions: 1000 })) }] })
  const big3 = Buffer.alloc(3 * MB, 'a')
  const big50 = Buffer.alloc(50 * MB, 'a')

  const hostile = (async () => {
    for (let round = 0; Date.now() < until; round++) {
      await Promise.all([
        post(`${url}/v1/profiles`, new ReadableStream({ start (c) { c.enqueue(chunk); c.close() } }), auth, 'chunked 1 MB body', true),
        post(`${url}/v1/profiles`, dense, auth, 'dense 60 KiB body'),
        post(`${url}/v1/users/session`, big3, { 'content-type': 'application/json' }, '3 MiB body'),
        round % 10 === 0 ? post(`${url}/v1/users/session`, big50, { 'content-type': 'application/json' }, '50 MiB body') : undefined,
        round % 5 === 0 ? post(`${url}/emulator/v1/fixtures`, flood, { 'content-type': 'application/json' }, 'fixture 1,000 x 1,000 sessions') : undefined,
        round % 5 === 0 ? post(`${url}/v1/graphql`, JSON.stringify(Array.from({ length: 50 }, () => ({ query: heavy }))), { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, 'GraphQL batch 50 x 300 fragments') : undefined
      ])
    }
  })()
  const tricklers = Promise.all(Array.from({ length: 5 }, async () => { while (Date.now() < until) await trickle(new URL(url), 'trickling client') }))

  const [result] = await Promise.all([ordinary, hostile])
  // A trickler still dripping is let go at its request timeout (60 s); it is not waited for.
  await Promise.race([tricklers, new Promise(resolve => setTimeout(resolve, 1000))])
  // The journal let go, the garbage collector caught up: what stays is what the emulator holds.
  await new Promise(resolve => setTimeout(resolve, 2000))
  clearInterval(sampler)
  clearInterval(marker)
  samples.push(rssMb(pid))
  const health = await new Promise<number>(resolve => httpRequest(`${url}/emulator/v1/health`, res => { res.resume(); resolve(res.statusCode!) }).on('error', () => resolve(0)).end())
  child.kill('SIGTERM')

  const peak = Math.max(...samples)
  const lines = [
    `RSS: start ${samples[0]!.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, end ${samples.at(-1)!.toFixed(1)} MB (${samples.length} samples); at each tenth: ${tenths.join(', ')} MB`,
    `ordinary load: ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, p99 ${result.latency.p99} ms`,
    ...[...tally].sort().map(([k, v]) => `${k}: ${v}`),
    `health after the soak: ${health}`
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

main().catch(err => { process.stderr.write(`${(err as Error).stack ?? err}\n`); process.exit(1) })
