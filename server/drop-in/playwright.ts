/**
 * `quiltt-mock/playwright`: for end-to-end tests of browser code that calls Quiltt's own hosts (a
 * production build, or code that hard-codes `https://api.quiltt.io`). Given a Playwright browser
 * context (or page) and the emulator's URL, every request the page makes to `*.quiltt.io` and
 * `*.quiltt.app` is answered by the emulator: no rebuild, no config edit. The Connector's own host
 * `https://<connectorId>.quiltt.app/` is the emulator's `/connector/<connectorId>` page; every other
 * path is passed on as it is (the emulator serves every Quiltt host on one port). docs/drop-in.md.
 *
 * The request is made from Node (the test process), so CORS, TLS and DNS never reach Quiltt; the page
 * still sees its https://…quiltt.io/app origin, which is what @quiltt/vue's origin check wants.
 */
import { parseRedirect } from './intercept.js'

/** The part of Playwright's Route this uses (playwright and playwright-core both fit). */
export interface RouteLike {
  request (): { url (): string, method (): string, headers (): Record<string, string>, postDataBuffer (): Buffer | null }
  fulfill (response: { status: number, headers: Record<string, string>, body: Buffer }): Promise<void>
  abort (errorCode?: string): Promise<void>
}
/** A Playwright BrowserContext or Page (typed loosely, so any Playwright version's fits). */
export interface RoutableLike {
  route (url: RegExp, handler: (route: RouteLike) => unknown): Promise<unknown>
  unroute (url: RegExp, handler?: (route: RouteLike) => unknown): Promise<unknown>
}

export interface QuilttRouting {
  /** Where the requests go. */
  readonly url: string
  /** Stops answering Quiltt's hosts from the emulator. */
  unroute (): Promise<void>
}

/** Any http(s) URL on quiltt.io or quiltt.app, or a name under them. */
export const QUILTT_URLS = /^https?:\/\/(?:[A-Za-z0-9-]+\.)*quiltt\.(?:io|app)(?::\d+)?(?:[/?#]|$)/i
const CONNECTOR_HOST = /^([A-Za-z0-9_-]+)\.quiltt\.app$/i
// Headers that belong to one connection, not to the request or answer.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection', 'host', 'content-length'])

const bodyOf = (buffer: Buffer | null): Uint8Array<ArrayBuffer> | undefined => buffer === null ? undefined : Uint8Array.from(buffer)

/** The emulator URL that stands for a Quiltt URL. */
export function emulatorUrlFor (quilttUrl: string, emulatorUrl: string): string {
  const from = new URL(quilttUrl)
  const connector = CONNECTOR_HOST.exec(from.hostname)
  const path = connector && (from.pathname === '/' || from.pathname === '') ? `/connector/${connector[1]}` : from.pathname
  return `${emulatorUrl}${path}${from.search}`
}

/**
 * Answers the page's requests to Quiltt from the emulator at `url` (loopback only, unless
 * `allowRemote`). Each request carries `Quiltt-Mock-Redirected-From: <the origin it addressed>`, which
 * the emulator's journal shows.
 */
export async function routeQuilttToEmulator (target: RoutableLike, url: string, options: { allowRemote?: boolean } = {}): Promise<QuilttRouting> {
  const emulator = parseRedirect({ url, allowRemote: options.allowRemote }).url
  const handler = async (route: RouteLike): Promise<void> => {
    const request = route.request()
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(request.headers())) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v
    headers['quiltt-mock-redirected-from'] = new URL(request.url()).origin
    const method = request.method()
    let res: Response
    try {
      res = await fetch(emulatorUrlFor(request.url(), emulator), {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : bodyOf(request.postDataBuffer()),
        redirect: 'manual'
      })
    } catch {
      // The emulator is not running: the page sees a failed request, never Quiltt's answer.
      await route.abort('connectionrefused')
      return
    }
    const answer: Record<string, string> = {}
    res.headers.forEach((v, k) => { if (!HOP_BY_HOP.has(k) && k !== 'content-encoding') answer[k] = v })
    await route.fulfill({ status: res.status, headers: answer, body: Buffer.from(await res.arrayBuffer()) })
  }
  await target.route(QUILTT_URLS, handler)
  return { url: emulator, unroute: async () => { await target.unroute(QUILTT_URLS, handler) } }
}
