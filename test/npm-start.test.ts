import { once } from 'node:events'
import { connect } from 'node:net'
import t from 'tap'
import { assertBuilt, startServer } from './built.js'

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
