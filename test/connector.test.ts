// The Connector stand-in without a browser: its script, its page and the calls the page and the SDK
// make (test/connector-browser.test.ts drives it in Chromium).
import vm from 'node:vm'
import t from 'tap'
import { build } from './helper.js'

// The methods @quiltt/react calls on window.Quiltt (ConnectorSDK in @quiltt/core/src/api/browser.ts).
const CALLBACKS = ['Event', 'Open', 'Load', 'Exit', 'ExitSuccess', 'ExitAbort', 'ExitError'].flatMap(n => [`on${n}`, `off${n}`])
const SDK_METHODS = ['authenticate', 'connect', 'reconnect', 'reset', 'resetConnector', ...CALLBACKS]
const CONNECTOR_METHODS = ['open', ...CALLBACKS]

interface Sdk { [k: string]: (...args: unknown[]) => unknown }

/** Runs the script against a minimal document: enough for it to load, define Quiltt and listen. */
function load (script: string) {
  const listeners: Record<string, Array<(e: unknown) => void>> = {}
  const errors: unknown[] = []
  const window: { Quiltt?: Sdk, addEventListener: (n: string, f: (e: unknown) => void) => void } = {
    addEventListener: (n, f) => { (listeners[n] ??= []).push(f) }
  }
  const document = {
    currentScript: { src: 'http://cdn.localhost:4000/v1/connector.js?agent=x' },
    readyState: 'complete',
    addEventListener: window.addEventListener,
    querySelectorAll: () => [],
    documentElement: {}
  }
  class MutationObserver { observe () {} }
  vm.runInNewContext(script, { window, document, location: { origin: 'http://localhost:3000', href: 'http://localhost:3000/' }, MutationObserver, URL, console: { error: (...a: unknown[]) => errors.push(a), warn: (...a: unknown[]) => errors.push(a) } })
  return { Quiltt: window.Quiltt!, listeners, errors }
}

t.test('GET /v1/connector.js answers the script, on any host, with the SDK\'s query string', async t => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/v1/connector.js?agent=Quiltt%2F6.1.0', headers: { host: 'cdn.localhost:4000' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/javascript; charset=utf-8', 'a type browsers run as a script')
  t.equal(res.headers['cache-control'], 'no-store')
  t.doesNotThrow(() => new vm.Script(res.body), 'it is valid JavaScript')

  const { Quiltt, listeners, errors } = load(res.body)
  for (const m of SDK_METHODS) t.type(Quiltt[m], 'function', `Quiltt.${m}`)
  t.strictSame(errors, [], 'nothing logged on load')
  t.ok(listeners.message?.length, 'it listens for the Connector page\'s messages')
  t.ok(listeners.click?.length, 'and for clicks on quiltt-button elements')
  const connector = Quiltt.connect!('rbemt34osd', { institution: 'Mock Bank' }) as Sdk
  for (const m of CONNECTOR_METHODS) t.type(connector[m], 'function', `connector.${m}`)
  t.equal(Quiltt.connect!('rbemt34osd', {}), connector, 'one connector per connector id: connect() again updates it')
  t.not(Quiltt.connect!('other', {}), connector)
  Quiltt.resetConnector!('rbemt34osd')
  t.not(Quiltt.connect!('rbemt34osd', {}), connector, 'resetConnector forgets it')
  t.throws(() => Quiltt.connect!(''), /connectorId is required/)
  t.strictSame(errors, [])
})
