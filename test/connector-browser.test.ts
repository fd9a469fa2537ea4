// The Connector stand-in in real Chromium (one launch for the file): connector.js and its page over a
// plain page, the HTML attributes, the iframe messages an app that embeds the page gets (as
// @quiltt/vue, with its origin check), the webview's quilttconnector:// navigations, and the
// quiltt-mock/playwright helper that answers Quiltt's own hosts from the emulator.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build as esbuild } from 'esbuild'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { CHROMIUM_CANDIDATES, findChromium, launchChromium } from '../scripts/chromium.js'
import { type RunningEmulator, startEmulator, verifyWebhook } from '../server/index.js'
import { routeQuilttToEmulator } from '../server/drop-in/playwright.js'
import { ROOT } from '../server/paths.js'
import { DEFAULT } from './helper.js'
import { startReceiver } from './webhooks/receiver.js'

const executable = findChromium()
const WAIT = { timeout: 15_000 }
type Event = [string, Record<string, unknown>]

async function tokenFor (emulator: RunningEmulator, email: string): Promise<{ token: string, userId: string }> {
  const res = await fetch(`${emulator.url}/v1/users/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email })
  })
  return await res.json() as { token: string, userId: string }
}

async function connectorSessions (emulator: RunningEmulator): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}/connector-sessions`)
  return ((await res.json()) as { connectorSessions: Array<Record<string, unknown>> }).connectorSessions
}

/** A page that loaded connector.js from cdn.localhost, as the SDK does with QUILTT_API_DOMAIN=localhost:<port>. */
async function appPage (context: BrowserContext, emulator: RunningEmulator, t: Test, body = ''): Promise<{ page: Page, errors: string[] }> {
  const page = await context.newPage()
  t.teardown(() => page.close())
  const errors: string[] = []
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', e => errors.push(e.message))
  await page.setContent(`<!doctype html><title>my app</title><h1>My app</h1>${body}<script src="http://cdn.localhost:${emulator.port}/v1/connector.js?agent=Quiltt%2F6.1.0"></script>`)
  await page.waitForFunction(() => 'Quiltt' in window, undefined, WAIT)
  return { page, errors }
}

/** Opens a connector in the page, recording every event of every kind of callback. */
async function open (page: Page, connectorId: string, token: string | null, options: Record<string, unknown> = {}, how: 'connect' | 'reconnect' = 'connect'): Promise<void> {
  await page.evaluate(({ connectorId, token, options, how }) => {
    const w = window as unknown as { Quiltt: any, events: Event[], exits: string[] }
    w.events = []
    w.exits = []
    w.Quiltt.authenticate(token)
    const connector = w.Quiltt[how](connectorId, options)
    connector.onEvent((type: string, metadata: Record<string, unknown>) => w.events.push([type, metadata]))
    connector.onExitSuccess(() => w.exits.push('onExitSuccess'))
    connector.onExitAbort(() => w.exits.push('onExitAbort'))
    connector.onExitError(() => w.exits.push('onExitError'))
    connector.open()
  }, { connectorId, token, options, how })
}

async function setConnector (emulator: RunningEmulator, connector: { outcome?: string, auto?: boolean }): Promise<void> {
  const res = await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connector })
  })
  if (res.status !== 200) throw new Error(`PATCH connector answered ${res.status}`)
}

async function graphql (emulator: RunningEmulator, token: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${emulator.url}/v1/graphql`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables })
  })
  return res.json()
}
const CONNECTION = 'query ($id: ID!) { connection(id: $id) { id status institution { name } accounts { id } } }'

const eventsOf = (page: Page) => page.evaluate(() => (window as unknown as { events: Event[] }).events)
const waitForEvent = (page: Page, type: string) =>
  page.waitForFunction(type => (window as unknown as { events?: Event[] }).events?.some(e => e[0] === type), type, WAIT)

t.test('the Connector in headless Chromium', {
  skip: executable ? false : `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install Debian's chromium package or set CHROMIUM_PATH`
}, async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const { context, close } = await launchChromium(executable!)
  t.teardown(close)

  t.test('no console error on load; a missing token ends as exited.errored with the reason on the page and in the metadata', async t => {
    const { page, errors } = await appPage(context, emulator, t)
    t.strictSame(errors, [], 'loading connector.js logs nothing')
    await open(page, 'rbemt34osd', null)
    t.equal(await page.locator('iframe#quiltt--frame').getAttribute('data-quiltt-connector-id'), 'rbemt34osd', 'the iframe over the page')
    const localSrc = new URL((await page.locator('iframe#quiltt--frame').getAttribute('src'))!)
    t.equal(`${localSrc.host}${localSrc.pathname}`, `cdn.localhost:${emulator.port}/connector/rbemt34osd`, 'loaded from the emulator\'s own host: the page is served there')
    await waitForEvent(page, 'exited.errored')
    const events = await eventsOf(page)
    t.strictSame(events.map(e => e[0]), ['opened', 'exited.errored'], 'opened, then the error: nothing hangs')
    t.match(events[1]![1], { connectorId: 'rbemt34osd', reason: /^Not Authenticated: Are you sending a valid and unexpired Session token/ })
    const frame = page.frameLocator('#quiltt--frame')
    t.match(await frame.getByTestId('reason').textContent(), 'Not Authenticated', 'the page says why')
    await frame.getByRole('button', { name: 'Close', exact: true }).click()
    await page.locator('#quiltt--frame').waitFor({ state: 'detached', ...WAIT })
    t.strictSame(await page.evaluate(() => (window as unknown as { exits: string[] }).exits), ['onExitError'])
  })

  t.test('an unknown connector id ends errored, recorded for the profile', async t => {
    const { page } = await appPage(context, emulator, t)
    const { token, userId } = await tokenFor(emulator, 'unknown-connector@example.com')
    await open(page, 'not a connector!', token)
    await waitForEvent(page, 'exited.errored')
    const [opened, errored] = await eventsOf(page)
    t.strictSame(opened, ['opened', { connectorId: 'not a connector!', profileId: userId }], 'opened knows the profile from the token')
    const [recorded] = await connectorSessions(emulator)
    t.match(recorded, { connectorId: 'not a connector!', profileId: userId, status: 'errored', reason: /No Connector has the id `not a connector!`/ })
    t.strictSame(errored, ['exited.errored', { connectorId: 'not a connector!', profileId: userId, connectorSession: { id: recorded!.id }, reason: recorded!.reason }])
  })

  t.test('Escape closes it: opened, loaded, exited.aborted, and the iframe is gone', async t => {
    const { page } = await appPage(context, emulator, t)
    const { token, userId } = await tokenFor(emulator, 'abort@example.com')
    await open(page, 'rbemt34osd', token)
    const frame = page.frameLocator('#quiltt--frame')
    await frame.locator('#search').waitFor(WAIT)
    await waitForEvent(page, 'loaded')
    await frame.locator('#search').press('Escape')
    await waitForEvent(page, 'exited.aborted')
    const [recorded] = await connectorSessions(emulator)
    const metadata = { connectorId: 'rbemt34osd', profileId: userId, connectorSession: { id: recorded!.id } }
    t.strictSame(await eventsOf(page), [['opened', { connectorId: 'rbemt34osd', profileId: userId }], ['loaded', metadata], ['exited.aborted', metadata]])
    t.equal(await page.locator('#quiltt--frame').count(), 0)
    t.match(recorded, { status: 'aborted', mode: 'MODAL', flow: 'connect' })
  })

  t.test('a quiltt-button element opens its connector on click', async t => {
    const { token } = await tokenFor(emulator, 'html@example.com')
    const { page } = await appPage(context, emulator, t, '<button quiltt-button="htmlconnector" quiltt-institution="Mock">Link</button>')
    await page.evaluate(token => { (window as unknown as { Quiltt: any }).Quiltt.authenticate(token) }, token)
    await page.getByRole('button', { name: 'Link' }).click()
    const frame = page.locator('iframe#quiltt--frame[data-quiltt-connector-id="htmlconnector"]')
    await frame.waitFor(WAIT)
    t.match(await frame.getAttribute('src'), /\/connector\/htmlconnector\?token=.*&institution=Mock/, 'the attributes reach the page')
    await page.frameLocator('#quiltt--frame').locator('#search').waitFor(WAIT)
    t.equal(await page.frameLocator('#quiltt--frame').locator('#search').inputValue(), 'Mock', 'the institution is the first search')
  })

  t.test('a quiltt-container element holds the page inline once a token is set; global callbacks hear it', async t => {
    const { token } = await tokenFor(emulator, 'container@example.com')
    const { page, errors } = await appPage(context, emulator, t, '<div quiltt-container="inlineconnector" style="height:640px"></div>')
    t.equal(await page.locator('#quiltt--frame').count(), 0, 'nothing before the token: the page would only say Not Authenticated')
    await page.evaluate(token => {
      const w = window as unknown as { Quiltt: any, events: Event[] }
      w.events = []
      w.Quiltt.onEvent((type: string, metadata: Record<string, unknown>) => w.events.push([type, metadata]))
      w.Quiltt.authenticate(token)
    }, token)
    const frame = page.locator('[quiltt-container] iframe#quiltt--frame')
    await frame.waitFor(WAIT)
    t.match(await frame.getAttribute('src'), /\/connector\/inlineconnector\?token=.*&mode=INLINE/)
    await waitForEvent(page, 'loaded')
    await page.frameLocator('#quiltt--frame').locator('#search').press('Escape')
    await waitForEvent(page, 'exited.aborted')
    t.strictSame((await eventsOf(page)).map(e => e[0]), ['opened', 'loaded', 'exited.aborted'])
    t.equal(await page.locator('#quiltt--frame').count(), 0, 'gone after the exit, and not mounted again')
    t.strictSame(errors, [])
  })

  t.test('an app that embeds https://<connectorId>.quiltt.app (as @quiltt/vue does) gets Quiltt\'s messages from a Quiltt origin', async t => {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const routing = await routeQuilttToEmulator(page, emulator.url)
    t.teardown(() => routing.unroute())
    const { token, userId } = await tokenFor(emulator, 'vue@example.com')
    // The app's own page, at an https origin of its own (served by the test).
    await page.route('https://app.example.test/**', route => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><script>
        window.messages = []
        // @quiltt/vue's check: https only, on quiltt.io, quiltt.dev or quiltt.app.
        const trusted = o => { try { const u = new URL(o); return u.protocol === 'https:' && ['quiltt.io', 'quiltt.dev', 'quiltt.app'].some(s => u.hostname === s || u.hostname.endsWith('.' + s)) } catch { return false } }
        addEventListener('message', e => { if (trusted(e.origin) && e.data && e.data.source === 'quiltt') messages.push({ origin: e.origin, data: e.data }) })
      </script><iframe id="connector" style="width:420px;height:640px" src="https://rbemt34osd.quiltt.app/?token=${token}&mode=INLINE&embed_location=https%3A%2F%2Fapp.example.test%2F"></iframe>`
    }))
    await page.goto('https://app.example.test/')
    await page.waitForFunction(() => (window as unknown as { messages: unknown[] }).messages.length > 0, undefined, WAIT)
    await page.frameLocator('#connector').locator('#search').press('Escape')
    await page.waitForFunction(() => (window as unknown as { messages: unknown[] }).messages.length > 1, undefined, WAIT)
    const messages = await page.evaluate(() => (window as unknown as { messages: Array<{ origin: string, data: Record<string, unknown> }> }).messages)
    const [recorded] = await connectorSessions(emulator)
    t.strictSame(messages.map(m => m.origin), ['https://rbemt34osd.quiltt.app', 'https://rbemt34osd.quiltt.app'])
    t.strictSame(messages.map(m => m.data), [
      { source: 'quiltt', type: 'Load', profileId: userId, connectorSession: { id: recorded!.id } },
      { source: 'quiltt', type: 'ExitAbort', profileId: userId, connectorSession: { id: recorded!.id } }
    ])
    t.match(recorded, { mode: 'INLINE', status: 'aborted' })
  })

  /**
   * The Connector page as a native SDK's webview loads it, every quilttconnector:// navigation
   * recorded, waited for once it has been both sent (the page's record) and seen (Playwright's).
   */
  async function webview (t: Test, query: string) {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const routing = await routeQuilttToEmulator(page, emulator.url)
    t.teardown(() => routing.unroute())
    const navigations: string[] = []
    page.on('request', r => { if (r.url().startsWith('quilttconnector://')) navigations.push(r.url()) })
    // The page's own record of an event can come before Playwright's of its navigation: wait for both.
    const navigated = (event: string) => page.waitForRequest(r => r.url().startsWith(`quilttconnector://${event}`), WAIT)
    await Promise.all([navigated('Load'), page.goto(`https://rbemt34osd.quiltt.app/?${query}`, { waitUntil: 'commit' })])
    await page.waitForFunction(() => document.body.dataset.lastEvent === 'Load', undefined, WAIT)
    return { page, navigations, navigated }
  }

  t.test('mode=webview: quilttconnector:// navigations, the token from the Options message', async t => {
    const { token, userId } = await tokenFor(emulator, 'webview@example.com')
    const { page, navigations, navigated } = await webview(t, 'mode=webview&agent=react-native-5.2.4')
    t.strictSame(navigations, ['quilttconnector://Load?'], 'Load first, before any token')
    // What the native SDKs send once they hear Load.
    await page.evaluate(token => window.postMessage({ source: 'quiltt', type: 'Options', token, connectorId: 'rbemt34osd' }, '*'), token)
    await page.locator('#search').waitFor(WAIT)
    await Promise.all([navigated('ExitAbort'), page.locator('#search').press('Escape')])
    await page.waitForFunction(() => document.body.dataset.lastEvent === 'ExitAbort', undefined, WAIT)
    const [recorded] = await connectorSessions(emulator)
    t.strictSame(navigations, ['quilttconnector://Load?', `quilttconnector://ExitAbort?profileId=${userId}&connectorSession=${recorded!.id}`])
    t.match(recorded, { mode: 'webview', status: 'aborted', profileId: userId })
  })

  t.test('an OAuth institution: the embedding app gets Navigate with its login page\'s URL; Approve there ends the flow', async t => {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const routing = await routeQuilttToEmulator(page, emulator.url)
    t.teardown(() => routing.unroute())
    const { token, userId } = await tokenFor(emulator, 'oauth@example.com')
    await page.route('https://app.example.test/**', route => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><script>
        window.messages = []
        addEventListener('message', e => { if (e.data && e.data.source === 'quiltt') messages.push(e.data) })
      </script><iframe id="connector" style="width:420px;height:640px" src="https://rbemt34osd.quiltt.app/?token=${token}&mode=INLINE"></iframe>`
    }))
    await page.goto('https://app.example.test/')
    const frame = page.frameLocator('#connector')
    await frame.locator('#search').fill('northstar')
    await frame.getByRole('button', { name: /Northstar Mutual Bank/ }).click()
    await page.waitForFunction(() => (window as unknown as { messages: Array<{ type: string }> }).messages.some(m => m.type === 'Navigate'), undefined, WAIT)
    const messages = await page.evaluate(() => (window as unknown as { messages: Array<Record<string, unknown>> }).messages)
    const [recorded] = await connectorSessions(emulator)
    const navigate = messages.find(m => m.type === 'Navigate')!
    t.strictSame(Object.keys(navigate).sort(), ['source', 'type', 'url'], 'Quiltt\'s shape: {source, type, url}')
    const url = new URL(navigate.url as string)
    t.equal(`${url.origin}${url.pathname}`, 'https://rbemt34osd.quiltt.app/connector/rbemt34osd/oauth')
    t.equal(url.searchParams.get('session'), recorded!.id)
    t.equal(url.searchParams.get('institution'), 'Northstar Mutual Bank')
    t.match(recorded, { status: 'open' }, 'nothing connected before the bank approves')
    // The app opens it (a new tab here); the user approves at the "bank".
    const bank = await context.newPage()
    t.teardown(() => bank.close())
    const bankRouting = await routeQuilttToEmulator(bank, emulator.url)
    t.teardown(() => bankRouting.unroute())
    await bank.goto(url.href)
    t.equal(await bank.locator('#title').textContent(), 'Sign in to Northstar Mutual Bank')
    await bank.getByRole('button', { name: 'Approve' }).click()
    await bank.waitForFunction(() => document.body.dataset.done === 'true', undefined, WAIT)
    // The Connector page polls its session and ends as after any pick.
    await frame.getByRole('button', { name: 'Continue' }).click()
    await page.waitForFunction(() => (window as unknown as { messages: Array<{ type: string }> }).messages.some(m => m.type === 'ExitSuccess'), undefined, WAIT)
    const [ended] = await connectorSessions(emulator)
    t.match(ended, { status: 'successful', institution: 'Northstar Mutual Bank', profileId: userId })
    const answer = await graphql(emulator, token, 'query ($id: ID!) { connection(id: $id) { oauth institution { name } } }', { id: ended!.connectionId })
    t.strictSame(answer.data.connection, { oauth: true, institution: { name: 'Northstar Mutual Bank' } })
  })

  t.test('mode=webview: an OAuth institution navigates to quilttconnector://Navigate?url=<encoded>', async t => {
    const { token } = await tokenFor(emulator, 'webview-oauth@example.com')
    const { page, navigations, navigated } = await webview(t, 'mode=webview')
    await page.evaluate(token => window.postMessage({ source: 'quiltt', type: 'Options', token, connectorId: 'rbemt34osd' }, '*'), token)
    await page.locator('#search').fill('northstar')
    await Promise.all([navigated('Navigate'), page.getByRole('button', { name: /Northstar Mutual Bank/ }).click()])
    await page.waitForFunction(() => document.body.dataset.lastEvent === 'Navigate', undefined, WAIT)
    const [recorded] = await connectorSessions(emulator)
    const oauthUrl = `https://rbemt34osd.quiltt.app/connector/rbemt34osd/oauth?${new URLSearchParams({ session: recorded!.id as string, institution: 'Northstar Mutual Bank', token })}`
    t.strictSame(navigations, ['quilttconnector://Load?', `quilttconnector://Navigate?${new URLSearchParams({ url: oauthUrl })}`])
    t.equal(new URL(navigations[1]!.replace('quilttconnector:', 'https:')).searchParams.get('url'), oauthUrl, 'the url parameter decodes to the login page')
  })

  // Quiltt's template, in short: QuilttButton, built for Quiltt's real hosts, run unedited against the emulator.
  const bundle = await esbuild({
    entryPoints: [join(ROOT, 'test', 'connector-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' }
  })
  const script = bundle.outputFiles[0]!.text
  const app = createServer((req, res) => {
    if (req.url === '/app.js') { res.setHeader('content-type', 'text/javascript'); res.end(script); return }
    res.setHeader('content-type', 'text/html')
    res.end('<!doctype html><title>Quiltt Next.js Template</title><div id="root"></div><script src="/app.js"></script>')
  })
  await new Promise<void>(resolve => app.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { app.close(() => resolve()); app.closeAllConnections() }))
  const origin = `http://localhost:${(app.address() as AddressInfo).port}`

  /** The template's home page for this token, every Quiltt host answered by the emulator. */
  async function templatePage (t: Test, token: string, query = ''): Promise<{ page: Page, requests: string[], errors: string[] }> {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const routing = await routeQuilttToEmulator(page, emulator.url)
    t.teardown(() => routing.unroute())
    const requests: string[] = []
    const errors: string[] = []
    page.on('request', r => requests.push(r.url()))
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
    await page.goto(`${origin}/${query}#${encodeURIComponent(token)}`)
    await page.waitForFunction(() => document.querySelector('script[src*="/v1/connector.js"]')?.getAttribute('data-status') === 'ready', undefined, WAIT)
    return { page, requests, errors }
  }

  t.test('QuilttButton with connector.auto: onExitSuccess gets a connectionId that GraphQL connection(id) returns', async t => {
    await setConnector(emulator, { outcome: 'success', auto: true })
    t.teardown(() => setConnector(emulator, { outcome: 'success', auto: false }))
    const { token, userId } = await tokenFor(emulator, 'template-auto@example.com')
    const { page, requests, errors } = await templatePage(t, token)
    await page.getByRole('button', { name: 'Connect Account' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent !== '', undefined, WAIT)
    const connectionId = await page.getByTestId('connection').textContent()
    t.equal(await page.getByTestId('events').textContent(), 'opened loaded exited.successful', 'in order, with no click inside the Connector')
    const answer = await graphql(emulator, token, CONNECTION, { id: connectionId })
    t.equal(answer.data.connection.id, connectionId, 'the connection exists for the profile')
    t.equal(answer.data.connection.status, 'SYNCED')
    t.ok(answer.data.connection.accounts.length > 0, 'with generated accounts')
    const [recorded] = await connectorSessions(emulator)
    t.match(recorded, { profileId: userId, connectionId, status: 'successful', flow: 'connect' })
    t.ok(requests.some(u => u.startsWith('https://cdn.quiltt.io/v1/connector.js?agent=')), 'the SDK loaded connector.js from Quiltt\'s CDN host, answered by the emulator')
    t.strictSame(requests.filter(u => !u.startsWith(origin) && !/^https:\/\/[a-z0-9.]*quiltt\.(io|app)\//.test(u)), [], 'every other request stayed on the page\'s origin')
    t.strictSame(errors, [], 'no console error')
  })

  t.test('a receiver subscribed to connection.created gets the Connector\'s connection, signed (docs/webhooks.md\'s recipe)', async t => {
    const receiver = await startReceiver(t)
    const secretHeaders = { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' }
    const subscribed = await fetch(`${emulator.url}/v1/webhooks/subscriptions`, {
      method: 'POST', headers: secretHeaders, body: JSON.stringify({ name: 'browser test', targetUrl: receiver.url, eventTypes: ['connection.created'] })
    })
    t.equal(subscribed.status, 201)
    const { id } = await subscribed.json() as { id: string }
    t.teardown(() => fetch(`${emulator.url}/v1/webhooks/subscriptions/${id}`, { method: 'DELETE', headers: secretHeaders }))
    await setConnector(emulator, { outcome: 'success', auto: true })
    t.teardown(() => setConnector(emulator, { outcome: 'success', auto: false }))
    const arrived = receiver.next()
    const { token } = await tokenFor(emulator, 'template-webhook@example.com')
    const { page } = await templatePage(t, token)
    await page.getByRole('button', { name: 'Connect Account' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent !== '', undefined, WAIT)
    const connectionId = await page.getByTestId('connection').textContent()
    const { raw, headers } = await arrived
    const check = verifyWebhook(raw, headers, emulator.defaultEnvironment.webhookSecret)
    t.ok(check.ok, check.ok ? 'verified' : check.reason)
    const event = check.ok ? (check.payload as { events: Array<{ type: string, record: { id: string } }> }).events[0] : undefined
    t.equal(event?.type, 'connection.created')
    t.equal(event?.record.id, connectionId, 'the connection onExitSuccess named')
    t.equal(verifyWebhook(raw, headers, 'whsec_not_the_secret_000000000000').ok, false, 'another secret does not verify it')
    t.equal(receiver.received.length, 1, 'one event: only connection.created was subscribed')
  })

  t.test('QuilttButton, clicked through: search, pick an institution, Continue', async t => {
    const { token } = await tokenFor(emulator, 'template-click@example.com')
    const { page } = await templatePage(t, token)
    await page.getByRole('button', { name: 'Connect Account' }).click()
    const frame = page.frameLocator('#quiltt--frame')
    await frame.locator('#search').fill('platypus')
    await frame.getByRole('button', { name: /First Platypus Bank/ }).waitFor(WAIT)
    t.equal(await frame.locator('.institution').count(), 1, 'the search narrowed the list')
    const src = new URL((await page.locator('#quiltt--frame').getAttribute('src'))!)
    t.equal(src.origin, 'https://rbemt34osd.quiltt.app', 'connector.js from cdn.quiltt.io opens the page at Quiltt\'s Connector host, as Quiltt\'s script does')
    t.equal(src.pathname, '/')
    t.equal(src.searchParams.get('mode'), 'MODAL')
    await frame.locator('#search').press('Enter') // the keyboard picks the first match
    await frame.getByRole('button', { name: 'Continue' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent !== '', undefined, WAIT)
    const connectionId = await page.getByTestId('connection').textContent()
    const answer = await graphql(emulator, token, CONNECTION, { id: connectionId })
    t.equal(answer.data.connection.institution.name, 'First Platypus Bank', 'the connection is to the institution picked')
    t.equal(await page.locator('#quiltt--frame').count(), 0, 'the modal is gone')
  })

  t.test('Reconnect of a connection in error brings it back to SYNCED with the same id; another profile\'s ends errored', async t => {
    const { token, userId } = await tokenFor(emulator, 'template-reconnect@example.com')
    // A connection in error, through the public APIs: seeded, then connectionSimulateError.
    const seeded = await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}/profiles/${userId}/connections`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ institution: { name: 'Mock Bank' }, generate: { accounts: 1, transactionsPerAccount: 2, seed: 7 } })
    })
    t.equal(seeded.status, 201)
    const made = ((await seeded.json()) as { connection: { id: string } }).connection
    await graphql(emulator, token, 'mutation ($id: ID!) { connectionSimulateError(input: { id: $id }) { success } }', { id: made.id })
    t.equal((await graphql(emulator, token, CONNECTION, { id: made.id })).data.connection.status, 'ERROR_REPAIRABLE')
    const { page } = await templatePage(t, token, `?connectionId=${made.id}`)
    await page.getByRole('button', { name: 'Reconnect Account' }).click()
    const frame = page.frameLocator('#quiltt--frame')
    await frame.getByRole('button', { name: 'Reconnect' }).click()
    await frame.getByRole('button', { name: 'Continue' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent !== '', undefined, WAIT)
    t.equal(await page.getByTestId('connection').textContent(), made.id, 'the same connectionId')
    t.equal((await graphql(emulator, token, CONNECTION, { id: made.id })).data.connection.status, 'SYNCED')

    const other = await tokenFor(emulator, 'someone-else@example.com')
    const { page: page2 } = await appPage(context, emulator, t)
    await open(page2, 'rbemt34osd', other.token, { connectionId: made.id }, 'reconnect')
    await waitForEvent(page2, 'exited.errored')
    const errored = (await eventsOf(page2)).at(-1)!
    t.match(errored[1], { connectorId: 'rbemt34osd', profileId: other.userId, reason: new RegExp(`Connection \`${made.id}\` is not one of this Profile's connections`) })
    t.match(await page2.frameLocator('#quiltt--frame').getByTestId('reason').textContent(), 'is not one of this Profile\'s connections')
  })

  t.test('themeMode: light by default, dark when asked, auto follows the system while the page is open', async t => {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const { token } = await tokenFor(emulator, 'theme@example.com')
    const open = async (themeMode?: string) => {
      const url = new URL(`${emulator.url}/connector/rbemt34osd`)
      url.searchParams.set('token', token)
      url.searchParams.set('mode', 'INLINE')
      if (themeMode) url.searchParams.set('themeMode', themeMode)
      await page.goto(url.href)
      await page.locator('.institution').first().waitFor(WAIT) // the list comes after the search box
    }
    const colors = () => page.evaluate(() => {
      const style = (sel: string) => getComputedStyle(document.querySelector(sel)!)
      return { card: style('.card').backgroundColor, ink: style('h1').color, institution: style('.institution').backgroundColor }
    })
    const LIGHT = { card: 'rgb(255, 255, 255)', ink: 'rgb(15, 23, 42)', institution: 'rgb(255, 255, 255)' }
    const DARK = { card: 'rgb(15, 23, 42)', ink: 'rgb(226, 232, 240)', institution: 'rgb(15, 23, 42)' }
    await open()
    t.strictSame(await colors(), LIGHT, 'no themeMode: light')
    await open('dark')
    t.strictSame(await colors(), DARK, 'themeMode=dark')
    await page.emulateMedia({ colorScheme: 'dark' })
    await open('light')
    t.strictSame(await colors(), LIGHT, 'themeMode=light on a dark system stays light')
    await open('auto')
    t.strictSame(await colors(), DARK, 'themeMode=auto on a dark system')
    await page.emulateMedia({ colorScheme: 'light' })
    await page.waitForFunction(() => !document.documentElement.classList.contains('dark'), undefined, WAIT)
    t.strictSame(await colors(), LIGHT, 'and light again when the system changes')
  })

  t.test('connector.outcome error: a pick ends as exited.errored with the reason; nothing is connected', async t => {
    await setConnector(emulator, { outcome: 'error', auto: true })
    t.teardown(() => setConnector(emulator, { outcome: 'success', auto: false }))
    const { page } = await appPage(context, emulator, t)
    const { token } = await tokenFor(emulator, 'outcome-error@example.com')
    await open(page, 'rbemt34osd', token)
    await waitForEvent(page, 'exited.errored')
    t.strictSame((await eventsOf(page)).map(e => e[0]), ['opened', 'loaded', 'exited.errored'])
    t.match((await eventsOf(page))[2]![1], { reason: /connector.outcome is "error"/ })
    t.strictSame((await graphql(emulator, token, '{ connections { id } }', {})).data.connections, [], 'no connection was made')
  })

  t.test('the inspector lists the Connector sessions, with how each ended and why', async t => {
    const page = await context.newPage()
    t.teardown(() => page.close())
    await page.goto(`${emulator.url}/`)
    await page.locator('[data-testid="connector-session"]').first().waitFor(WAIT)
    const api = await connectorSessions(emulator)
    const statuses = await page.locator('[data-testid="connector-session"]').evaluateAll(rows => rows.map(r => r.getAttribute('data-status')))
    t.strictSame(statuses, api.map(s => s.status), 'the API\'s sessions, newest first')
    t.ok(statuses.includes('errored') && statuses.includes('aborted'), 'errored and aborted ones are shown')
    t.match(await page.locator('[data-testid="connector-reason"]').allTextContents(), [/./], 'with their reasons')
    t.equal(await page.locator('#connector-count').textContent(), String(api.length))
  })
})
