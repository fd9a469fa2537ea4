// Finds and launches Debian's chromium through playwright-core, for the browser test and the inspector screenshot.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Where Chromium may be: CHROMIUM_PATH when set, then Debian's package, then the usual other names. */
export const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .filter((p): p is string => typeof p === 'string' && p !== '')

export function findChromium (): string | undefined {
  return CHROMIUM_CANDIDATES.find(p => existsSync(p))
}

// Headless, offline and quiet: no sandbox (CI runs as root), no GPU, no calls home.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync']

/** A headless Chromium on a fresh profile directory, which `close()` removes. */
export async function launchChromium (executablePath: string, options: { width?: number, height?: number, colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext, close: () => Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'quiltt-mock-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args: ARGS,
      headless: true,
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      colorScheme: options.colorScheme ?? 'light',
      locale: 'en-US',
      timezoneId: 'UTC'
    })
    return { context, close: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }) } }
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true })
    throw err
  }
}
