import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../server/paths.js'
import { parseVerifyArgs, runVerify, verifyPacts } from '../server/verify.js'
import { assertBuilt, BIN } from './built.js'
import { build, DEFAULT } from './helper.js'

assertBuilt()

const EXAMPLES = join(ROOT, 'contracts', 'examples')
// The CLI runs as a user runs it: outside tap's coverage and process tracking.
const { NODE_V8_COVERAGE: _coverage, NODE_OPTIONS: _options, ...userEnv } = process.env
const ENV = { ...userEnv, PACT_DO_NOT_TRACK: 'true', NO_COLOR: '1' }
// eslint-disable-next-line no-control-regex
const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '')

/** `quiltt-mock verify ...` as a user runs it: the built bin, which runs the bundled CLI. */
function cli (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'verify', ...args], { cwd: ROOT, env: ENV })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => { stdout += d })
    child.stderr.on('data', d => { stderr += d })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout: plain(stdout), stderr: plain(stderr) }))
  })
}

/** runVerify in this process, with what it writes captured. */
async function run (args: string[], env: NodeJS.ProcessEnv = {}, options: { reachableWithinMs?: number } = {}): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await runVerify(args, { out: s => { out += s }, err: s => { err += s } }, env, options)
  return { code, out, err }
}

/** A port that was free a moment ago. */
async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise(resolve => probe.close(resolve))
  return port
}

/** A pact a user might write, with one interaction. */
function pact (interaction: Record<string, unknown>, version = '3.0.0'): string {
  return JSON.stringify({ consumer: { name: 'my-app' }, provider: { name: 'quiltt' }, interactions: [interaction], metadata: { pactSpecification: { version } } })
}

const newUserSession = (status: number) => ({
  description: `a new user's session answers ${status}`,
  request: { method: 'POST', path: '/v1/users/sessions', headers: { Authorization: `Bearer ${DEFAULT.secret}`, 'Content-Type': 'application/json' }, body: {} },
  response: { status }
})

t.test('hand-written v3 and v4 pacts with the default fixture\'s literal credentials verify; the report is printed', async t => {
  const res = await cli([EXAMPLES])
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /Verifying a pact between my-app and quiltt/)
  t.match(res.stdout, /my app checks the session it holds[\s\S]*Given a session exists[\s\S]*has status code 200 \(OK\)/)
  t.match(res.stdout, /my backend cannot issue sessions once a profile hits the limit[\s\S]*has status code 429 \(OK\)/)
  t.notMatch(res.stdout, /FAILED/)
  t.match(res.stdout, /every interaction passed/)
})

t.test('a deliberately wrong interaction (200 where the emulator gives 201) fails verification', async t => {
  const dir = t.testdir({ 'wrong.json': pact(newUserSession(200)) })
  const res = await cli([join(dir, 'wrong.json')])
  t.equal(res.code, 1)
  t.match(res.stdout, /has status code 200 \(FAILED\)/)
  t.match(res.stdout, /expected 200 but was 201/)
  t.match(res.stderr, /quiltt-mock verify: 1 interaction failed/)

  // The same through the function the provider test uses: it rejects, naming the mismatch.
  const { app } = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  await t.rejects(verifyPacts(base, [join(dir, 'wrong.json')]), /expected 200 but was 201/)
  // And the right expectation passes against the same emulator.
  writeFileSync(join(dir, 'right.json'), pact(newUserSession(201)))
  t.equal((await verifyPacts(base, [join(dir, 'right.json')])).result, true)
})

t.test('--base-url verifies a running emulator and uses its provider states', async t => {
  const { app } = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await run(['--base-url', base, join(EXAMPLES, 'my-app-v4.json')])
  t.equal(res.code, 0, res.err)
  t.match(res.out, new RegExp(`against ${base}`))
  // The teardown after the last interaction left the running emulator at its fixtures.
  const profiles = await app.inject({ url: '/v1/profiles', headers: { authorization: `Bearer ${DEFAULT.secret}` } })
  t.strictSame(profiles.json(), [])
})

t.test('--base-url waits for an emulator that is still starting (started in the background on the line before)', async t => {
  // The emulator takes the port only after verify has been refused at least once.
  const port = await freePort()
  const { app } = await build(t)
  const verifying = run(['--base-url', `http://127.0.0.1:${port}`, join(EXAMPLES, 'my-app-v4.json')])
  await new Promise(resolve => setTimeout(resolve, 400))
  await app.listen({ port, host: '127.0.0.1' })
  const res = await verifying
  t.equal(res.code, 0, res.err)
  t.match(res.out, 'every interaction passed')
})

t.test('wrong input is a clear message and exit code 2, before any verification', async t => {
  const dir = t.testdir({
    'broken.json': '{"consumer": {"name": "my-app"}, "interactions": [',
    'not-a-pact.json': '{"hello": "world"}',
    'orders.json': pact({ description: 'list orders', request: { method: 'GET', path: '/api/orders/42' }, response: { status: 200 } }),
    'wrong-method.json': pact({ description: 'patch a session', request: { method: 'PATCH', path: '/v1/users/session' }, response: { status: 200 } }),
    empty: {}
  })
  const cases: Array<[string[], RegExp]> = [
    [[join(dir, 'missing.json')], /No such pact file or folder: .*missing\.json/],
    [[join(dir, 'broken.json')], /broken\.json is not valid JSON/],
    [[join(dir, 'not-a-pact.json')], /not-a-pact\.json is not a pact: it has no "interactions" array/],
    [[join(dir, 'orders.json')], /orders\.json is not a pact for Quiltt's API:\n {2}- interaction "list orders" requests GET \/api\/orders\/42, which is not a path of Quiltt's API\nquiltt-mock serves: .*POST \/v1\/users\/sessions/],
    [[join(dir, 'wrong-method.json')], /interaction "patch a session" requests PATCH \/v1\/users\/session; that path takes GET, PUT, POST, DELETE/],
    [[join(dir, 'empty')], /The folder .*empty holds no pact files/],
    [[], /Name at least one pact file, folder or URL, or a Pact Broker with --broker-url/],
    [['--nope', 'x.json'], /Unknown option "--nope"/],
    [['--publish', '--broker-url', 'https://broker.example', 'x.json'], /--publish needs --provider-version/],
    [['--log-level', 'loud', 'x.json'], /--log-level must be one of/],
    [['--consumer-version-selectors', '{"mainBranch":true}', '--broker-url', 'https://broker.example'], /--consumer-version-selectors must be a JSON array/],
    [['--base-url', 'http://127.0.0.1:1', join(EXAMPLES, 'my-app-v3.json')], /Cannot reach quiltt-mock at http:\/\/127\.0\.0\.1:1 \(bad port\)\. Is it running\?/],
    [['--base-url', `http://127.0.0.1:${await freePort()}`, join(EXAMPLES, 'my-app-v3.json')], /Cannot reach quiltt-mock at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+, for 0 s\)\. Is it running\?/]
  ]
  for (const [args, message] of cases) {
    const res = await run(args, {}, { reachableWithinMs: 200 })
    t.equal(res.code, 2, `exit 2 for ${args.join(' ') || '(no arguments)'}`)
    t.match(res.err, message)
  }
})

t.test('broker options are passed through, from flags or the Pact environment variables', async t => {
  const options = parseVerifyArgs([
    '--broker-url', 'https://broker.example', '--provider', 'quiltt-auth', '--provider-version', '1.2.3',
    '--provider-branch', 'main', '--publish', '--enable-pending', '--consumer-version-selectors', '[{"mainBranch":true}]'
  ], { PACT_BROKER_TOKEN: 'tok' })
  t.strictSame(options, {
    sources: [],
    brokerToken: 'tok',
    brokerUrl: 'https://broker.example',
    provider: 'quiltt-auth',
    providerVersion: '1.2.3',
    providerBranch: 'main',
    publish: true,
    enablePending: true,
    consumerVersionSelectors: [{ mainBranch: true }]
  })
  t.equal(parseVerifyArgs(['x.json'], { PACT_BROKER_BASE_URL: 'https://env.example' }).brokerUrl, 'https://env.example')
  t.equal(parseVerifyArgs(['--broker-url=https://flag.example', 'x.json'], { PACT_BROKER_BASE_URL: 'https://env.example' }).brokerUrl, 'https://flag.example')
})

t.test('--help lists the options', async t => {
  const res = await run(['--help'])
  t.equal(res.code, 0)
  for (const flag of ['--base-url', '--broker-url', '--provider-version', '--publish']) t.match(res.out, flag)
})
