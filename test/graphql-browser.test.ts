// @quiltt/react in real Chromium against the emulator: a page bundled with esbuild from
// test/graphql-page.ts (QuilttProvider + useQuery, as Quiltt's authentication tutorial's Welcome
// component) shows the profile's email for a token the emulator issued, and after the session is
// revoked the SDK drops it (its ErrorLink logs out on the HTTP 401). The page is served from its
// own origin, so the SDK's calls to auth.localhost and api.localhost are cross-origin, preflights and all.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build as esbuild } from 'esbuild'
import t from 'tap'
import { CHROMIUM_CANDIDATES, findChromium, launchChromium } from '../scripts/chromium.js'
import { ROOT } from '../server/paths.js'
import { startEmulator } from '../server/index.js'
import { DEFAULT } from './helper.js'

const executable = findChromium()
const WAIT = { timeout: 15_000 }

t.test('a React page reads the profile through @quiltt/react, and loses its session once revoked', {
  skip: executable ? false : `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install Debian's chromium package or set CHROMIUM_PATH`
}, async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  // What reached the emulator's socket, preflights included (Chromium does not report those to the page).
  const arrived: Array<{ method: string, url: string, requestHeaders: string }> = []
  emulator.app.server.prependListener('request', req => {
    arrived.push({ method: req.method ?? '', url: req.url ?? '', requestHeaders: String(req.headers['access-control-request-headers'] ?? '') })
  })

  // The SDK reads QUILTT_API_DOMAIN and QUILTT_API_INSECURE from process.env: a bundler puts them in at build time.
  const bundle = await esbuild({
    entryPoints: [join(ROOT, 'test', 'graphql-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
    define: {
      'process.env.QUILTT_API_DOMAIN': JSON.stringify(`localhost:${emulator.port}`),
      'process.env.QUILTT_API_INSECURE': '"true"',
      'process.env.NODE_ENV': '"production"'
    }
  })
  const script = bundle.outputFiles[0]!.text
  const app = createServer((req, res) => {
    if (req.url === '/app.js') { res.setHeader('content-type', 'text/javascript'); res.end(script); return }
    res.setHeader('content-type', 'text/html')
    res.end('<!doctype html><title>my Quiltt app</title><div id="root"></div><script src="/app.js"></script>')
  })
  await new Promise<void>(resolve => app.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { app.close(() => resolve()); app.closeAllConnections() }))
  const origin = `http://localhost:${(app.address() as AddressInfo).port}`

  const issued = await fetch(`${emulator.url}/v1/users/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'react@example.com' })
  })
  t.equal(issued.status, 201)
  const { token } = await issued.json() as { token: string }

  const { context, close } = await launchChromium(executable!)
  t.teardown(close)
  const page = await context.newPage()
  const requests: string[] = []
  page.on('request', r => requests.push(`${r.method()} ${r.url()}`))
  const logged: string[] = []
  page.on('console', m => logged.push(m.text()))
  await page.goto(`${origin}/#${encodeURIComponent(token)}`)

  const welcome = page.getByTestId('welcome')
  await page.waitForFunction(() => document.querySelector('[data-testid="welcome"]')?.textContent === 'Welcome, react@example.com', undefined, WAIT)
  t.equal(await welcome.textContent(), 'Welcome, react@example.com', 'the profile\'s email, read through useQuery')
  t.equal(await page.getByTestId('session').textContent(), 'signed in')
  t.equal(await page.evaluate(() => localStorage.getItem('quiltt.session')), JSON.stringify(token), 'the SDK stored the session')

  const revoked = await fetch(`${emulator.url}/v1/users/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })
  t.equal(revoked.status, 204)
  await page.getByRole('button', { name: 'Refetch' }).click()
  await page.waitForFunction(() => document.querySelector('[data-testid="session"]')?.textContent === 'signed out', undefined, WAIT)
  t.equal(await page.evaluate(() => localStorage.getItem('quiltt.session')), null, 'the SDK dropped the session')
  t.ok(logged.some(m => m.startsWith('[Quiltt][Authentication Error]')), 'because of the 401: the ErrorLink says so', { logged })

  const api = `http://api.localhost:${emulator.port}/v1/graphql`
  t.ok(requests.includes(`POST ${api}`), 'the page called the emulator\'s GraphQL endpoint')
  const preflight = arrived.find(r => r.method === 'OPTIONS' && r.url === '/v1/graphql')
  t.match(preflight?.requestHeaders, /quiltt-client-version/, 'the browser preflighted the SDK\'s headers, and went on to POST')
  t.match(preflight?.requestHeaders, /quiltt-sdk-agent/)
  t.strictSame(requests.filter(r => !r.includes(`//localhost:${new URL(origin).port}/`) && !r.includes(`.localhost:${emulator.port}/`)), [],
    'every request went to the page or the emulator')
  const journal = await (await fetch(`${emulator.url}/emulator/v1/requests`)).json() as { requests: Array<{ method: string, path: string, status: number, graphql?: unknown }> }
  const seen = journal.requests.reverse().filter(r => r.method !== 'OPTIONS').map(r => `${r.method} ${r.path} ${r.status}`)
  t.match(seen.join('\n'), /GET \/v1\/users\/session 200\n(.*\n)*POST \/v1\/graphql 200\n(.*\n)*DELETE \/v1\/users\/session 204\n(.*\n)*POST \/v1\/graphql 401/,
    'ping, the query, the revocation, then the query the emulator refused')
  t.match(journal.requests.find(r => r.path === '/v1/graphql'), { graphql: [{ operationName: 'Profile', operationType: 'query' }] })
})
