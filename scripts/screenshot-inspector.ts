/**
 * Regenerates docs/inspector.png, the README's picture of the inspector:
 *   npx tsx scripts/screenshot-inspector.ts [out.png] [--dark]
 * Starts an emulator on a free port, fills it with scripts/demo-data.ts and photographs `/` in headless Chromium.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { ManualClock } from '../server/clock.js'
import { startEmulator } from '../server/index.js'
import { ROOT } from '../server/paths.js'
import { findChromium, launchChromium } from './chromium.js'
import { seedDemo } from './demo-data.js'

const args = process.argv.slice(2)
const out = args.find(a => !a.startsWith('--')) ?? join(ROOT, 'docs', 'inspector.png')
const executable = findChromium()
if (!executable) {
  process.stderr.write('No Chromium found: install Debian\'s chromium package (apt-get install chromium) or set CHROMIUM_PATH.\n')
  process.exit(1)
}

const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30))
const emulator = await startEmulator({ clock })
const { context, close } = await launchChromium(executable, { width: 1360, height: 900, colorScheme: args.includes('--dark') ? 'dark' : 'light' })
// The receivers the demo's webhook subscriptions post to: one answers 204, the other 503 (a retry shows).
const receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(req.url === '/failing' ? 503 : 204).end()) })
await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
try {
  await seedDemo(emulator.url, clock, { ok: `${base}/webhooks/quiltt`, failing: `${base}/failing` })
  // Deliveries go out after the requests that caused them: wait for the first attempts (the clock stands still, so no retry).
  await emulator.app.emulator.webhookDispatcher.idle()
  const page = await context.newPage()
  await page.goto(emulator.url + '/')
  await page.waitForSelector('[data-testid="profile"]')
  await page.screenshot({ path: out, fullPage: true })
  process.stdout.write(`wrote ${out}\n`)
} finally {
  await close()
  await emulator.close()
  receiver.closeAllConnections()
  receiver.close()
}
