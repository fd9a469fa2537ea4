// The built CLI as a user runs it: flags, the banner, logs, exit codes and signals (one file, so the
// processes it starts share one tap process: docs/performance.md).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, FLAGS, readConfig, usePrettyLogs } from '../../server/cli/config.js'
import { assertBuilt, BIN, run, startServer } from '../built.js'
import { ROOT } from '../../server/paths.js'
import { DEFAULT, PHONE } from '../helper.js'

assertBuilt()

t.test('--help lists every flag with its environment variable and default', async t => {
  const [res, short] = await Promise.all([run('node', [BIN, '--help']), run('node', [BIN, '-h'])])
  t.equal(res.code, 0)
  for (const f of FLAGS) {
    const at = res.stdout.indexOf(`${f.flag} <value>`)
    t.ok(at >= 0, `${f.flag} is listed`)
    const entry = res.stdout.slice(at, res.stdout.indexOf('\n', res.stdout.indexOf('\n', at) + 1))
    t.match(entry, f.help, `${f.flag} has its help`)
    t.match(entry, `env ${f.env}`, `${f.flag} names ${f.env}`)
    t.match(entry, `default ${f.shownDefault ?? (f.default === '' ? '(none)' : f.default)}`, `${f.flag} shows its default`)
  }
  for (const s of ['--port', 'PORT', '4000', '--host', 'HOST', '127.0.0.1', '--db', 'QUILTT_MOCK_DB', '--fixtures', 'QUILTT_MOCK_FIXTURES']) t.match(res.stdout, s)
  t.match(res.stdout, '--cors-origin')
  t.match(res.stdout, '--log-format')
  t.match(res.stdout, '--version')
  t.equal(short.stdout, res.stdout, '-h is --help')
})

t.test('a bad value exits 2 with one line that names the flag and the value, and no banner', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'qm-cli-fx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const badFixtures = join(dir, 'bad.json')
  writeFileSync(badFixtures, JSON.stringify({ environments: [{ authStrategy: 'fax' }] }))
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--port', 'abc'], {}, /--port must be a whole number from 0 to 65535, got "abc"/],
    [['--port', '70000'], {}, /--port must be a whole number/],
    [[], { PORT: 'eighty' }, /--port must be a whole number from 0 to 65535, got "eighty"/],
    [['--log-level', 'loud'], {}, /--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
    [['--log-format', 'fancy'], {}, /--log-format must be one of auto, pretty, json, got "fancy"/],
    [['--cors-origin', 'localhost:5173'], {}, /--cors-origin takes origins like http:\/\/localhost:5173 .*got "localhost:5173"/],
    [['--cors-origin', 'http://localhost:5173/app'], {}, /--cors-origin takes origins .*got "http:\/\/localhost:5173\/app"/],
    [[], { QUILTT_MOCK_CORS_ORIGIN: ' , ' }, /--cors-origin needs \* or at least one origin/],
    [['--frobnicate'], {}, /Unknown option "--frobnicate"\. Run quiltt-mock --help for the list\./],
    [['--port'], {}, /--port needs a value/],
    [['--db'], {}, /--db needs a value/]
  ]
  // Each message is readConfig's (in process); the CLI prints whichever it gets the same way, so a
  // flag, an environment variable and a fixture file are run as processes (each a process start and exit).
  for (const [args, env, message] of cases) {
    const what = [...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')
    const err = (() => { try { readConfig(args, env) } catch (e) { return e } })()
    t.ok(err instanceof ConfigError, `${what}: a usage error`)
    t.match((err as Error | undefined)?.message, message, `${what}: says why`)
  }
  const processes: Array<[string[], Record<string, string>, RegExp]> = [
    cases[0]!,
    cases[2]!,
    [['--fixtures', badFixtures, '--db', ':memory:'], {}, /^quiltt-mock: the fixtures are invalid:\n {2}environments\.0\.authStrategy: must be one of: email, phone/]
  ]
  const results = await Promise.all(processes.map(([args, env]) => run('node', [BIN, ...args], { env })))
  processes.forEach(([args, env, message], i) => {
    const res = results[i]!
    const what = [...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')
    t.equal(res.code, 2, `${what}: exit 2`)
    t.match(res.stderr, message, `${what}: says why`)
    t.match(res.stderr, /^quiltt-mock: /, `${what}: prefixed with the program name`)
    t.equal(res.stdout, '', `${what}: prints no banner`)
  })
})

t.test('a --fixtures value naming no readable fixture file exits 2 with a message naming the flag and the file', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-fixtures-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'bad.json'), '{"environments": [')
  writeFileSync(join(dir, 'bad.yaml'), 'environments: [\n')
  writeFileSync(join(dir, 'list.json'), '[]')
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--fixtures', 'nope.json'], {}, /^quiltt-mock: --fixtures "nope\.json" no such file \(\/.*\/nope\.json\); give a JSON or YAML fixture file, or email-and-phone for the bundled one\n$/],
    [[], { QUILTT_MOCK_FIXTURES: 'nope.json' }, /^quiltt-mock: --fixtures "nope\.json" no such file/],
    [['--fixtures', dir], {}, /^quiltt-mock: --fixtures ".*" is a folder, not a fixture file\n$/],
    [['--fixtures', join(dir, 'bad.json')], {}, /^quiltt-mock: --fixtures ".*bad\.json" is not valid JSON: /],
    [['--fixtures', join(dir, 'bad.yaml')], {}, /^quiltt-mock: --fixtures ".*bad\.yaml" is not valid YAML: /],
    [['--fixtures', join(dir, 'list.json')], {}, /^quiltt-mock: --fixtures ".*list\.json" must hold a fixture document: an object with "environments"\n$/]
  ]
  // Started together: each is a process start and exit, and most of that is waiting on the OS.
  const results = await Promise.all(cases.map(([args, env]) => run('node', [BIN, '--port', '0', '--db', ':memory:', ...args], { env, cwd: dir })))
  for (const [i, [args, env, message]] of cases.entries()) {
    const res = results[i]!
    const what = [...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')
    t.equal(res.code, 2, `${what}: exit 2, a usage error`)
    t.match(res.stderr, message, `${what}: names the flag and the file`)
    t.notMatch(res.stderr, /ENOENT|EISDIR|at .*\.js:\d+/, `${what}: no raw error or stack`)
    t.equal(res.stdout, '', `${what}: prints no banner`)
  }
  const verify = await run('node', [BIN, 'verify', '--fixtures', 'nope.json', join(ROOT, 'contracts', 'examples')], { cwd: dir })
  t.equal(verify.code, 2, 'verify --fixtures nope.json: exit 2')
  t.match(verify.stderr, /^quiltt-mock verify: --fixtures "nope\.json" no such file/)
})

t.test('the banner lists every environment of the fixtures, the phone one of email-and-phone too', async t => {
  const server = await startServer('node', [BIN, '--port', '0', '--db', ':memory:', '--fixtures', 'email-and-phone'])
  t.teardown(() => server.stop())
  const banner = server.output()
  t.match(banner, `clientId   ${DEFAULT.clientId}    (environment ${DEFAULT.environmentId}, email login)\n  secret     ${DEFAULT.secret}\n`)
  t.match(banner, `clientId   ${PHONE.clientId}    (environment ${PHONE.environmentId}, phone login)\n  secret     ${PHONE.secret}\n`)
  t.ok(banner.indexOf(DEFAULT.clientId) < banner.indexOf(PHONE.clientId), 'in the fixture\'s order')
  t.match(banner, '  webhooks   whsec_quilttmock_0000000000000000000000000000   (signs webhook deliveries: Quiltt-Signature)\n', 'the webhook secret, documented in docs/webhooks.md')
  t.equal((await server.stop()).code, 0)
})

t.test('with many environments the banner shows five and says where the rest are', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-fixtures-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'seven.json')
  writeFileSync(file, JSON.stringify({ environments: Array.from({ length: 7 }, (_, i) => ({ clientId: `client${i}` })) }))
  const server = await startServer('node', [BIN, '--port', '0', '--db', ':memory:', '--fixtures', file])
  t.teardown(() => server.stop())
  const banner = server.output()
  t.equal(banner.match(/^ {2}clientId {3}client\d/gm)?.length, 5)
  t.match(banner, `  ...        2 more environments: GET http://127.0.0.1:${server.port}/emulator/v1/environments\n`)
})

t.test('--port 0: the banner names the URL, inspector, docs, clientId and secret; logs are JSON lines off a terminal; SIGTERM closes cleanly', async t => {
  const server = await startServer('node', [BIN, '--port', '0', '--db', ':memory:'])
  t.teardown(() => server.stop())
  const banner = server.output()
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(server.port, 0, 'a free port was picked')
  t.match(banner, `listening on http://127.0.0.1:${server.port}`)
  t.match(banner.split('\n')[0], /^quiltt-mock \S+ listening on http:\/\/127\.0\.0\.1:\d+$/, 'the first line of stdout is the banner, so the first URL in it is the one to use')
  t.equal(/http:\/\/\S+/.exec(banner)?.[0], server.url, 'no log line with a URL before it')
  t.match(banner, `inspector  http://127.0.0.1:${server.port}/`)
  t.match(banner, `API docs   http://127.0.0.1:${server.port}/docs`)
  t.match(banner, `clientId   ${DEFAULT.clientId}`)
  t.match(banner, `secret     ${DEFAULT.secret}`)
  t.match(banner, `QUILTT_API_DOMAIN=localhost:${server.port} QUILTT_API_INSECURE=true`)

  t.equal((await fetch(`${server.url}/emulator/v1/health`)).status, 200)
  const page = await fetch(`${server.url}/`)
  t.equal(page.status, 200)
  t.match(await page.text(), '<title>quiltt-mock inspector</title>')
  const identify = await fetch(`${server.url}/v1/users/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: { clientId: DEFAULT.clientId, email: 'cli@example.com' } })
  })
  t.equal(identify.status, 201)

  const end = await server.stop()
  t.equal(end.code, 0, 'SIGTERM closes cleanly')
  const logLines = end.stdout.split('\n').filter(l => l.startsWith('{'))
  const logs = logLines.map(l => JSON.parse(l) as Record<string, unknown>)
  t.ok(logs.length >= 3, 'the logs are JSON lines')
  t.notOk(logs.some(l => /Server listening at/.test(String(l.msg))), "Fastify's own listening line is left out: the banner and the ready line say it")
  const ready = logs.find(l => l.msg === 'ready')
  t.equal(ready?.url, server.url, 'a "ready" line carries the URL for programs')
  const request = logs.find(l => /^POST \/v1\/users\/session 201 \(\d+\.\d ms\)$/.test(String(l.msg)))
  t.ok(request, 'one info line per Quiltt API request')
  t.match(request, { level: 30, method: 'POST', url: '/v1/users/session', statusCode: 201, responseTime: Number, reqId: String })
  t.notOk(logs.some(l => String(l.msg).startsWith('GET / ')), 'the inspector page load stays below info')
  t.notOk(logs.some(l => String(l.msg).startsWith('GET /emulator/v1/health ')), 'and so does the health check')
  t.notOk(logs.some(l => l.msg === 'incoming request'), 'no second line per request at info')
})

t.test('a file database is created where QUILTT_MOCK_DB says, and SIGINT closes it cleanly', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'qm-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer('node', [BIN, '--port=0', '--log-level=warn'], { env: { QUILTT_MOCK_DB: join(dir, 'sub', 'db.sqlite') } })
  t.ok(existsSync(join(dir, 'sub', 'db.sqlite')), 'QUILTT_MOCK_DB is honoured and its folder made')
  const exited = new Promise(resolve => server.child.once('exit', (code, signal) => resolve({ code, signal })))
  server.child.kill('SIGINT')
  t.strictSame(await exited, { code: 0, signal: null })
})

t.test('--log-format pretty prints human-readable lines', async t => {
  const server = await startServer('node', [BIN, '--port', '0', '--db', ':memory:', '--log-format', 'pretty'])
  await fetch(`${server.url}/v1/users/session`, { method: 'DELETE' })
  const end = await server.stop()
  t.equal(end.code, 0)
  t.notOk(end.stdout.split('\n').some(l => l.startsWith('{')), 'no JSON lines')
  t.match(end.stdout, /\[\d\d:\d\d:\d\d\] INFO: DELETE \/v1\/users\/session 401 \(\d+\.\d ms\)/)
})

t.test('auto log format: pretty on a terminal, JSON otherwise', async t => {
  t.equal(usePrettyLogs('auto', true), true)
  t.equal(usePrettyLogs('auto', false), false)
  t.equal(usePrettyLogs('pretty', false), true)
  t.equal(usePrettyLogs('json', true), false)
  // `script` gives the CLI a real pseudo-terminal, as a person's shell would; closing it (SIGTERM to
  // `script`) hangs up the terminal, which ends the CLI too.
  if (!existsSync('/usr/bin/script')) { t.comment('no /usr/bin/script (util-linux): the pseudo-terminal half of this test cannot run'); return }
  const child = spawn('/usr/bin/script', ['-qec', `exec node ${BIN} --port 0 --db :memory:`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const output = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no start-up on the terminal: ${out}`)) }, 20_000)
    child.stdout.on('data', d => {
      out += String(d)
      if (/listening on http/.test(out) && /Server listening at/.test(out)) { clearTimeout(timer); child.kill('SIGTERM'); resolve(out) }
    })
  })
  await new Promise(resolve => child.once('close', resolve))
  t.match(output, /\[\d\d:\d\d:\d\d\] .*INFO.*Server listening at/, 'pretty on a terminal')
  t.notMatch(output, /"level":/, 'no JSON on a terminal')
})

t.test('readConfig: flags win over the environment; origins are normalised', async t => {
  const c = readConfig(['--cors-origin', 'http://localhost:5173/, https://app.example.com'], { QUILTT_MOCK_CORS_ORIGIN: '*', PORT: '5000' })
  t.strictSame(c.corsOrigins, ['http://localhost:5173', 'https://app.example.com'])
  t.equal(c.port, 5000)
  t.strictSame(readConfig([], {}).corsOrigins, ['*'])
  t.equal(readConfig([], {}).logFormat, 'auto')
  t.equal(readConfig(['--log-format=json'], { QUILTT_MOCK_LOG_FORMAT: 'pretty' }).logFormat, 'json')
})

t.test('flags are read with node:util parseArgs: the last one wins, and every mistake is named', async t => {
  t.equal(readConfig(['--port', '5000', '--port=5001'], {}).port, 5001)
  t.equal(readConfig(['--journal-size=-1', '--journal-size', '3'], {}).journalSize, 3)
  t.throws(() => readConfig(['--journal-size', '-1'], {}), { message: '--journal-size needs a value; one that starts with a dash is written --journal-size=<value>' })
  t.throws(() => readConfig(['4000'], {}), { message: 'Unexpected argument "4000": quiltt-mock takes options only. Run quiltt-mock --help for the list.' })
  t.throws(() => readConfig(['-p', '4000'], {}), { message: 'Unknown option "-p". Run quiltt-mock --help for the list.' })
  t.throws(() => readConfig(['--port'], {}), { message: '--port needs a value' })
})

t.test('beyond loopback with --admin-token, the published default credentials are still named, with how to replace them', async t => {
  const server = await startServer('node', [BIN, '--port', '0', '--host', '0.0.0.0', '--db', ':memory:', '--admin-token', 'admin-secret-1234'])
  await new Promise(resolve => setTimeout(resolve, 300))
  const { stderr } = await server.stop()
  t.notMatch(stderr, /without --admin-token/)
  t.match(stderr, new RegExp(`WARNING: listening on 0\\.0\\.0\\.0 with published credentials: clientId ${DEFAULT.clientId} \\(App Secret ${DEFAULT.secret}, signing secret ss_sandbox_quilttmock_0+\\)`))
  t.match(stderr, /start with --fixtures <your file>, giving each environment its own apiKey\.secret and signingSecret/)
  // Your own credentials: nothing to warn about.
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-own-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'own.json')
  writeFileSync(file, JSON.stringify({ environments: [{ name: 'Own' }] }))
  const own = await startServer('node', [BIN, '--port', '0', '--host', '0.0.0.0', '--db', ':memory:', '--admin-token', 'admin-secret-1234', '--fixtures', file])
  await new Promise(resolve => setTimeout(resolve, 300))
  t.notMatch((await own.stop()).stderr, /WARNING/)
})
