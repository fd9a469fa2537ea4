import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { startEmulator } from '../../server/index.js'
import { assertBuilt, run } from '../built.js'
import { DEFAULT } from '../helper.js'

assertBuilt()

// App code as Quiltt's template and tutorial, and backends built on Quiltt, write it: the hosts
// hard-coded, nothing pointing at an emulator. Run with only the preload and QUILTT_MOCK_URL.
const APP = `
import https from 'node:https'
import axios from 'axios'
import { request } from 'undici'

const auth = { Authorization: 'Bearer ' + process.env.QUILTT_API_SECRET_KEY, 'Content-Type': 'application/json' }
const out = {}

// The template's sign-up route: the global fetch.
let res = await fetch('https://auth.quiltt.io/v1/users/sessions', { method: 'POST', headers: auth, body: JSON.stringify({ email: 'fetch@example.com' }) })
out.fetch = { status: res.status, body: await res.json() }

// Its log-in route, written with undici.request.
const answer = await request('https://auth.quiltt.io/v1/users/sessions', { method: 'POST', headers: auth, body: JSON.stringify({ userId: out.fetch.body.userId }) })
out.undici = { status: answer.statusCode, body: await answer.body.json() }

// A backend creating a profile over node:https, with a JSON body.
out.https = await new Promise((resolve, reject) => {
  const req = https.request('https://api.quiltt.io/v1/profiles', { method: 'POST', headers: auth }, res => {
    let text = ''
    res.on('data', d => { text += d })
    res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }))
  })
  req.on('error', reject)
  req.end(JSON.stringify({ email: 'https@example.com', name: 'Over HTTPS' }))
})

// A backend with axios, reading that profile back with a query string.
const got = await axios.get('https://api.quiltt.io/v1/profiles/' + out.https.body.id + '?fields=email', { headers: auth })
out.axios = { status: got.status, body: got.data }

// The Connector script the browser SDK loads, on the extra host.
res = await fetch('https://cdn.quiltt.io/v1/connector.js?agent=test')
out.cdn = { status: res.status, type: res.headers.get('content-type') }

// Some other service of the app's: not Quiltt's, so not redirected.
res = await fetch(process.env.OTHER_URL + '/hello')
out.other = await res.json()
console.log(JSON.stringify(out))
`

const register = ['--import', 'quiltt-mock/register']

t.test('an unmodified app reaches the emulator through the preload, and only for Quiltt\'s hosts', async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const otherSeen: Array<{ url: string, redirectedFrom: unknown }> = []
  const other = http.createServer((req, res) => {
    otherSeen.push({ url: req.url!, redirectedFrom: req.headers['quiltt-mock-redirected-from'] })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ answeredBy: 'other' }))
  })
  await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => other.close(resolve)))
  const otherPort = (other.address() as AddressInfo).port
  // A port nothing listens on: the emulator "not running".
  const closed = http.createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const downPort = (closed.address() as AddressInfo).port
  await new Promise(resolve => closed.close(resolve))

  const app = { QUILTT_API_SECRET_KEY: DEFAULT.secret, OTHER_URL: `http://127.0.0.1:${otherPort}` }
  const script = (code: string) => ['--input-type=module', '-e', code]
  const [main, down, remote, allowed, badHosts, unset] = await Promise.all([
    // NODE_OPTIONS, as Next.js's processes get it.
    run('node', script(APP), { env: { ...app, NODE_OPTIONS: register.join(' '), QUILTT_MOCK_URL: emulator.url, QUILTT_MOCK_HOSTS: 'cdn.quiltt.io' } }),
    run('node', [...register, ...script(`
      import axios from 'axios'
      const out = {}
      await fetch('https://auth.quiltt.io/v1/users/sessions', { method: 'POST' }).catch(e => { out.fetch = e.cause.message })
      await axios.get('https://api.quiltt.io/v1/profiles').catch(e => { out.axios = e.message })
      console.log(JSON.stringify(out))`)], { env: { QUILTT_MOCK_URL: `http://127.0.0.1:${downPort}` } }),
    run('node', [...register, ...script('console.log("the app ran")')], { env: { QUILTT_MOCK_URL: 'http://10.20.30.40:4000' } }),
    run('node', [...register, ...script('console.log("the app ran")')], { env: { QUILTT_MOCK_URL: 'http://10.20.30.40:4000', QUILTT_MOCK_ALLOW_REMOTE: '1' } }),
    run('node', [...register, ...script('console.log("the app ran")')], { env: { QUILTT_MOCK_URL: emulator.url, QUILTT_MOCK_HOSTS: 'https://cdn.quiltt.io' } }),
    // Without QUILTT_MOCK_URL the preload redirects nothing (localhost is asked for, and still not redirected).
    run('node', [...register, ...script(`console.log(JSON.stringify(await (await fetch('http://localhost:${otherPort}/unset')).json()))`)], { env: { QUILTT_MOCK_HOSTS: 'localhost' } })
  ])

  t.test('every client reaches the emulator, and the answers are the emulator\'s', async t => {
    t.equal(main.code, 0, 'the app ran', { stderr: main.stderr })
    t.equal(main.stderr, `quiltt-mock: requests to auth.quiltt.io, api.quiltt.io, cdn.quiltt.io (https and http) go to ${emulator.url} in this process (QUILTT_MOCK_URL)\n`,
      'one line on stderr says what is redirected where')
    const out = JSON.parse(main.stdout) as Record<string, { status: number, body: Record<string, unknown>, type?: string }>
    t.equal(out.fetch!.status, 201, 'global fetch: a session issued')
    t.equal(out.fetch!.body.environmentId, DEFAULT.environmentId)
    t.equal(out.undici!.status, 201, 'undici.request: a session for that profile')
    t.equal(out.undici!.body.userId, out.fetch!.body.userId)
    t.equal(out.https!.status, 201, 'node:https: the profile created')
    t.equal(out.https!.body.email, 'https@example.com')
    t.equal(out.axios!.status, 200, 'axios: the profile read back')
    t.equal(out.axios!.body.id, out.https!.body.id)
    t.strictSame(out.cdn, { status: 200, type: 'application/javascript; charset=utf-8' }, 'an extra host from QUILTT_MOCK_HOSTS')
    t.strictSame(out.other, { answeredBy: 'other' }, 'another host answers for itself')
    t.strictSame(otherSeen.filter(s => s.url === '/hello'), [{ url: '/hello', redirectedFrom: undefined }], 'with no redirect header')

    const journal = (await (await fetch(`${emulator.url}/emulator/v1/requests`)).json()) as { requests: Array<Record<string, unknown>> }
    t.strictSame(journal.requests.map(r => [r.method, r.path, r.query, r.status, r.redirectedFrom]), [
      ['GET', '/v1/connector.js', 'agent=test', 200, 'https://cdn.quiltt.io'],
      ['GET', `/v1/profiles/${out.https!.body.id as string}`, 'fields=email', 200, 'https://api.quiltt.io'],
      ['POST', '/v1/profiles', null, 201, 'https://api.quiltt.io'],
      ['POST', '/v1/users/sessions', null, 201, 'https://auth.quiltt.io'],
      ['POST', '/v1/users/sessions', null, 201, 'https://auth.quiltt.io']
    ], 'the journal has every request, each marked with the origin the app addressed')
    t.strictSame(journal.requests.map(r => r.requestBody), [null, null, { email: 'https@example.com', name: 'Over HTTPS' }, { userId: out.fetch!.body.userId }, { email: 'fetch@example.com' }],
      'the bodies arrived as sent')
  })

  t.test('the emulator not running: a connection error naming the emulator URL', async t => {
    t.equal(down.code, 0, 'the app ran', { stderr: down.stderr })
    const out = JSON.parse(down.stdout) as { fetch: string, axios: string }
    t.match(out.fetch, `quiltt-mock: cannot reach the emulator at http://127.0.0.1:${downPort}, which stands in for https://auth.quiltt.io in this process (connect ECONNREFUSED`)
    t.match(out.axios, `quiltt-mock: cannot reach the emulator at http://127.0.0.1:${downPort}, which stands in for https://api.quiltt.io`)
  })

  t.test('an emulator elsewhere needs QUILTT_MOCK_ALLOW_REMOTE; a bad setting stops the app', async t => {
    t.equal(remote.code, 1, 'refused: the process stops')
    t.equal(remote.stdout, '', 'before the app runs')
    t.match(remote.stderr, 'quiltt-mock: refusing to send Quiltt requests to http://10.20.30.40:4000, which is not this machine. Set QUILTT_MOCK_ALLOW_REMOTE=1')
    t.equal(allowed.code, 0)
    t.equal(allowed.stdout, 'the app ran\n')
    t.match(allowed.stderr, 'go to http://10.20.30.40:4000 in this process')
    t.equal(badHosts.code, 1)
    t.match(badHosts.stderr, '"https://cdn.quiltt.io" is not a host name')
    t.match(badHosts.stderr, 'QUILTT_MOCK_HOSTS=https://cdn.quiltt.io', 'the message says which setting')
  })

  t.test('without QUILTT_MOCK_URL nothing is redirected and nothing is said', async t => {
    t.equal(unset.code, 0, 'the app ran', { stderr: unset.stderr })
    t.equal(unset.stderr, '')
    t.strictSame(JSON.parse(unset.stdout), { answeredBy: 'other' })
  })
})
