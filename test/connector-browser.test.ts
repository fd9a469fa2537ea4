// The Connector stand-in in real Chromium (one launch for the file): connector.js and its page over a
// plain page, the HTML attributes, the iframe messages an app that embeds the page gets (as
// @quiltt/vue, with its origin check), the webview's quilttconnector:// navigations, and the
// quiltt-mock/playwright helper that answers Quiltt's own hosts from the emulator.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { CHROMIUM_CANDIDATES, findChromium, launchChromium } from '../scripts/chromium.js'
import { type RunningEmulator, startEmulator } from '../server/index.js'
import { routeQuilttToEmulator } from '../server/drop-in/playwright.js'
import { DEFAULT } from './helper.js'

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

  t.test('mode=webview: quilttconnector:// navigations, the token from the Options message', async t => {
    const page = await context.newPage()
    t.teardown(() => page.close())
    const routing = await routeQuilttToEmulator(page, emulator.url)
    t.teardown(() => routing.unroute())
    const navigations: string[] = []
    page.on('request', r => { if (r.url().startsWith('quilttconnector://')) navigations.push(r.url()) })
    const { token, userId } = await tokenFor(emulator, 'webview@example.com')
    await page.goto('https://rbemt34osd.quiltt.app/?mode=webview&agent=react-native-5.2.4', { waitUntil: 'commit' })
    await page.waitForFunction(() => document.body.dataset.lastEvent === 'Load', undefined, WAIT)
    t.strictSame(navigations, ['quilttconnector://Load?'], 'Load first, before any token')
    // What the native SDKs send once they hear Load.
    await page.evaluate(token => window.postMessage({ source: 'quiltt', type: 'Options', token, connectorId: 'rbemt34osd' }, '*'), token)
    await page.locator('#search').waitFor(WAIT)
    await page.locator('#search').press('Escape')
    await page.waitForFunction(() => document.body.dataset.lastEvent === 'ExitAbort', undefined, WAIT)
    const [recorded] = await connectorSessions(emulator)
    t.strictSame(navigations, ['quilttconnector://Load?', `quilttconnector://ExitAbort?profileId=${userId}&connectorSession=${recorded!.id}`])
    t.match(recorded, { mode: 'webview', status: 'aborted', profileId: userId })
  })
})
