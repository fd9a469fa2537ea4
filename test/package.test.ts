import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../server/paths.js'
import { assertBuilt, run, startServer } from './built.js'
import { DEFAULT } from './helper.js'

assertBuilt()

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const QUILTT_FACTS = 'test/quiltt/quiltt-openapi-2026-04-01.facts.json'

t.test('the published files hold everything the bin, the exports and the inspector need, and no sources or tests', async t => {
  const res = await run(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'])
  t.equal(res.code, 0, 'npm pack', { stderr: res.stderr })
  const files = (JSON.parse(res.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(f => f.path)
  for (const f of ['bin/quiltt-mock.cjs', 'dist/quiltt-mock.cjs', 'dist/server/index.js', 'dist/server/index.d.ts', 'dist/server/register.js',
    'dist/server/next-loader.js', 'inspector/index.html', 'openapi.yaml', 'schema.graphql', 'fixtures/default.json', 'fixtures/email-and-phone.json', 'package.json', QUILTT_FACTS]) {
    t.ok(files.includes(f), `${f} is published`)
  }
  // The facts-only copy of Quiltt's document is data the Quiltt contract check reads at run time.
  t.notOk(files.some(f => (f.startsWith('test/') && f !== QUILTT_FACTS) || f.startsWith('server/') || f.startsWith('scripts/')), 'no sources, tests or scripts')
})

t.test('installed as a package (outside this folder): the bin, the register preload and startEmulator all work', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-install-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The real tarball, unpacked where npm would put it; its dependencies are linked from this checkout, so no registry is needed.
  const pack = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir])
  t.equal(pack.code, 0, 'npm pack', { stderr: pack.stderr })
  const tarball = join(dir, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename)
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
