import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { ManualClock } from '../server/clock.js'
import { type RunningEmulator, startEmulator } from '../server/index.js'
import { CHROMIUM_CANDIDATES, findChromium, launchChromium } from '../scripts/chromium.js'
import { seedDemo } from '../scripts/demo-data.js'
import { DEFAULT, PHONE, WITH_PHONE } from './helper.js'

// The inspector and /docs in a real headless Chromium: Debian's package, driven by playwright-core.
const executable = findChromium()
const WAIT = { timeout: 15_000 }

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

t.test('inspector and API docs in headless Chromium', {
  skip: executable ? false : `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH`
}, async t => {
  const { context, close } = await launchChromium(executable!)
  t.teardown(close)
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])

  /**
   * A fresh emulator and page; every request the page makes is recorded. The page's timers run on
   * Playwright's clock: a test that waits for the page to refresh itself moves that clock past the
   * refresh (`refreshed`) instead of waiting the real 2 s.
   */
  type Opened = { emulator: RunningEmulator, page: Page, clock: ManualClock, requests: string[] }
  async function open (t: Test, clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30))): Promise<Opened> {
    const emulator = await startEmulator({ clock, ...WITH_PHONE })
    const page = await context.newPage()
    await page.clock.install()
    const requests: string[] = []
    page.on('request', r => requests.push(r.url()))
    t.teardown(async () => { await page.close(); await emulator.close() })
    return { emulator, page, clock, requests }
  }
  /** The inspector's own refresh interval, run once. */
  const refreshed = (page: Page) => page.clock.runFor(2_000)
  const passcodesOf = async (e: RunningEmulator, environmentId: string = DEFAULT.environmentId) =>
    ((await (await fetch(`${e.url}/emulator/v1/environments/${environmentId}/passcodes`)).json()) as { passcodes: Array<{ code: string, state: string, email?: string }> }).passcodes

  t.test('environments with their clientId and secret, and copy buttons that copy', async t => {
    const { emulator, page, requests } = await open(t)
    await page.goto(`${emulator.url}/`)
    const card = page.locator(`[data-env-id="${DEFAULT.environmentId}"]`)
    await card.waitFor(WAIT)
    t.equal(await card.locator('[data-field="clientId"]').textContent(), DEFAULT.clientId)
    t.equal(await card.locator('[data-field="secret"]').textContent(), DEFAULT.secret)
    t.equal(await card.locator('[data-field="signingSecret"]').textContent(), 'ss_sandbox_quilttmock_000000000000000000000000000000000000000000', 'the signing secret, for self-signed sessions')
    t.equal(await card.locator('[data-field="sessionFormat"]').textContent(), 'current sessions')
    await fetch(`${emulator.url}/emulator/v1/environments/${PHONE.environmentId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"sessionFormat":"legacy"}' })
    await refreshed(page)
    await page.locator(`[data-env-id="${PHONE.environmentId}"] [data-field="sessionFormat"]`).filter({ hasText: 'legacy sessions' }).waitFor()
    t.pass('a legacy environment shows it once the page refreshes')
    await fetch(`${emulator.url}/emulator/v1/environments/${PHONE.environmentId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"sessionFormat":"current"}' })
    t.equal(await page.locator(`[data-env-id="${PHONE.environmentId}"] [data-field="clientId"]`).textContent(), PHONE.clientId)
    t.equal(await card.getAttribute('aria-pressed'), 'true', 'the first environment is selected')

    await card.getByRole('button', { name: 'Copy API key secret' }).click()
    t.equal(await page.evaluate(() => navigator.clipboard.readText()), DEFAULT.secret, 'the secret is on the clipboard')
    // The label is "Copied" for 1.2 s: recorded as it changes, so a slow machine cannot read it too late.
    const copyClientId = card.getByRole('button', { name: 'Copy clientId' })
    await copyClientId.evaluate(button => {
      const seen: string[] = [];
      (window as unknown as { labels: string[] }).labels = seen
      new MutationObserver(() => { seen.push(button.textContent ?? '') }).observe(button, { childList: true, characterData: true, subtree: true })
    })
    await copyClientId.click()
    t.equal(await page.evaluate(() => navigator.clipboard.readText()), DEFAULT.clientId)
    t.equal(await page.evaluate(() => (window as unknown as { labels: string[] }).labels[0]), 'Copied', 'the button says so')

    t.ok(requests.length > 3, 'the page made its calls')
    t.strictSame(requests.filter(u => !u.startsWith(`${emulator.url}/`)), [], 'every request stays on the emulator (no CDN)')
  })

  t.test('a passcode appears by itself, newest first, with the code the API has', async t => {
    const { emulator, page } = await open(t)
    await page.goto(`${emulator.url}/`)
    await page.locator('#passcodes .empty').waitFor(WAIT)
    t.match(await page.locator('#passcodes .empty').textContent(), 'No passcodes yet')
    t.match(await page.locator('#passcodes .empty pre').textContent(), `"clientId":"${DEFAULT.clientId}"`, 'the hint is a command for this environment')

    for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'live@example.com' } })
    await refreshed(page)
    const row = page.locator('[data-testid="passcode"]').first()
    await row.waitFor(WAIT) // no reload: the page refreshes itself
    const [latest] = await passcodesOf(emulator)
    t.equal(await row.locator('td.code').textContent(), latest!.code)
    t.equal(await row.getAttribute('data-state'), 'outstanding')

    await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'live@example.com' } })
    await refreshed(page)
    await page.locator('[data-testid="passcode"]').nth(1).waitFor(WAIT)
    const now = await passcodesOf(emulator)
    t.strictSame(await page.locator('[data-testid="passcode"] td.code').allTextContents(), now.map(p => p.code), 'newest first, as the API lists them')
    t.strictSame(await page.locator('[data-testid="passcode"]').evaluateAll(rows => rows.map(r => r.getAttribute('data-state'))), ['outstanding', 'replaced'])
    await page.locator('[data-testid="message"]').nth(1).waitFor(WAIT)
    t.match(await page.locator('[data-testid="message"]').first().textContent(), now[0]!.code, 'the message outbox shows what was sent')
  })

  t.test('every passcode state, messages, profiles with sessions, and search', async t => {
    const { emulator, page, clock } = await open(t)
    await seedDemo(emulator.url, clock)
    await page.goto(`${emulator.url}/`)
    await page.locator('[data-testid="profile"]').first().waitFor(WAIT)
    const api = await passcodesOf(emulator)
    const states = await page.locator('[data-testid="passcode"]').evaluateAll(rows => rows.map(r => r.getAttribute('data-state')))
    t.strictSame(states, api.map(p => p.state), 'the page shows the API\'s states in the API\'s order')
    for (const s of ['outstanding', 'used', 'expired', 'locked', 'replaced']) t.ok(states.includes(s), `${s} is shown`)
    t.equal(await page.locator('#passcodes-count').textContent(), String(api.length))
    t.equal(await page.locator('[data-testid="message"]').count(), api.length, 'one message per passcode sent')

    const profiles = page.locator('[data-testid="profile"]')
    t.equal(await profiles.count(), 5)
    const dave = profiles.filter({ hasText: 'dave@example.com' })
    t.match(await dave.textContent(), 'Dave Smith')
    t.strictSame(await dave.locator('[data-testid="session"]').evaluateAll(rows => rows.map(r => r.getAttribute('data-state'))), ['revoked', 'active'])
    t.match(await dave.textContent(), 'App Secret', 'says how each session was made')
    // Bank data: each connection with its institution and status, its accounts with their balances.
    const daveConnections = dave.locator('[data-testid="connection"]')
    t.equal(await daveConnections.count(), 2)
    t.match(await daveConnections.first().textContent(), /First Platypus Bank[\s\S]*SYNCED/)
    t.strictSame(await daveConnections.first().locator('[data-testid="account"] td:first-child').allTextContents(), ['Everyday Checking', 'High-Yield Savings', 'Cash Rewards Visa'])
    t.match(await daveConnections.first().locator('[data-testid="account"] [data-field="current"]').first().textContent(), /^\$[\d,]+\.\d\d$/)
    t.equal(await daveConnections.nth(1).locator('[data-field="status"]').textContent(), 'ERROR_REPAIRABLE')
    t.equal(await profiles.filter({ hasText: 'alice@example.com' }).locator('[data-testid="connection"]').count(), 0)

    await page.fill('#search', 'DAVE')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile"]').length === 1, undefined, WAIT)
    t.match(await profiles.first().textContent(), 'dave@example.com')
    t.equal(await page.locator('#profiles-count').textContent(), '1')
    await page.fill('#search', 'no-such-person')
    await page.locator('#profiles .empty').waitFor(WAIT)
    t.match(await page.locator('#profiles .empty').textContent(), 'No profile matches “no-such-person”')
    await page.fill('#search', '')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile"]').length === 5, undefined, WAIT)
  })

  t.test('webhook deliveries: each with its state, attempts and last answer, as the API lists them', async t => {
    const { emulator, page } = await open(t)
    const receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(req.url === '/ok' ? 200 : 500).end()) })
    await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve))
    t.teardown(() => new Promise<void>(resolve => { receiver.closeAllConnections(); receiver.close(() => resolve()) }))
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
    const auth = { authorization: `Bearer ${DEFAULT.secret}` }
    await post(`${emulator.url}/v1/webhooks/subscriptions`, { name: 'ok', targetUrl: `${base}/ok`, eventTypes: ['profile'] }, auth)
    await post(`${emulator.url}/v1/webhooks/subscriptions`, { name: 'failing', targetUrl: `${base}/fail`, eventTypes: ['profile.created'] }, auth)
    await post(`${emulator.url}/v1/profiles`, { email: 'hooked@example.com' }, auth)
    await emulator.app.emulator.webhookDispatcher.idle()
    await page.goto(`${emulator.url}/`)
    const card = page.locator(`[data-env-id="${DEFAULT.environmentId}"]`)
    await card.waitFor(WAIT)
    t.equal(await card.locator('[data-field="webhookSecret"]').textContent(), 'whsec_quilttmock_0000000000000000000000000000', 'the webhook secret')
    await page.locator('[data-testid="delivery"]').nth(1).waitFor(WAIT)
    const api = ((await (await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}/webhook-deliveries`)).json()) as { deliveries: Array<{ state: string }> }).deliveries
    t.strictSame(await page.locator('[data-testid="delivery"]').evaluateAll(rows => rows.map(r => r.getAttribute('data-state'))), api.map(d => d.state), 'the API\'s deliveries, in its order')
    t.strictSame(api.map(d => d.state).sort(), ['delivered', 'pending'])
    const failing = page.locator('[data-testid="delivery"][data-state="pending"]')
    t.match(await failing.textContent(), /profile\.created.*1\/20.*500.*answered 500, not 2xx/, 'the failed attempt and why')
    t.match(await page.locator('[data-testid="delivery"][data-state="delivered"]').textContent(), /1\/20\s*200/)
  })

  t.test('choosing another environment shows its passcodes, and the choice survives a reload', async t => {
    const { emulator, page } = await open(t)
    for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: PHONE.clientId, phone: '+15555550123' } })
    await page.goto(`${emulator.url}/`)
    await page.locator('#passcodes .empty').waitFor(WAIT)
    await page.locator(`[data-env-id="${PHONE.environmentId}"]`).click()
    const row = page.locator('[data-testid="passcode"]').first()
    await row.waitFor(WAIT)
    t.match(await row.textContent(), '+15555550123')
    t.equal(await row.locator('td.code').textContent(), (await passcodesOf(emulator, PHONE.environmentId))[0]!.code)
    t.match(page.url(), `#env=${PHONE.environmentId}`)
    await page.reload()
    await page.locator('[data-testid="passcode"]').first().waitFor(WAIT)
    t.equal(await page.locator(`[data-env-id="${PHONE.environmentId}"]`).getAttribute('aria-pressed'), 'true')
  })

  t.test('data is shown as text, never run as HTML', async t => {
    const { emulator, page } = await open(t)
    const name = '<img src=x onerror="window.__pwned = 1">'
    const res = await post(`${emulator.url}/v1/users/sessions`, { email: 'mallory@example.com', name }, { authorization: `Bearer ${DEFAULT.secret}` })
    t.equal(res.status, 201)
    await page.goto(`${emulator.url}/`)
    const profile = page.locator('[data-testid="profile"]').first()
    await profile.waitFor(WAIT)
    t.match(await profile.textContent(), name, 'the name shows literally')
    t.equal(await profile.locator('img').count(), 0)
    t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
  })

  t.test('Reset all and Reset environment call the emulator and the page follows', async t => {
    const { emulator, page } = await open(t)
    for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'reset@example.com' } })
    await page.goto(`${emulator.url}/`)
    await page.locator('[data-testid="profile"]').first().waitFor(WAIT)
    page.once('dialog', d => { void d.dismiss() })
    await page.click('#reset-all')
    t.equal((await passcodesOf(emulator)).length, 1, 'dismissing the confirmation changes nothing')

    page.once('dialog', d => { void d.accept() })
    await page.click('#reset-all')
    await page.locator('#profiles .empty').waitFor(WAIT)
    t.strictSame(await passcodesOf(emulator), [], 'the emulator was reset')
    t.equal(await page.locator('[data-testid="passcode"]').count(), 0)

    for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: PHONE.clientId, phone: '+15555550124' } })
    await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'stays@example.com' } })
    await page.locator(`[data-env-id="${PHONE.environmentId}"]`).click()
    await page.locator('[data-testid="passcode"]').first().waitFor(WAIT)
    page.once('dialog', d => { void d.accept() })
    await page.click('#reset-env')
    await page.locator('#passcodes .empty').waitFor(WAIT)
    t.strictSame(await passcodesOf(emulator, PHONE.environmentId), [], 'the chosen environment was emptied')
    const kept = await (await fetch(`${emulator.url}/emulator/v1/environments/${DEFAULT.environmentId}/profiles`)).json() as { total: number }
    t.equal(kept.total, 1, 'the other environment kept its profile')
  })

  t.test('clock controls: hidden when the emulator answers 404 for its clock, posting advanceSeconds when it has one', async t => {
    // Both answers are stood in for by the browser, so this holds for builds with and without the control plane's clock.
    const { emulator, page } = await open(t)
    const asked: string[] = []
    await page.route('**/emulator/v1/clock', async route => {
      asked.push(route.request().method())
      await route.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"Not Found","instruction":"no clock"}' })
    })
    await page.goto(`${emulator.url}/`)
    await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, WAIT)
    t.strictSame(asked, ['GET'], 'the page asked once')
    t.equal(await page.locator('#clock').isVisible(), false, 'hidden on a 404')
    const refreshes = Number(await page.evaluate(() => document.body.dataset.refreshes))
    await refreshed(page)
    await page.waitForFunction(n => Number(document.body.dataset.refreshes) > n, refreshes, WAIT) // one more refresh
    t.strictSame(asked, ['GET'], 'and does not ask again')

    const page2 = await context.newPage()
    t.teardown(() => page2.close())
    let now = Date.UTC(2026, 0, 15, 9, 30)
    let offsetSeconds = 0
    const posted: unknown[] = []
    await page2.route('**/emulator/v1/clock', async route => {
      if (route.request().method() === 'POST') {
        const body = route.request().postDataJSON() as { advanceSeconds: number }
        posted.push(body)
        now += body.advanceSeconds * 1000
        offsetSeconds += body.advanceSeconds
      }
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ now: new Date(now).toISOString(), offsetSeconds }) })
    })
    await page2.goto(`${emulator.url}/`)
    await page2.locator('#clock').waitFor({ state: 'visible', ...WAIT })
    t.match(await page2.locator('#clock-offset').textContent(), 'real time')
    await page2.getByRole('button', { name: '+1 h' }).click()
    await page2.waitForFunction(() => document.querySelector('#clock-offset')?.textContent === '(+1h)', undefined, WAIT)
    await page2.getByRole('button', { name: '+10 min' }).click()
    await page2.waitForFunction(() => document.querySelector('#clock-offset')?.textContent === '(+1h 10m)', undefined, WAIT)
    t.strictSame(posted, [{ advanceSeconds: 3600 }, { advanceSeconds: 600 }])
    t.equal(await page2.locator('#clock-now').getAttribute('datetime'), new Date(now).toISOString())
  })

  t.test('with the control plane\'s clock: +10 min expires an outstanding passcode on the page', async t => {
    const { emulator, page } = await open(t)
    for (let i = 0; i < 2; i++) await post(`${emulator.url}/v1/users/session`, { session: { clientId: DEFAULT.clientId, email: 'late@example.com' } })
    await page.goto(`${emulator.url}/`)
    await page.locator('#clock').waitFor({ state: 'visible', ...WAIT })
    const row = page.locator('[data-testid="passcode"]').first()
    await row.waitFor(WAIT)
    t.equal(await row.getAttribute('data-state'), 'outstanding')
    await page.getByRole('button', { name: '+10 min' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="passcode"]')?.getAttribute('data-state') === 'expired', undefined, WAIT)
    const clock = await (await fetch(`${emulator.url}/emulator/v1/clock`)).json() as { now: string, offsetSeconds: number }
    t.equal(clock.offsetSeconds, 600, 'the emulator\'s clock moved')
    t.equal(await page.locator('#clock-offset').textContent(), '(+10m)')
    t.equal(await page.locator('#clock-now').getAttribute('datetime'), clock.now)
    t.equal((await passcodesOf(emulator))[0]!.state, 'expired')
  })

  t.test('behind an admin token, the page asks for it once and then sends it', async t => {
    const { emulator, page } = await open(t)
    // What --admin-token does to /emulator/ (except health), stood in for by the browser.
    const seen: Array<string | undefined> = []
    await page.route('**/emulator/v1/**', async route => {
      const auth = route.request().headers().authorization
      if (route.request().url().endsWith('/emulator/v1/health')) return route.continue()
      seen.push(auth)
      if (auth !== 'Bearer let-me-in') return route.fulfill({ status: 401, contentType: 'application/json', body: '{"message":"Not Authenticated","instruction":"admin token"}' })
      return route.continue()
    })
    await page.goto(`${emulator.url}/`)
    await page.locator('#auth').waitFor({ state: 'visible', ...WAIT })
    await page.fill('#token', 'let-me-in')
    await page.click('#auth-form button[type=submit]')
    await page.locator(`[data-env-id="${DEFAULT.environmentId}"]`).waitFor(WAIT)
    t.equal(await page.locator('#auth').isVisible(), false)
    t.equal(seen.at(-1), 'Bearer let-me-in')
    t.equal(await page.evaluate(() => localStorage.getItem('quiltt-mock.adminToken')), 'let-me-in', 'remembered for the next visit')
  })

  t.test('a page on another origin can call the emulator and read the Authorization header (CORS)', async t => {
    const { emulator } = await open(t)
    const app = createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>my app</title>') })
    await new Promise<void>(resolve => app.listen(0, '127.0.0.1', resolve))
    // The browser keeps its connection alive; close it rather than wait for it to time out.
    t.teardown(() => new Promise<void>(resolve => { app.close(() => resolve()); app.closeAllConnections() }))
    const origin = `http://localhost:${(app.address() as AddressInfo).port}`
    const page = await context.newPage()
    t.teardown(() => page.close())
    await page.goto(`${origin}/`)
    const result = await page.evaluate(async ({ url, clientId }) => {
      const res = await fetch(`${url}/v1/users/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Quiltt-SDK-Agent': 'Quiltt/6.1.0 (Browser)', 'X-Custom': 'yes' },
        body: JSON.stringify({ session: { clientId, email: 'browser@example.com' } })
      })
      const body = await res.json() as { token: string }
      return { status: res.status, authorization: res.headers.get('authorization'), token: body.token }
    }, { url: emulator.url, clientId: DEFAULT.clientId })
    t.equal(result.status, 201)
    t.equal(result.authorization, `Bearer ${result.token}`, 'the token header is readable from another origin')
  })

  t.test('/docs renders the API reference from local assets only', async t => {
    const { emulator, page, requests } = await open(t)
    await page.goto(`${emulator.url}/docs`)
    await page.locator('.swagger-ui .info .title').waitFor(WAIT)
    t.match(await page.locator('.swagger-ui .info .title').textContent(), 'quiltt-mock')
    await page.locator('.opblock-summary-path', { hasText: '/v1/users/session' }).first().waitFor(WAIT)
    t.ok(await page.locator('.opblock-tag', { hasText: 'emulator' }).count() > 0, 'the emulator operations are listed')
    t.strictSame(requests.filter(u => !u.startsWith(`${emulator.url}/`) && !u.startsWith('data:')), [], 'nothing loaded from elsewhere')
  })
})
