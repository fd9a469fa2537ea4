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
  const out = JSON.parse(res.stdout) as { first: { status: number, data: { token: string, environmentId: string } }, second: number, looked: { address: string } }
  t.equal(out.first.status, 201, 'identify of a new email: 201 with a session')
  t.equal(out.first.data.environmentId, DEFAULT.environmentId)
  t.match(out.first.data.token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  t.equal(out.second, 202, 'identify again: 202, passcode sent')
  t.equal(out.looked.address, '127.0.0.1', 'auth.localhost resolves to loopback')
  const [latest] = await emulator.passcodes('sdk-user@example.com')
  t.equal(latest?.state, 'outstanding', 'the passcode landed in this emulator')
})
