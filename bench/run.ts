/**
 * `npm run bench`: the emulator as `npm start` runs it (the built CLI, request log on at its default
 * level, stdout to a file) side by side with bare Fastify on the same machine, in the same run.
 *
 * Every server runs in its own process (the built CLI for the emulator, bench/baseline.ts for the
 * baselines) and autocannon drives it from this one. Throughput drifts on a shared machine, so each
 * scenario is measured in short rounds, each between two runs of its baseline (B S B S B ...; for
 * ping and introspection also bare Fastify with its default logger, B L S B L S B ...), and the
 * reported ratio is the median of the per-round ratios S / mean(B before, B after).
 *
 * Options: --rounds N (3), --duration SECONDS per run (2), --connections N (10), --only a,b (scenario
 * names: ping, introspectApiKey, issueSession, flow, transactionsPage), --log-level LEVEL (the CLI's default, info: one
 * line per Quiltt API request), --cpu-prof (writes the emulator's CPU profile of the throughput runs
 * to bench/profiles/, for Chrome DevTools).
 * Not part of `npm test`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'bin', 'quiltt-mock.cjs')
const DEFAULT = {
  environmentId: 'env_0mockDefaultEnvironment',
  clientId: 'quilttmock',
  secret: 'sk_sandbox_quilttmock_0000000000000000000000'
}
const TARGETS = {
  ping: 0.6,
  introspectApiKey: 0.6,
  issueSession: 0.8,
  coldStartMs: 300,
  seedMs: 1000,
  rssMb: 120,
  /** The transactions page over the same emulator's ping, in the same run (issue 23). */
  transactionsPageOverPing: 0.4,
  seedTransactionsMs: 3000
}

interface Options { rounds: number, duration: number, connections: number, only: string[] | undefined, cpuProf: boolean, logLevel: string }

function readOptions (argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.findIndex(a => a === `--${name}` || a.startsWith(`--${name}=`))
    if (i < 0) return undefined
    const a = argv[i]!
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1]
  }
  const num = (name: string, def: number, max: number): number => {
    const v = get(name)
    const n = v === undefined ? def : Number(v)
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a number from 1 to ${max}`)
    return n
  }
  return {
    rounds: Math.round(num('rounds', 3, 15)),
    duration: num('duration', 2, 30),
    connections: Math.round(num('connections', 10, 200)),
    only: get('only')?.split(','),
    cpuProf: argv.includes('--cpu-prof'),
    logLevel: get('log-level') ?? 'info'
  }
}

interface Server { url: string, pid: number, child: ChildProcess, stop: () => Promise<void> }

/**
 * Spawns `node <args>` with its stdout going to `logFile` (a file, as a service's log usually does,
 * or a pipe this process drains when there is none), and resolves once it has printed `listening on <url>`.
 */
function startServer (args: string[], logFile?: string): Promise<Server> {
  const out = logFile === undefined ? 'pipe' : openSync(logFile, 'w')
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', out, 'inherit'] })
  if (typeof out === 'number') closeSync(out)
  const stop = (): Promise<void> => new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return }
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
  return new Promise((resolve, reject) => {
    let text = ''
    let timer: NodeJS.Timeout | undefined
    const onExit = (code: number | null): void => { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited (${code}) before listening:\n${text}`)) }
    const found = (): boolean => {
      const m = /listening on (http:\/\/\S+)/.exec(text)
      if (!m) return false
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve({ url: m[1]!, pid: child.pid!, child, stop })
      return true
    }
    child.once('exit', onExit)
    if (logFile === undefined) {
      const onData = (chunk: Buffer): void => { text += chunk.toString(); if (found()) { child.stdout!.off('data', onData); child.stdout!.resume() } }
      child.stdout!.on('data', onData)
      return
    }
    // The banner is the file's first line: read what is new every millisecond until it is there.
    let size = 0
    const poll = (): void => {
      const now = statSync(logFile).size
      if (now > size) { text = readFileSync(logFile, 'utf8'); size = now }
      if (!found()) timer = setTimeout(poll, 1)
    }
    poll()
  })
}

// As `npm start` runs it: the built CLI, its default log format off a terminal (JSON lines), stdout to a file.
const startEmulator = (db: string, logFile: string, nodeArgs: string[] = [], logLevel = 'info'): Promise<Server> =>
  startServer([...nodeArgs, CLI, '--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', logLevel], logFile)

interface Run { rps: number, p99: number, requests: number, non2xx: number, errors: number, cpu: number, cpuUsPerRequest: number }

/** CPU time (user + system) a process has used so far, in microseconds. */
function cpuUs (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e6 / 100 // clock ticks of 10 ms (USER_HZ)
}

/**
 * One autocannon run against the server process `pid`. p99 comes from every response time
 * (autocannon's own histogram rounds to whole ms). `cpu` is the share of one core the server used:
 * well under 1 means the load generator, not the server, set the pace.
 */
function load (pid: number, opts: autocannon.Options): Promise<Run> {
  return new Promise((resolve, reject) => {
    const times: number[] = []
    const cpu0 = cpuUs(pid)
    const t0 = performance.now()
    const instance = autocannon(opts, (err, r) => {
      if (err) { reject(err instanceof Error ? err : new Error(String(err))); return }
      const used = cpuUs(pid) - cpu0
      times.sort((a, b) => a - b)
      resolve({
        rps: r.requests.total / r.duration,
        p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? NaN,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        cpu: used / ((performance.now() - t0) * 1000),
        cpuUsPerRequest: used / r.requests.total
      })
    })
    // The tracker emits (client, status, bytes, ms); the typings describe the client's own event.
    ;(instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { times.push(ms) })
  })
}

interface Scenario {
  name: keyof typeof TARGETS | 'flow' | 'transactionsPage'
  label: string
  /** Requests per operation: the flow takes three. */
  perOp: number
  baseline: 'bare' | 'insertAndSign'
  options: (url: string) => autocannon.Options
}

const json = { 'content-type': 'application/json' }
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function post (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** Users for the login flow, made up front so the flow is identify (202) -> read passcode -> authenticate (201). */
async function makeUsers (url: string, count: number): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `flow${i}@bench.test`)
  for (let i = 0; i < emails.length; i += 20) {
    await Promise.all(emails.slice(i, i + 20).map(async email => {
      const r = await post(`${url}/v1/profiles`, { email }, { authorization: `Bearer ${DEFAULT.secret}` })
      if (r.status !== 201) throw new Error(`creating ${email}: ${r.status} ${JSON.stringify(r.body)}`)
    }))
  }
  return emails
}

/** The page of issue 23: 50 transactions of a profile holding 100,000, as an app's first page asks for them. */
export const TRANSACTIONS_PAGE = 'query Page { transactions(first: 50) { nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }'

function scenarios (token: string, users: string[]): Scenario[] {
  // Each login takes the next user of a pool far larger than the connections, so no two flows in
  // flight share a user (a second identify would replace the first one's passcode).
  let next = 0
  return [
    {
      name: 'ping',
      label: 'ping (GET /v1/users/session)',
      perOp: 1,
      baseline: 'bare',
      options: url => ({ url: `${url}/v1/users/session`, headers: { authorization: `Bearer ${token}` } })
    },
    {
      name: 'introspectApiKey',
      label: 'introspect API key',
      perOp: 1,
      baseline: 'bare',
      options: url => ({ url: `${url}/v1/introspect/api_key`, method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}` } })
    },
    {
      // The ping token's profile holds 100,000 generated transactions (seeded before the runs).
      name: 'transactionsPage',
      label: 'transactions(first: 50) of 100,000 (POST /v1/graphql)',
      perOp: 1,
      baseline: 'bare',
      options: url => ({ url: `${url}/v1/graphql`, method: 'POST', headers: { ...json, authorization: `Bearer ${token}` }, body: JSON.stringify({ query: TRANSACTIONS_PAGE }) })
    },
    {
      name: 'issueSession',
      label: 'issue session (POST /v1/users/sessions)',
      perOp: 1,
      baseline: 'insertAndSign',
      options: url => ({ url: `${url}/v1/users/sessions`, method: 'POST', headers: { ...json, authorization: `Bearer ${DEFAULT.secret}` }, body: '{}' })
    },
    {
      name: 'flow',
      label: 'identify -> passcode -> authenticate',
      perOp: 3,
      baseline: 'bare',
      options: url => ({
        url,
        requests: [
          {
            method: 'POST',
            path: '/v1/users/session',
            headers: json,
            setupRequest: (req, context) => {
              const ctx = context as { email?: string }
              ctx.email = users[next++ % users.length]!
              return { ...req, body: JSON.stringify({ session: { clientId: DEFAULT.clientId, email: ctx.email } }) }
            }
          },
          {
            method: 'GET',
            setupRequest: (req, context) => ({
              ...req,
              path: `/emulator/v1/environments/${DEFAULT.environmentId}/passcodes?email=${encodeURIComponent((context as { email: string }).email)}`
            }),
            onResponse: (status, body, context) => {
              if (status === 200) (context as { code?: string }).code = (JSON.parse(body) as { passcodes: Array<{ code: string }> }).passcodes[0]?.code
            }
          },
          {
            method: 'PUT',
            path: '/v1/users/session',
            headers: json,
            setupRequest: (req, context) => {
              const ctx = context as { email: string, code: string }
              return { ...req, body: JSON.stringify({ session: { clientId: DEFAULT.clientId, email: ctx.email, passcode: ctx.code } }) }
            }
          }
        ]
      })
    }
  ]
}

interface ScenarioResult {
  name: string
  label: string
  baseline: string
  rounds: Array<{
    rps: number, p99: number, cpu: number, cpuUsPerRequest: number, baselineRps: number, ratio: number, loggedRps?: number, loggedRatio?: number
  }>
  rps: number
  opsPerSecond: number
  p99Ms: number
  baselineRps: number
  baselineP99Ms: number
  ratio: number
  /** Median share of one core used by the server during its runs, and CPU microseconds per request. */
  cpu: number
  cpuUsPerRequest: number
  baselineCpu: number
  baselineCpuUsPerRequest: number
  /** Baseline CPU per request over the emulator's: the same comparison, less sensitive to a busy machine. */
  cpuRatio: number
  /** Bare Fastify with its default logger (stdout to a file), against bare Fastify and against the emulator. */
  logged?: { rps: number, ratio: number, cpuUsPerRequest: number, emulatorOverLogged: number }
  target?: number
  failures: number
}

interface Baselines { bare: Server, logged: Server, insertAndSign: Server }

async function measure (s: Scenario, emulator: Server, servers: Baselines, opts: Options): Promise<ScenarioResult> {
  const [baseline, base]: [Server, autocannon.Options] = s.baseline === 'bare'
    ? [servers.bare, { url: `${servers.bare.url}/json` }]
    : [servers.insertAndSign, { url: `${servers.insertAndSign.url}/sessions`, method: 'POST', headers: { ...json, authorization: `Bearer ${DEFAULT.secret}` }, body: '{}' }]
  // Bare Fastify with its default logger, beside ping and introspection (what Fastify itself costs with a request log).
  const logged = s.baseline === 'bare' && s.name !== 'flow' ? { server: servers.logged, options: { url: `${servers.logged.url}/json` } } : undefined
  const run = (server: Server, o: autocannon.Options, duration = opts.duration): Promise<Run> =>
    load(server.pid, { connections: opts.connections, duration, ...o })
  // Warm them up (JIT, SQLite page cache) before anything counts.
  await run(emulator, s.options(emulator.url), 1)
  await run(baseline, base, 1)
  if (logged) await run(logged.server, logged.options, 1)
  const baselines: Run[] = [await run(baseline, base)]
  const runs: Run[] = []
  const loggedRuns: Run[] = []
  for (let i = 0; i < opts.rounds; i++) {
    if (logged) loggedRuns.push(await run(logged.server, logged.options))
    runs.push(await run(emulator, s.options(emulator.url)))
    baselines.push(await run(baseline, base))
  }
  const rounds = runs.map((r, i) => {
    const b = (baselines[i]!.rps + baselines[i + 1]!.rps) / 2
    const l = loggedRuns[i]
    const logged = l ? { loggedRps: l.rps, loggedRatio: l.rps / b } : {}
    return { rps: r.rps, p99: r.p99, cpu: r.cpu, cpuUsPerRequest: r.cpuUsPerRequest, baselineRps: b, ratio: r.rps / b, ...logged }
  })
  const rps = median(runs.map(r => r.rps))
  return {
    name: s.name,
    label: s.label,
    baseline: s.baseline === 'bare' ? 'bare Fastify' : 'bare Fastify + better-sqlite3 insert-and-sign',
    rounds,
    rps,
    opsPerSecond: rps / s.perOp,
    p99Ms: median(runs.map(r => r.p99)),
    baselineRps: median(baselines.map(r => r.rps)),
    baselineP99Ms: median(baselines.map(r => r.p99)),
    ratio: median(rounds.map(r => r.ratio)),
    cpu: median(runs.map(r => r.cpu)),
    cpuUsPerRequest: median(runs.map(r => r.cpuUsPerRequest)),
    baselineCpu: median(baselines.map(r => r.cpu)),
    baselineCpuUsPerRequest: median(baselines.map(r => r.cpuUsPerRequest)),
    cpuRatio: median(baselines.map(r => r.cpuUsPerRequest)) / median(runs.map(r => r.cpuUsPerRequest)),
    ...(logged
      ? {
          logged: {
            rps: median(loggedRuns.map(r => r.rps)),
            ratio: median(rounds.map(r => r.loggedRatio!)),
            cpuUsPerRequest: median(loggedRuns.map(r => r.cpuUsPerRequest)),
            emulatorOverLogged: median(rounds.map(r => r.rps / r.loggedRps!))
          }
        }
      : {}),
    ...(s.name in TARGETS ? { target: TARGETS[s.name as keyof typeof TARGETS] } : {}),
    failures: [...runs, ...baselines, ...loggedRuns].reduce((n, r) => n + r.non2xx + r.errors, 0)
  }
}

// The floor under any cold start on this machine: Node itself starting, listening and answering once.
const BARE_NODE = `require('node:http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () {
  process.stdout.write('listening on http://127.0.0.1:' + this.address().port + '\\n') })`

/**
 * Process spawn until `/emulator/v1/health` answers 200, on a fresh database file each time; each run
 * is followed by one of a bare node:http server (spawn until its first answer), to show how much of
 * the start is Node's own on this machine.
 */
async function coldStart (dir: string, times: number): Promise<{ emulator: number[], bareNode: number[] }> {
  const out = { emulator: [] as number[], bareNode: [] as number[] }
  const time = async (start: () => Promise<Server>, path: string): Promise<number> => {
    const t0 = performance.now()
    const server = await start()
    const res = await fetch(`${server.url}${path}`)
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
    await res.arrayBuffer()
    const ms = performance.now() - t0
    await server.stop()
    return ms
  }
  for (let i = 0; i < times; i++) {
    out.emulator.push(await time(() => startEmulator(join(dir, `cold-${i}.db`), join(dir, `cold-${i}.log`)), '/emulator/v1/health'))
    out.bareNode.push(await time(() => startServer(['-e', BARE_NODE]), '/'))
  }
  return out
}

function seedDocument (count: number): string {
  const profiles = Array.from({ length: count }, (_, i) => ({ email: `seed${i}@bench.test`, name: `Seed User ${i}` }))
  return JSON.stringify({ environments: [{ name: 'Bench seed', authStrategy: 'email', profiles }] })
}

/** Seeds 100,000 generated transactions on one profile, in one `POST .../connections`, and checks the page answers. */
async function seedTransactions (url: string, profileId: string): Promise<{ ms: number }> {
  const t0 = performance.now()
  const res = await post(`${url}/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${profileId}/connections`, { generate: { accounts: 1, transactionsPerAccount: 100_000, seed: 42 } })
  const ms = performance.now() - t0
  if (res.status !== 201) throw new Error(`seeding transactions: ${res.status} ${JSON.stringify(res.body)}`)
  return { ms }
}

/** Seeds 10,000 profiles in one `POST /emulator/v1/fixtures`. */
async function seed (emulator: Server): Promise<{ ms: number, via: string, bodyBytes: number }> {
  const body = seedDocument(10_000)
  const t0 = performance.now()
  const res = await fetch(`${emulator.url}/emulator/v1/fixtures`, { method: 'POST', headers: json, body })
  const ms = performance.now() - t0
  await res.arrayBuffer()
  if (res.status !== 200 && res.status !== 201) throw new Error(`POST /emulator/v1/fixtures answered ${res.status}`)
  return { ms, via: 'POST /emulator/v1/fixtures', bodyBytes: body.length }
}

function rssOf (pid: number): { rssMb: number, peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const mark = (ok: boolean): string => ok ? 'ok' : 'MISSED'

async function main (): Promise<void> {
  const opts = readOptions(process.argv.slice(2))
  // How busy the host was (1-minute load average, before and after): other work on a shared machine slows every server.
  const loadBefore = loadavg()[0]!
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-bench-'))
  const servers: Server[] = []
  try {
    const profiles = join(ROOT, 'bench', 'profiles')
    const emulator = await startEmulator(join(dir, 'emulator.db'), join(dir, 'emulator.log'), opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [], opts.logLevel)
    servers.push(emulator)
    const baseline = (args: string[], log?: string): Promise<Server> => startServer(['--import', 'tsx', join(ROOT, 'bench', 'baseline.ts'), ...args], log)
    const baselines: Baselines = {
      bare: await baseline([]),
      logged: await baseline(['--logger'], join(dir, 'fastify-logger.log')),
      insertAndSign: await baseline([join(dir, 'baseline.db')])
    }
    servers.push(...Object.values(baselines))

    const issued = await post(`${emulator.url}/v1/users/sessions`, {}, { authorization: `Bearer ${DEFAULT.secret}` })
    if (issued.status !== 201) throw new Error(`issuing the ping token: ${issued.status}`)
    const token = (issued.body as { token: string }).token
    const users = await makeUsers(emulator.url, opts.connections * 200)
    const wantsPage = !opts.only || opts.only.includes('transactionsPage')
    if (wantsPage && opts.only && !opts.only.includes('ping')) opts.only.push('ping') // the page is measured against ping

    const results: ScenarioResult[] = []
    const all = scenarios(token, users)
    for (const s of all) {
      if ((opts.only && !opts.only.includes(s.name)) || s.name === 'transactionsPage') continue
      process.stderr.write(`bench: ${s.label}...\n`)
      results.push(await measure(s, emulator, baselines, opts))
    }
    // Memory as before bank data: the page's 100,000 transactions are seeded after it is read.
    const memory = rssOf(emulator.pid)
    let bank: { ms: number } | undefined
    if (wantsPage) {
      process.stderr.write('bench: seeding 100,000 transactions...\n')
      bank = await seedTransactions(emulator.url, (issued.body as { userId: string }).userId)
      const s = all.find(x => x.name === 'transactionsPage')!
      process.stderr.write(`bench: ${s.label}...\n`)
      results.push(await measure(s, emulator, baselines, opts))
    }
    const ping = results.find(r => r.name === 'ping')
    const page = results.find(r => r.name === 'transactionsPage')
    const pageOverPing = ping && page ? page.rps / ping.rps : undefined
    const logBytes = statSync(join(dir, 'emulator.log')).size
    await Promise.all(servers.map(server => server.stop()))
    servers.length = 0

    process.stderr.write('bench: cold start...\n')
    const cold = await coldStart(dir, 5)
    process.stderr.write('bench: seeding 10,000 profiles...\n')
    const seedServer = await startEmulator(join(dir, 'seed-target.db'), join(dir, 'seed-target.log'))
    servers.push(seedServer)
    const seeded = await seed(seedServer)
    await seedServer.stop()
    servers.length = 0

    const coldMs = median(cold.emulator)
    const bareNodeMs = median(cold.bareNode)
    // Set on some machines (a corporate or sandbox CA); Node then parses that file at every start, before any script runs.
    const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS
    const report = {
      date: new Date().toISOString(),
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', platform: `${process.platform} ${process.arch}`, loadAverage: { before: loadBefore, after: loadavg()[0]! } },
      options: { ...opts, database: 'file, WAL, synchronous=NORMAL (both emulator and insert-and-sign baseline)', emulatorLog: `stdout to a file, ${logBytes} bytes written` },
      scenarios: results,
      coldStart: {
        medianMs: coldMs,
        runsMs: cold.emulator,
        bareNodeMedianMs: bareNodeMs,
        bareNodeRunsMs: cold.bareNode,
        nodeExtraCaCerts: extraCaCerts ?? null,
        target: TARGETS.coldStartMs
      },
      seed: { profiles: 10_000, ms: seeded.ms, via: seeded.via, bodyBytes: seeded.bodyBytes, target: TARGETS.seedMs },
      bankData: bank ? { seedTransactions: { count: 100_000, ms: bank.ms, target: TARGETS.seedTransactionsMs }, transactionsPageOverPing: pageOverPing ?? null, target: TARGETS.transactionsPageOverPing } : null,
      memory: { ...memory, after: 'all throughput runs but the transactions page (before its 100,000 transactions are seeded)', target: TARGETS.rssMb }
    }
    writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(report, null, 2) + '\n')

    const rows = results.map(r => [
      r.label,
      `${fmt(r.rps)} req/s${r.name === 'flow' ? ` (${fmt(r.opsPerSecond)} logins/s)` : ''}`,
      `${fmt(r.p99Ms, 2)} ms`,
      `${fmt(r.cpu * 100)}% ${fmt(r.cpuUsPerRequest, 1)} us`,
      `${fmt(r.baselineRps)} req/s`,
      `${fmt(r.baselineCpu * 100)}% ${fmt(r.baselineCpuUsPerRequest, 1)} us`,
      r.target === undefined ? fmt(r.ratio, 2) : `${fmt(r.ratio, 2)} (>= ${r.target} ${mark(r.ratio >= r.target)})`,
      fmt(r.cpuRatio, 2),
      r.logged ? `${fmt(r.logged.ratio, 2)}; emulator ${fmt(r.logged.emulatorOverLogged, 2)} of it` : '',
      r.failures === 0 ? '' : `${r.failures} non-2xx/errors`
    ])
    const head = ['scenario', 'emulator', 'p99', 'server CPU, per req', 'baseline', 'baseline CPU, per req', 'ratio (median)', 'CPU ratio', 'Fastify + logger', '']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
    const lines = [
      `quiltt-mock bench: ${report.machine.cpus} x ${report.machine.cpu}, Node ${process.version}, load average ${fmt(loadBefore, 1)} before and ${fmt(report.machine.loadAverage.after, 1)} after; ${opts.rounds} rounds of ${opts.duration} s, ${opts.connections} connections`,
      `emulator as npm start runs it: --log-level ${opts.logLevel}, stdout to a file (${fmt(logBytes / 1e6, 1)} MB of log written)`,
      '',
      line(head),
      line(widths.map(w => '-'.repeat(w))),
      ...rows.map(line),
      '',
      'baselines: ping, introspect and the flow against a bare Fastify route; issue session against bare Fastify + better-sqlite3 insert-and-sign',
      'server CPU: share of one core the server process used during its runs, and CPU time per request (well under 100%: the load generator set the pace)',
      'ratio: emulator req/s over the mean of the baseline runs around it, median of the rounds; CPU ratio: baseline CPU per request over the emulator\'s',
      'Fastify + logger: bare Fastify with its default logger (stdout to a file) over bare Fastify, and the emulator over it, medians of the rounds',
      `cold start (spawn -> health 200, median of 5): ${fmt(coldMs)} ms (<= ${TARGETS.coldStartMs} ${mark(coldMs <= TARGETS.coldStartMs)}); a bare node:http server: ${fmt(bareNodeMs)} ms${extraCaCerts ? ` (NODE_EXTRA_CA_CERTS is set: Node reads ${extraCaCerts} at every start)` : ''}`,
      `seed 10,000 profiles: ${fmt(seeded.ms)} ms via ${seeded.via} (<= ${TARGETS.seedMs} ${mark(seeded.ms <= TARGETS.seedMs)})`,
      ...(bank ? [`seed 100,000 generated transactions: ${fmt(bank.ms)} ms via POST .../connections (<= ${TARGETS.seedTransactionsMs} ${mark(bank.ms <= TARGETS.seedTransactionsMs)})`] : []),
      ...(pageOverPing !== undefined ? [`transactions(first: 50) of 100,000 over ping, same run: ${fmt(pageOverPing, 2)} (>= ${TARGETS.transactionsPageOverPing} ${mark(pageOverPing >= TARGETS.transactionsPageOverPing)})`] : []),
      `emulator RSS after the runs: ${fmt(memory.rssMb)} MB, peak ${fmt(memory.peakMb)} MB (<= ${TARGETS.rssMb} ${mark(memory.rssMb <= TARGETS.rssMb)})`,
      '',
      'written to bench/results.json',
      ...(opts.cpuProf ? [`CPU profile of the emulator written to ${profiles}/`] : [])
    ]
    process.stdout.write(lines.join('\n') + '\n')
  } finally {
    await Promise.all(servers.map(s => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
