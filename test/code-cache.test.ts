import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../server/paths.js'
import { assertBuilt, BIN } from './built.js'
import { DEFAULT } from './helper.js'

assertBuilt()

// The bin keeps V8's compiled code of the bundled CLI between runs: on Node 22 and later through
// Node's own module.enableCompileCache(); on Node 20 in <tmpdir>/quiltt-mock-code-cache-<uid>
// (bin/code-cache.cjs), written two seconds after a start that found none (or one V8 rejected).
const uid = process.getuid?.()
const cacheDirIn = (tmp: string): string => join(tmp, `quiltt-mock-code-cache${uid === undefined ? '' : `-${uid}`}`)
const cacheFiles = (tmp: string): string[] => existsSync(cacheDirIn(tmp)) ? readdirSync(cacheDirIn(tmp)).filter(f => f.endsWith('.bin')) : []
const require = createRequire(import.meta.url)
const { KEEP } = require('../bin/code-cache.cjs') as { KEEP: number }

// As a user runs it: outside tap's coverage and preloads, with its temporary folder in `tmp`.
const { NODE_V8_COVERAGE: _coverage, NODE_OPTIONS: _options, ...userEnv } = process.env

interface Started { url: string, stderr: () => string, stop: () => Promise<void> }

function start (tmp: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--db', ':memory:', '--log-level', 'warn'],
    { env: { ...userEnv, TMPDIR: tmp, NODE_DEBUG: 'quiltt-mock' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', d => { err += String(d) })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    child.stdout.on('data', d => {
      out += String(d)
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve({ url: m[1]!, stderr: () => err, stop: async () => { child.kill('SIGTERM'); await exited } })
    })
    child.once('exit', code => reject(new Error(`exited ${code} before listening: ${out}${err}`)))
  })
}

/** What the bin said of the cache at start (NODE_DEBUG=quiltt-mock). */
const verdict = (s: Started): string => /code cache \S+: (none|used|rejected|not used[^\n]*)/.exec(s.stderr())?.[1] ?? `nothing: ${s.stderr()}`

/** Waits for the child process to do something on its own clock (it writes the cache two seconds after its start). */
async function until (check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** A request that runs much of the bundle: validation, a service, the store, the serializer. */
async function identify (url: string, email: string): Promise<number> {
  const res = await fetch(`${url}/v1/users/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session: { deploymentId: DEFAULT.clientId, email } })
  })
  return res.status
}

// Which of the two this Node takes; the tests check that one (each Node in CI checks its own).
const nodeKeepsIt = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function'

t.test('the compiled code is kept between runs: by Node itself on Node 22 and later, by the bin on Node 20 (written, used, rejected and written again, pruned)', async t => {
  const tmp = mkdtempSync(join(tmpdir(), 'qm-code-cache-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  if (nodeKeepsIt) {
    const server = await start(tmp)
    t.equal(await identify(server.url, 'node@example.com'), 201)
    await server.stop()
    t.ok(existsSync(join(tmp, 'node-compile-cache')), "Node's compile cache is in the temporary folder")
    t.notOk(existsSync(cacheDirIn(tmp)), 'no folder of our own')
    return
  }
  // Caches of earlier builds (KEEP + 1 of them, oldest first) and a partial file left by a process that died writing one.
  mkdirSync(cacheDirIn(tmp), { mode: 0o700 })
  const old = Array.from({ length: KEEP + 1 }, (_, i) => `${String(i).padStart(40, '0')}.bin`)
  old.forEach((name, i) => { writeFileSync(join(cacheDirIn(tmp), name), 'old'); utimesSync(join(cacheDirIn(tmp), name), 1000 + i, 1000 + i) })
  writeFileSync(join(cacheDirIn(tmp), `${old[0]}.12345`), 'partial')
  utimesSync(join(cacheDirIn(tmp), `${old[0]}.12345`), 1000, 1000)

  const first = await start(tmp)
  t.equal(verdict(first), 'none', 'no cache at first')
  t.equal(await identify(first.url, 'first@example.com'), 201)
  await until(() => first.stderr().includes(': written'), 'the first run wrote its cache')
  await first.stop()
  const files = cacheFiles(tmp)
  t.equal(files.length, KEEP, `the ${KEEP} newest caches are kept`)
  t.strictSame(files.filter(f => old.includes(f)).sort(), old.slice(-(KEEP - 1)), 'the newest of the old ones stay')
  t.notOk(readdirSync(cacheDirIn(tmp)).some(f => f.endsWith('.12345')), 'the partial file is gone')
  const file = join(cacheDirIn(tmp), files.find(f => !old.includes(f))!)
  t.ok(readFileSync(file).length > 100_000, 'the new one has compiled code in it')

  const second = await start(tmp)
  t.equal(verdict(second), 'used', 'the second start uses it')
  t.equal(await identify(second.url, 'second@example.com'), 201, 'and serves from it')
  await second.stop()

  const garbage = Buffer.alloc(4096, 7)
  writeFileSync(file, garbage)
  const third = await start(tmp)
  t.equal(verdict(third), 'rejected', 'V8 rejects a damaged cache')
  t.equal(await identify(third.url, 'third@example.com'), 201, 'and the emulator compiles and serves as without one')
  await until(() => third.stderr().includes(': written'), 'the rejected cache was replaced')
  await third.stop()
  t.notSame(readFileSync(file), garbage, 'with compiled code again')
})

t.test('a cache folder other users can write to is never read', async t => {
  if (uid === undefined) { t.pass('no user ids on this platform'); return }
  const tmp = mkdtempSync(join(tmpdir(), 'qm-code-cache-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  mkdirSync(cacheDirIn(tmp))
  chmodSync(cacheDirIn(tmp), 0o777)
  // Planted where the Node 20 bin would look: it must not even be read (V8 would say 'rejected').
  const source = readFileSync(join(ROOT, 'dist', 'quiltt-mock.cjs'), 'utf8')
  const key = createHash('sha1').update(source).update(`${process.version} ${process.arch}`).digest('hex')
  writeFileSync(join(cacheDirIn(tmp), `${key}.bin`), Buffer.alloc(4096, 7))
  const server = await start(tmp)
  if (nodeKeepsIt) t.match(server.stderr(), /^(?![^]*code cache)/, 'Node keeps its own: the folder is not even looked at')
  else t.match(verdict(server), /^not used/, 'the folder is not used')
  t.equal((await fetch(`${server.url}/emulator/v1/health`)).status, 200, 'the emulator still starts')
  await server.stop()
})
