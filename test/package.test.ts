// quiltt-mock as npm hands it over: the packed files, an install outside this folder, `npm start`
// and its prestart build (one file, so the processes it starts share one tap process: docs/performance.md).
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { ROOT } from '../server/paths.js'
import { assertBuilt, BIN, run, startServer } from './built.js'
import { DEFAULT } from './helper.js'

assertBuilt()

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const QUILTT_FACTS = 'test/quiltt/quiltt-openapi-2026-04-01.facts.json'

const { staleBecause } = createRequire(import.meta.url)('../scripts/build-if-stale.cjs') as {
  staleBecause: (root: string, output?: string, sources?: string[]) => string | undefined
}

// The real tarball, packed once for the tests below.
const packed = (async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-install-'))
  const res = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir])
  const [entry] = res.code === 0 ? JSON.parse(res.stdout) as Array<{ filename: string, files: Array<{ path: string }> }> : []
  return { dir, res, tarball: entry ? join(dir, entry.filename) : '', files: entry?.files.map(f => f.path) ?? [] }
})()
t.teardown(async () => { rmSync((await packed).dir, { recursive: true, force: true }) })

t.test('the published files hold everything the bin, the exports and the inspector need, and no sources or tests', async t => {
  const { res, files } = await packed
  t.equal(res.code, 0, 'npm pack', { stderr: res.stderr })
  for (const f of ['bin/quiltt-mock.cjs', 'dist/quiltt-mock.cjs', 'dist/server/index.js', 'dist/server/index.d.ts', 'dist/server/drop-in/register.js',
    'dist/server/drop-in/next-loader.js', 'dist/server/drop-in/playwright.js', 'dist/server/drop-in/playwright.d.ts', 'connector/connector.js', 'connector/index.html', 'inspector/index.html', 'openapi.yaml', 'schema.graphql', 'fixtures/default.json', 'fixtures/email-and-phone.json', 'package.json', QUILTT_FACTS]) {
    t.ok(files.includes(f), `${f} is published`)
  }
  // The facts-only copy of Quiltt's document is data the Quiltt contract check reads at run time.
  t.notOk(files.some(f => (f.startsWith('test/') && f !== QUILTT_FACTS) || f.startsWith('server/') || f.startsWith('scripts/')), 'no sources, tests or scripts')
})

t.test('installed as a package (outside this folder): the bin, the register preload and startEmulator all work', async t => {
  const { dir, res, tarball } = await packed
  t.equal(res.code, 0, 'npm pack', { stderr: res.stderr })
  // The tarball, unpacked where npm would put it; its dependencies are linked from this checkout, so no registry is needed.
  const modules = join(dir, 'node_modules')
  const installed = join(modules, 'quiltt-mock')
  mkdirSync(installed, { recursive: true })
  t.equal((await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])).code, 0, 'tarball unpacked')
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'quiltt-mock' || name.startsWith('.')) continue
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name))
  }
  mkdirSync(join(modules, '.bin'))
  symlinkSync('../quiltt-mock/bin/quiltt-mock.cjs', join(modules, '.bin', 'quiltt-mock'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }))

  const help = await run(NPM, ['exec', '--offline', '--no', '--', 'quiltt-mock', '--help'], { cwd: dir })
  t.equal(help.code, 0, 'npx quiltt-mock --help', { stderr: help.stderr })
  t.match(help.stdout, 'Usage: quiltt-mock [options]')

  // What npx runs: the bin link, through its shebang. (Started directly: `npm exec` does not pass SIGTERM on.)
  const server = await startServer(join(modules, '.bin', 'quiltt-mock'), ['--port', '0', '--db', ':memory:'], { cwd: dir })
  t.teardown(() => server.stop())
  t.match(server.output(), `clientId   ${DEFAULT.clientId}`, 'bundled fixtures found from the installed package')
  const page = await fetch(`${server.url}/`)
  t.equal(page.status, 200)
  t.match(await page.text(), 'quiltt-mock inspector', 'the inspector file ships')
  const bundle = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`)
  t.equal(bundle.status, 200, 'docs assets ship with the dependencies')
  t.ok((await bundle.text()).length > 100_000)
  // The bundled fixtures by name, from a folder that has none of its own.
  const phone = await startServer(join(modules, '.bin', 'quiltt-mock'), ['--port', '0', '--db', ':memory:', '--fixtures', 'email-and-phone'], { cwd: dir })
  t.teardown(() => phone.stop())
  const envs = await (await fetch(`${phone.url}/emulator/v1/environments`)).json() as { environments: Array<{ clientId: string }> }
  t.strictSame(envs.environments.map(e => e.clientId), [DEFAULT.clientId, 'quilttsms1'], '--fixtures email-and-phone from any folder')
  const spec = await fetch(`${server.url}/docs/json`)
  t.equal(((await spec.json()) as { paths: Record<string, unknown> }).paths['/'] !== undefined, true, 'openapi.yaml ships')
  const graphql = await fetch(`${server.url}/v1/graphql`, { method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' }, body: '{"query":"{ __type(name: \\"Profile\\") { name } }"}' })
  t.strictSame(await graphql.json(), { data: { __type: { name: 'Profile' } } }, 'schema.graphql ships, and the bundled CLI serves it')

  const script = `
    import dns from 'node:dns/promises'
    import { checkPactAgainstQuiltt, startEmulator } from 'quiltt-mock'
    const emulator = await startEmulator()
    const res = await fetch(emulator.url + '/emulator/v1/health')
    const looked = await dns.lookup('auth.localhost')
    const both = await startEmulator({ fixtures: 'email-and-phone' })
    const file = (await import('node:fs')).existsSync(new URL(import.meta.resolve('quiltt-mock/fixtures/email-and-phone.json')))
    const check = checkPactAgainstQuiltt({ interactions: [{ description: 'legacy', request: { method: 'POST', path: '/v1/users/sessions', headers: { Authorization: 'Bearer x' } }, response: { status: 201, body: { id: 'x' } } }] })
    const quiltt = { apiVersion: check.document.apiVersion, conflicts: check.interactions[0].findings.map(f => f.path) }
    console.log(JSON.stringify({ status: res.status, clientId: emulator.defaultEnvironment.clientId, address: looked.address, environments: both.environments.length, file, quiltt }))
    await both.close()
    await emulator.close()`
  const programmatic = await run('node', ['--import', 'quiltt-mock/register', '--input-type=module', '-e', script], { cwd: dir })
  t.equal(programmatic.code, 0, 'import { startEmulator } from "quiltt-mock"', { stderr: programmatic.stderr })
  t.strictSame(JSON.parse(programmatic.stdout), { status: 200, clientId: DEFAULT.clientId, address: '127.0.0.1', environments: 2, file: true, quiltt: { apiVersion: '2026-04-01', conflicts: ['$.id'] } },
    'checkPactAgainstQuiltt finds the facts document in the installed package')
})

/** Whether something accepts connections on the port. */
const accepting = (port: number): Promise<boolean> => new Promise(resolve => {
  const socket = connect(port, '127.0.0.1')
  socket.once('connect', () => { socket.destroy(); resolve(true) })
  socket.once('error', () => resolve(false))
})

t.test('npm start: the first URL on stdout is the banner\'s, and a SIGTERM to npm ends the emulator too', async t => {
  const server = await startServer(NPM, ['start', '--silent', '--', '--port', '0', '--db', ':memory:'])
  t.teardown(() => { server.child.kill('SIGKILL') })
  t.equal(/http:\/\/\S+/.exec(server.output())?.[0], server.url, 'no URL before the banner\'s')
  t.equal((await fetch(`${server.url}/emulator/v1/health`)).status, 200)

  // npm dies of the SIGTERM without passing it on; the emulator notices its parent is gone.
  // (Not server.stop(): that waits for stdout to close, which an orphan would hold open.)
  const exited = once(server.child, 'exit')
  server.child.kill('SIGTERM')
  t.strictSame(await exited, [null, 'SIGTERM'], 'npm ended')
  let open = true
  for (let i = 0; i < 100 && open; i++) {
    open = await accepting(server.port)
    if (open) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.notOk(open, 'the emulator stopped listening: no orphan keeps the port')
})

t.test("an emulator a user's own npm script starts in the background outlives the script", async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-bg-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'out.txt')
  // What `"mock": "quiltt-mock --port 0 &"` in my-app's package.json does under `npm start`.
  // The script waits for the banner, so the emulator starts as the script's child and is orphaned after.
  const script = await run('sh', ['-c', `node ${BIN} --port 0 --db :memory: > ${out} 2>&1 & echo $!; until grep -q listening ${out} 2>/dev/null; do sleep 0.05; done`],
    { env: { npm_lifecycle_event: 'start', npm_package_name: 'my-app' } })
  const pid = Number(script.stdout.trim())
  t.ok(pid > 0, 'the script started it and ended')
  t.teardown(() => { try { process.kill(pid, 'SIGKILL') } catch {} })
  let url: string | undefined
  for (let i = 0; i < 200 && url === undefined; i++) {
    url = /listening on (http:\/\/\S+)/.exec(existsSync(out) ? readFileSync(out, 'utf8') : '')?.[1]
    if (url === undefined) await new Promise(resolve => setTimeout(resolve, 50))
  }
  t.ok(url, 'it listens')
  const port = Number(new URL(url!).port)
  // Its parent is gone now; the watcher (every 250 ms) must leave it alone.
  for (let i = 0; i < 8; i++) {
    t.ok(await accepting(port), `still serving (${i})`)
    await new Promise(resolve => setTimeout(resolve, 150))
  }
  process.kill(pid, 'SIGTERM')
})

t.test("npm start's prestart builds, and npm run lint type-checks, only when a source is newer than their output", async t => {
  const root = mkdtempSync(join(tmpdir(), 'quiltt-mock-stale-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const at = (path: string, seconds: number): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), '')
    utimesSync(join(root, path), seconds, seconds)
  }
  at('server/routes/profiles.ts', 1000)
  at('openapi.yaml', 1000)
  at('package.json', 1000)
  t.equal(staleBecause(root), join('dist', 'quiltt-mock.cjs'), 'not built yet')

  at('dist/quiltt-mock.cjs', 2000)
  t.equal(staleBecause(root), undefined, 'built after every source: no build')

  at('server/routes/profiles.ts', 3000)
  t.equal(staleBecause(root), join('server', 'routes', 'profiles.ts'), 'a source deep in server/ edited since')
  at('dist/quiltt-mock.cjs', 4000)
  at('openapi.yaml', 5000)
  t.equal(staleBecause(root), 'openapi.yaml', 'the spec edited since')
  at('dist/quiltt-mock.cjs', 6000)
  at('scripts/bundle-cli.ts', 7000)
  t.equal(staleBecause(root), join('scripts', 'bundle-cli.ts'), 'the bundler edited since')
  at('dist/quiltt-mock.cjs', 8000)
  at('test/unrelated.test.ts', 9000)
  t.equal(staleBecause(root), undefined, 'tests are not part of the bundle')

  // The type check's stamp against what tsconfig.json includes (scripts/typecheck-if-stale.cjs).
  const stamp = join('node_modules', '.cache', 'quiltt-mock', 'typecheck-passed')
  const checked = ['server', 'test', 'tsconfig.json']
  t.equal(staleBecause(root, stamp, checked), stamp, 'never checked')
  at(stamp, 10_000)
  t.equal(staleBecause(root, stamp, checked), undefined, 'checked since the last edit: skipped')
  at('test/unrelated.test.ts', 11_000)
  t.equal(staleBecause(root, stamp, checked), join('test', 'unrelated.test.ts'), 'a test edited since: checked again')
})
