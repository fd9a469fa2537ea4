import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../server/paths.js'

const BIN = join(ROOT, 'bin', 'quiltt-mock.cjs')
const BAD_FIXTURES = join(mkdtempSync(join(tmpdir(), 'qm-cli-fx-')), 'bad.json')
writeFileSync(BAD_FIXTURES, JSON.stringify({ environments: [{ authStrategy: 'fax' }] }))

/** Starts the built CLI and resolves with the URL it prints. */
function start (args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.on('exit', code => reject(new Error(`exited ${code}: ${out}`)))
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return { child, url, exited, output: () => out }
}

t.test('--port 0 picks a free port and prints the URL; SIGTERM closes cleanly', async t => {
  const { child, url, exited, output } = start(['--port', '0', '--db', ':memory:', '--log-level', 'warn'])
  const base = await url
  t.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(base, 'http://127.0.0.1:0')
  const health = await fetch(`${base}/emulator/v1/health`)
  t.equal(health.status, 200)
  t.match(output(), /clientId\s+quilttmock/, 'the banner shows the default clientId')
  t.match(output(), /sk_sandbox_quilttmock_/, 'and the secret')
  child.kill('SIGTERM')
  t.equal(await exited, 0)
})

t.test('a file database is created, and SIGINT closes it cleanly', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'qm-cli-'))
  const { child, url, exited } = start(['--port=0', '--log-level=warn'], { QUILTT_MOCK_DB: join(dir, 'sub', 'db.sqlite') })
  await url
  t.ok(existsSync(join(dir, 'sub', 'db.sqlite')), 'QUILTT_MOCK_DB is honoured and its folder made')
  child.kill('SIGINT')
  t.equal(await exited, 0)
})

t.test('bad flags and values exit non-zero with a clear message', async t => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--port', 'abc'], {}, /--port must be a whole number/],
    [['--port', '70000'], {}, /--port must be a whole number/],
    [['--bogus'], {}, /Unknown option "--bogus"/],
    [['--db'], {}, /--db needs a value/],
    [[], { PORT: 'x' }, /--port must be a whole number/],
    [['--log-level', 'loud'], {}, /--log-level must be one of/],
    [['--fixtures', '/nonexistent/f.json', '--db', ':memory:'], {}, /no such file/i],
    [['--fixtures', BAD_FIXTURES, '--db', ':memory:'], {}, /fixtures are invalid:\n {2}environments\.0\.authStrategy: must be one of: email, phone/]
  ]
  for (const [args, env, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })
    t.not(r.status, 0, args.join(' ') || JSON.stringify(env))
    t.match(r.stderr, message, args.join(' ') || JSON.stringify(env))
  }
})

t.test('--help lists the flags with their environment variables and defaults', async t => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' })
  t.equal(r.status, 0)
  for (const s of ['--port', 'PORT', '4000', '--host', 'HOST', '127.0.0.1', '--db', 'QUILTT_MOCK_DB', '--fixtures', 'QUILTT_MOCK_FIXTURES']) t.match(r.stdout, s)
})
