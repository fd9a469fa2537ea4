import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { assertBuilt, BIN, run, startServer } from './built.js'

assertBuilt()

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

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
