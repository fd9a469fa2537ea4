import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../../server/paths.js'
import { parseVerifyArgs, runVerify, verifyPacts } from '../../server/cli/verify.js'
import { assertBuilt, BIN } from '../built.js'
import { build, DEFAULT } from '../helper.js'

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
type Ran = { code: number, out: string, err: string }
async function run (args: string[], env: NodeJS.ProcessEnv = {}, options: { reachableWithinMs?: number } = {}): Promise<Ran> {
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
  // Then the static check against Quiltt's document: the 429 is Quiltt-undocumented, nothing conflicts.
  t.match(res.stdout, /Quiltt contract check against quiltt-openapi-2026-04-01\.json \(Quiltt API version 2026-04-01\)/)
  t.match(res.stdout, /"my backend cannot issue sessions once a profile hits the limit" \(POST \/v1\/users\/sessions -> 429, given the session limit is reached\)\n {4}undocumented at response\.status \$/)
  t.match(res.stdout, /Quiltt contract check: 0 conflicts, 1 undocumented, 0 undecided in 10 checked interactions \(1 not checked: operations Quiltt's document does not describe\)/)
  t.match(res.stdout, /Verifying a pact between my-backend and quiltt[\s\S]*a session for an existing profile by its p_ id[\s\S]*has status code 201 \(OK\)/,
    'a pact written from Quiltt\'s current docs (^p_ on userId) passes by default')
})

t.test('a pact written from the seed\'s legacy guide fails against Quiltt\'s current shape and passes with --session-format legacy', async t => {
  const legacy = join(EXAMPLES, 'legacy', 'seed-guide-v3.json')
  const current = await run([legacy])
  t.equal(current.code, 1, 'the seed guide\'s {id, expiration, userId (UUID), token} is not what Quiltt answers today')
  t.match(current.err, /2 interactions failed/)
  const old = await run(['--session-format', 'legacy', legacy])
  t.match(old.out, /every interaction passed/, 'the replay passes against environments in the legacy format')
  t.equal(old.code, 1, 'and the check against Quiltt\'s document still fails the run')
  t.match(old.out, /conflict at response\.body \$\.id/, 'naming the legacy id')
  const accepted = await run(['--session-format', 'legacy', '--no-quiltt-check', legacy])
  t.equal(accepted.code, 0, accepted.err)
  const wrong = await run(['--session-format', 'v1', legacy])
  t.equal(wrong.code, 2)
  t.match(wrong.err, /--session-format must be current or legacy/)
  const running = await run(['--session-format', 'legacy', '--base-url', 'http://127.0.0.1:9', legacy])
  t.equal(running.code, 2)
  t.match(running.err, /--session-format applies to the in-memory emulator/)
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

t.test('the Quiltt contract check runs after the replay: a conflict fails the run though every interaction passed; --report writes the findings; --no-quiltt-check skips the check', async t => {
  const { app } = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  // An answer Quiltt's document rules out (apiVersion as a number), shaped with a fault as a user
  // could shape one, and a pact that relies on it; plus a 429, which Quiltt does not document.
  const shaped = { id: DEFAULT.apiKeyId, name: 'Sandbox API Key', apiVersion: 20260401, environment: { id: DEFAULT.environmentId, name: 'Sandbox', mode: 'SANDBOX' } }
  const shapeTheAnswer = async () => {
    const res = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'POST', path: '/v1/introspect/api_key', status: 200, body: shaped } })
    t.equal(res.statusCode, 201, 'fault set')
  }
  const uuid = '22222222-2222-2222-2222-222222222222'
  const dir = t.testdir({
    'shaped.json': JSON.stringify({
      consumer: { name: 'my-app' },
      provider: { name: 'quiltt' },
      metadata: { pactSpecification: { version: '3.0.0' } },
      interactions: [
        { description: 'my backend reads its API key', request: { method: 'POST', path: '/v1/introspect/api_key', headers: { Authorization: `Bearer ${DEFAULT.secret}` } }, response: { status: 200, body: shaped } },
        { ...newUserSession(429), description: 'my backend is rate limited', providerStates: [{ name: 'the session limit is reached', params: { uuid } }], request: { ...newUserSession(429).request, body: { userId: uuid } } }
      ]
    })
  })
  const report = join(dir, 'out', 'ci', 'report.json') // a folder that is not there yet: verify makes it
  await shapeTheAnswer()
  const res = await run(['--base-url', base, '--report', report, join(dir, 'shaped.json')])
  t.equal(res.code, 1, 'a conflict fails the run')
  t.match(res.out, /quiltt-mock verify: every interaction passed/, 'though the replay passed')
  t.match(res.out, /"my backend reads its API key" \(POST \/v1\/introspect\/api_key -> 200\)\n {4}conflict at response\.body \$\.apiVersion\n {6}pact expects: {6}the number 20260401\n {6}Quiltt's document: APIKey\.apiVersion is a string/)
  t.match(res.out, /"my backend is rate limited" \(POST \/v1\/users\/sessions -> 429, given the session limit is reached\)\n {4}undocumented at response\.status \$/)
  t.match(res.out, /Quiltt contract check: 1 conflict, 1 undocumented, 0 undecided in 2 checked interactions, against quiltt-openapi-2026-04-01\.json \(Quiltt API version 2026-04-01\)\n/)
  t.match(res.err, /1 conflict with Quiltt's published contract/)
  const written = JSON.parse(readFileSync(report, 'utf8'))
  t.match(written, {
    document: { source: 'quiltt-openapi-2026-04-01.json', apiVersion: '2026-04-01', sourceSha256: /^[0-9a-f]{64}$/ },
    replay: { passed: true, failedInteractions: 0 },
    summary: { pacts: 1, interactions: 2, checked: 2, conflicts: 1, undocumented: 1, undecided: 0 },
    pacts: [{
      source: /shaped\.json$/,
      consumer: 'my-app',
      interactions: [
        { description: 'my backend reads its API key', operation: 'POST /v1/introspect/api_key', findings: [{ kind: 'conflict', at: 'response.body', path: '$.apiVersion', expected: 'the number 20260401', documented: 'APIKey.apiVersion is a string' }] },
        { description: 'my backend is rate limited', status: 429, findings: [{ kind: 'undocumented', at: 'response.status', expected: 'status 429' }] }
      ]
    }]
  })

  await shapeTheAnswer()
  const skipped = await run(['--base-url', base, '--no-quiltt-check', join(dir, 'shaped.json')])
  t.equal(skipped.code, 0, '--no-quiltt-check: the replay alone decides')
  t.notMatch(skipped.out, /Quiltt contract check/)
})

t.test('GraphQL interactions are checked against Quiltt\'s GraphQL schema: a key the query does not select fails the run, in the same report', async t => {
  const { app } = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  // The answer the pact relies on has `type`, which the query does not select (and 2026-04-01 removed):
  // shaped with a fault, so that the replay passes and only the check can tell.
  const shaped = [{ data: { accounts: [{ id: 'acct_1', name: 'Checking', type: 'DEPOSITORY' }] } }]
  const res0 = await app.inject({ method: 'POST', url: '/emulator/v1/faults', payload: { method: 'POST', path: '/v1/graphql', status: 200, body: shaped } })
  t.equal(res0.statusCode, 201, 'fault set')
  const dir = t.testdir({
    'dashboard.json': pact({
      description: 'my dashboard lists the accounts',
      request: { method: 'POST', path: '/v1/graphql', headers: { Authorization: 'Bearer a.b.c', 'Content-Type': 'application/json' }, body: [{ query: '{ accounts { id name } }', variables: {} }] },
      response: { status: 200, body: shaped }
    })
  })
  const report = join(dir, 'report.json')
  const res = await run(['--base-url', base, '--report', report, join(dir, 'dashboard.json')])
  t.equal(res.code, 1, 'a conflict fails the run')
  t.match(res.out, /quiltt-mock verify: every interaction passed/, 'though the replay passed')
  t.match(res.out, /"my dashboard lists the accounts" \(POST \/v1\/graphql -> 200\)\n {4}conflict at response\.body \$\[0\]\.data\.accounts\[0\]\.type\n {6}pact expects: {6}a field `type`\n {6}Quiltt's document: Account has no field `type` in Quiltt's GraphQL schema, and the query does not select it \(it selects id, name\)/)
  t.match(res.out, /Quiltt contract check: 1 conflict, 0 undocumented, 0 undecided in 1 checked interaction, against quiltt-openapi-2026-04-01\.json \(Quiltt API version 2026-04-01\) and [\w.-]+\.graphql \(Quiltt API version 2026-04-01\)\n/)
  t.match(JSON.parse(readFileSync(report, 'utf8')), {
    graphqlDocument: { apiVersion: '2026-04-01', sourceSha256: /^[0-9a-f]{64}$/ },
    summary: { conflicts: 1 },
    pacts: [{ interactions: [{ operation: 'POST /v1/graphql (batch: query)', findings: [{ kind: 'conflict', at: 'response.body', path: '$[0].data.accounts[0].type' }] }] }]
  })
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
    [['--base-url', `http://127.0.0.1:${await freePort()}`, join(EXAMPLES, 'my-app-v3.json')], /Cannot reach quiltt-mock at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+, for 0 s\)\. Is it running\?/],
    [['--report', join(dir, 'broken.json', 'report.json'), join(EXAMPLES, 'my-app-v3.json')], /--report .*broken\.json.*report\.json cannot be written/],
    [['--report', dir, join(EXAMPLES, 'my-app-v3.json')], /--report .* is a folder; name a file/],
    [['--report', join(dir, 'report.json'), '--no-quiltt-check', join(EXAMPLES, 'my-app-v3.json')], /--report writes the Quiltt contract check's findings: it cannot go with --no-quiltt-check/]
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
  for (const flag of ['--base-url', '--broker-url', '--provider-version', '--publish', '--report', '--no-quiltt-check']) t.match(res.out, flag)
})

t.test('verify reads its flags with node:util parseArgs, as the serving command does', async t => {
  t.strictSame(parseVerifyArgs(['a.json', '--provider', 'p', 'b.json', '--enable-pending']).sources, ['a.json', 'b.json'])
  t.throws(() => parseVerifyArgs(['--publish=yes', 'a.json']), { message: '--publish takes no value' })
  t.throws(() => parseVerifyArgs(['--provider=', 'a.json']), { message: '--provider needs a value' })
  t.throws(() => parseVerifyArgs(['a.json', '--provider']), { message: '--provider needs a value' })
  t.throws(() => parseVerifyArgs(['--nope', 'a.json']), { message: 'Unknown option "--nope". Run quiltt-mock verify --help for the list.' })
})

t.test('--base-url against an emulator a developer uses: settings made before the run hold for every interaction, and the developer\'s profiles survive', async t => {
  const { app } = await build(t, { validateAgainstQuiltt: undefined })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const legacy = join(EXAMPLES, 'legacy', 'seed-guide-v3.json')
  // As contracts/README says for --base-url: the format set by PATCH, not by fixtures.
  const patched = await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { sessionFormat: 'legacy' } })
  t.equal(patched.statusCode, 200)
  const mine = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}` }, payload: { uuid: '33333333-3333-3333-3333-333333333333', email: 'dev@example.com' } })
  t.equal(mine.statusCode, 201)
  for (const round of [1, 2]) {
    const res = await run(['--base-url', base, '--no-quiltt-check', legacy])
    t.equal(res.code, 0, `run ${round}: ${res.err}`)
    const env = (await app.inject({ url: '/emulator/v1/environments' })).json().environments[0]
    t.equal(env.sessionFormat, 'legacy', `run ${round}: the PATCHed format holds`)
    const profiles = (await app.inject({ url: '/v1/profiles', headers: { authorization: `Bearer ${DEFAULT.secret}` } })).json() as Array<{ email: string }>
    t.strictSame(profiles.map(p => p.email), ['dev@example.com'], `run ${round}: the developer's profile is there, nothing else`)
    const ping = await app.inject({ url: '/v1/users/session', headers: { authorization: `Bearer ${mine.json().token}` } })
    t.equal(ping.statusCode, 200, `run ${round}: the developer's session still works`)
  }
})

t.test('--admin-token and QUILTT_MOCK_ADMIN_TOKEN reach the provider states of an emulator started with --admin-token; without it, exit 2 saying so', async t => {
  const { app } = await build(t, { adminToken: 'admin-secret-1234' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const v4 = join(EXAMPLES, 'my-app-v4.json')
  const without = await run(['--base-url', base, v4])
  t.equal(without.code, 2)
  t.match(without.err, /was started with --admin-token: pass the same token with --admin-token or QUILTT_MOCK_ADMIN_TOKEN/)
  const wrong = await run(['--base-url', base, '--admin-token', 'nope-nope', v4])
  t.equal(wrong.code, 2)
  t.match(wrong.err, /refused the admin token/)
  const flag = await run(['--base-url', base, '--admin-token', 'admin-secret-1234', v4])
  t.equal(flag.code, 0, flag.err)
  t.match(flag.out, /every interaction passed/)
  const fromEnv = await run(['--base-url', base, v4], { QUILTT_MOCK_ADMIN_TOKEN: 'admin-secret-1234' })
  t.equal(fromEnv.code, 0, fromEnv.err)
})

t.test('a misspelt provider state or param is exit 2 before the replay, with the known ones and a "did you mean"', async t => {
  const given = (state: string, params: Record<string, unknown>) => ({
    description: 'a ping',
    providerStates: [{ name: state, params }],
    request: { method: 'GET', path: '/v1/users/session', headers: { Authorization: 'Bearer x' } },
    response: { status: 200 }
  })
  const dir = t.testdir({
    'state.json': pact(given('a sesion exists', { email: 'a@example.com' })),
    'param.json': pact(given('a session exists', { emial: 'a@example.com' })),
    'v2.json': JSON.stringify({ consumer: { name: 'a' }, provider: { name: 'quiltt' }, interactions: [{ description: 'old', providerState: 'signups are disabld', request: { method: 'GET', path: '/v1/users/session' }, response: { status: 200 } }] })
  })
  const state = await run([join(dir, 'state.json')])
  t.equal(state.code, 2)
  t.match(state.err, /interaction "a ping": unknown provider state "a sesion exists" \(did you mean "a session exists"\?\)/)
  t.match(state.err, /Known states: "a profile exists", .*"the session limit is reached"/)
  t.notMatch(state.out, /verifying/, 'nothing was replayed')
  const param = await run([join(dir, 'param.json')])
  t.equal(param.code, 2)
  t.match(param.err, /state "a session exists": unknown param "emial" \(did you mean "email"\?\); it takes environmentId, uuid, email/)
  const v2 = await run([join(dir, 'v2.json')])
  t.equal(v2.code, 2)
  t.match(v2.err, /unknown provider state "signups are disabld" \(did you mean "signups are disabled"\?\)/)
})
