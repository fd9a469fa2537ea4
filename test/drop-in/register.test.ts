import t from 'tap'
import { startEmulator } from '../../server/index.js'
import { assertBuilt, run } from '../built.js'
import { DEFAULT } from '../helper.js'

assertBuilt()

// A user's script, unchanged: the official SDK with only environment variables pointing it here.
const SCRIPT = `
import dns from 'node:dns/promises'
import { AuthAPI } from '@quiltt/core/api/rest'
const api = new AuthAPI(process.env.CLIENT_ID)
const email = process.env.EMAIL
const first = await api.identify({ email })
const second = await api.identify({ email })
const looked = await dns.lookup('auth.localhost')
console.log(JSON.stringify({ first: { status: first.status, data: first.data }, second: second.status, looked }))
`

t.test('node --import quiltt-mock/register points the unmodified SDK at the emulator', async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const res = await run('node', ['--import', 'quiltt-mock/register', '--input-type=module', '-e', SCRIPT], {
    env: { QUILTT_API_DOMAIN: `localhost:${emulator.port}`, QUILTT_API_INSECURE: 'true', CLIENT_ID: DEFAULT.clientId, EMAIL: 'sdk-user@example.com' }
  })
  t.equal(res.code, 0, 'the script ran', { stderr: res.stderr })
  type Out = { first: { status: number, data: { token: string, environmentId: string } }, second: number, looked: { address: string } }
  const out = JSON.parse(res.stdout) as Out
  t.equal(out.first.status, 201, 'identify of a new email: 201 with a session')
  t.equal(out.first.data.environmentId, DEFAULT.environmentId)
  t.match(out.first.data.token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  t.equal(out.second, 202, 'identify again: 202, passcode sent')
  t.equal(out.looked.address, '127.0.0.1', 'auth.localhost resolves to loopback')
  const [latest] = await emulator.passcodes('sdk-user@example.com')
  t.equal(latest?.state, 'outstanding', 'the passcode landed in this emulator')
})

// Worker threads of a redirected process, started every way that used to escape the preload.
const WORKERS = `
import { Worker } from 'node:worker_threads'
const call = email => \`fetch('https://auth.quiltt.io/v1/users/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: { clientId: 'quilttmock', email: '\${email}' } }) })
  .then(r => parentPort.postMessage(r.status), e => parentPort.postMessage(String(e.cause?.code ?? e.message)))\`
const cases = [
  // Inheriting this script's --input-type=module: a module.
  ['eval', c => new Worker(\`import { parentPort } from 'node:worker_threads';\${c}\`, { eval: true })],
  ['eval-no-execargv', c => new Worker(\`const { parentPort } = require('node:worker_threads');\${c}\`, { eval: true, execArgv: [] })],
  ['eval-own-env', c => new Worker(\`const { parentPort } = require('node:worker_threads');\${c}\`, { eval: true, execArgv: [], env: {} })],
  ['file-no-execargv', c => new Worker(new URL('data:text/javascript,' + encodeURIComponent(\`import { parentPort } from 'node:worker_threads';\${c}\`)), { execArgv: [] })],
  ['file-own-env', c => new Worker(new URL('data:text/javascript,' + encodeURIComponent(\`import { parentPort } from 'node:worker_threads';\${c}\`)), { execArgv: [], env: {} })]
]
const out = {}
for (const [name, make] of cases) {
  const w = make(call(\`\${name}@example.com\`))
  out[name] = await new Promise(resolve => { w.once('message', resolve); w.once('error', e => resolve(e.message)) })
  await w.terminate()
}
console.log(JSON.stringify(out))
`

t.test('worker threads are redirected whatever their execArgv, eval workers and workers with their own env too', async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const res = await run('node', ['--import', 'quiltt-mock/register', '--input-type=module', '-e', WORKERS], {
    env: { QUILTT_MOCK_URL: `http://127.0.0.1:${emulator.port}` }
  })
  t.equal(res.code, 0, 'the script ran', { stderr: res.stderr })
  const out = JSON.parse(res.stdout) as Record<string, unknown>
  for (const name of ['eval', 'eval-no-execargv', 'eval-own-env', 'file-no-execargv', 'file-own-env']) {
    t.equal(out[name], 201, `${name}: the emulator answered, not Quiltt or DNS`)
    const [passcode] = await emulator.passcodes(`${name}@example.com`)
    t.equal(passcode, undefined, `${name}: a signup (201), as the emulator answers a new email`)
  }
  t.equal(res.stderr.match(/go to http/g)?.length, 1, 'the redirect is announced once, not per worker')
})
