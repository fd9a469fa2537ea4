import vm from 'node:vm'
import t from 'tap'
import { CHROMIUM_CANDIDATES, findChromium, launchChromium } from '../scripts/chromium.js'
import { startEmulator } from '../server/index.js'
import { build } from './helper.js'

// The methods @quiltt/react calls on window.Quiltt (ConnectorSDK in @quiltt/core/src/api/browser.ts).
const CALLBACKS = ['Event', 'Open', 'Load', 'Exit', 'ExitSuccess', 'ExitAbort', 'ExitError'].flatMap(n => [`on${n}`, `off${n}`])
const SDK_METHODS = ['authenticate', 'connect', 'reconnect', 'reset', 'resetConnector', ...CALLBACKS].sort()
const CONNECTOR_METHODS = ['open', ...CALLBACKS].sort()

interface Sdk { [k: string]: (...args: unknown[]) => unknown }

t.test('GET /v1/connector.js answers a script, on any host, with the SDK\'s query string', async t => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/v1/connector.js?agent=Quiltt%2F6.1.0', headers: { host: 'cdn.localhost:4000' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/javascript; charset=utf-8', 'a type browsers run as a script')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.body, 'quiltt-mock: the Quiltt Connector is not emulated')
  t.doesNotThrow(() => new vm.Script(res.body), 'it is valid JavaScript')
})

t.test('window.Quiltt as the SDK uses it: connect logs, open() logs and exits as an error through every callback', async t => {
  const { app } = await build(t)
  const script = (await app.inject({ url: '/v1/connector.js' })).body
  const errors: unknown[][] = []
  const timers: Array<() => void> = []
  const window: { Quiltt?: Sdk } = {}
  vm.runInNewContext(script, { window, console: { error: (...a: unknown[]) => errors.push(a) }, setTimeout: (f: () => void) => timers.push(f) })
  const Quiltt = window.Quiltt!
  t.strictSame(Object.keys(Quiltt).sort(), SDK_METHODS, 'every method of ConnectorSDK')

  const calls: string[] = []
  const sdkLevel = (type: unknown, m: unknown) => calls.push(`Quiltt.onExit ${String(type)} ${JSON.stringify(m)}`)
  Quiltt.onExit!(sdkLevel)
  Quiltt.authenticate!('a-session-token')
  const connector = Quiltt.connect!('conn_1', { institution: 'x', onExitError: (m: unknown) => calls.push(`options.onExitError ${JSON.stringify(m)}`) }) as Sdk
  t.strictSame(Object.keys(connector).sort(), CONNECTOR_METHODS, 'every method of ConnectorSDKConnector')
  t.equal(errors.length, 1, 'connect() says it at once')
  t.match(errors[0]![0], /^quiltt-mock: the Quiltt Connector is not emulated\./)
  t.equal(JSON.stringify(errors[0]![1]), '{"connectorId":"conn_1"}')

  const removed = () => calls.push('removed')
  connector.onEvent!((type: unknown) => calls.push(`onEvent ${String(type)}`))
  connector.onExitError!((m: unknown) => calls.push(`onExitError ${JSON.stringify(m)}`))
  connector.onExit!((type: unknown) => calls.push(`onExit ${String(type)}`))
  connector.onExitSuccess!(removed)
  connector.onExit!(removed)
  connector.offExit!(removed)
  connector.open!()
  t.equal(errors.length, 2)
  t.match(errors[1]![0], 'open() ends at once as exited.errored')
  t.strictSame(calls, [], 'nothing is called inside open()')
  for (const run of timers.splice(0)) run()
  t.strictSame(calls, [
    'onEvent exited.errored',
    'onExitError {"connectorId":"conn_1"}',
    'onExit exited.errored',
    'Quiltt.onExit exited.errored {"connectorId":"conn_1"}',
    'options.onExitError {"connectorId":"conn_1"}'
  ], 'the exit callbacks, as an error; a removed callback is not called, nor a success')

  Quiltt.offExit!(sdkLevel)
  const again = Quiltt.reconnect!('conn_1', { connectionId: 'conn_abc' }) as Sdk
  const metadata: unknown[] = []
  again.onExitError!((m: unknown) => metadata.push(m))
  again.open!()
  for (const run of timers.splice(0)) run()
  t.equal(JSON.stringify(metadata), '[{"connectorId":"conn_1","connectionId":"conn_abc"}]', 'reconnect names the connection')
  t.equal(calls.length, 5, 'a callback removed from Quiltt is not called')
})

const executable = findChromium()
t.test('in Chromium, loaded from cdn.localhost as the SDK loads it', {
  skip: executable ? false : `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')})`
}, async t => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const { context, close } = await launchChromium(executable!)
  t.teardown(close)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  // With QUILTT_API_DOMAIN=localhost:<port> and QUILTT_API_INSECURE=true the SDK's cdnBase is http://cdn.localhost:<port>.
  await page.setContent(`<script src="http://cdn.localhost:${emulator.port}/v1/connector.js?agent=test"></script>`)
  const exit = await page.evaluate(() => new Promise(resolve => {
    const Quiltt = (window as unknown as { Quiltt: Sdk }).Quiltt
    Quiltt.authenticate!('token')
    const connector = Quiltt.connect!('conn_1', {}) as Sdk
    connector.onExit!((type: unknown, metadata: unknown) => resolve({ type, metadata }))
    connector.open!()
  }))
  t.strictSame(exit, { type: 'exited.errored', metadata: { connectorId: 'conn_1' } }, 'the exit callback ran in the page')
  t.equal(errors.length, 2, 'two console errors: connect and open')
  t.match(errors[1], /^quiltt-mock: the Quiltt Connector is not emulated\..*open\(\) ends at once as exited\.errored\./)
})
