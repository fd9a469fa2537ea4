import type { Handlers } from '../http/operations.js'

/**
 * What the page gets for `<script src="https://cdn.<domain>/v1/connector.js">`: a `window.Quiltt` with
 * the methods @quiltt/react calls (ConnectorSDK in @quiltt/core's api/browser.ts), each of which says
 * in the console that the Connector is not emulated. A JSON 404 here was blocked by the browser
 * without a word (wrong MIME type for a script), and the button silently did nothing.
 */
export const CONNECTOR_SCRIPT = `/* quiltt-mock: a stand-in for the Quiltt Connector, which this emulator does not emulate. */
(() => {
  'use strict'
  const MESSAGE = 'quiltt-mock: the Quiltt Connector is not emulated. This emulator stands in for Quiltt\\'s ' +
    'authentication and profile APIs, not for linking bank accounts, so the Connector cannot open here.'
  const EXITED_ERRORED = 'exited.errored'
  const NAMES = ['Event', 'Open', 'Load', 'Exit', 'ExitSuccess', 'ExitAbort', 'ExitError']

  // The on<Name>/off<Name> pairs of the SDK's CallbackManager, over one Set of callbacks per name.
  const callbackManager = lists => {
    const target = {}
    for (const name of NAMES) {
      const list = lists[name] = new Set()
      target['on' + name] = callback => { list.add(callback) }
      target['off' + name] = callback => { list.delete(callback) }
    }
    return target
  }
  const global = {}
  const Quiltt = callbackManager(global)

  const connector = (connectorId, options, connectionId) => {
    console.error(MESSAGE, { connectorId })
    const own = {}
    const made = callbackManager(own)
    made.open = () => {
      console.error(MESSAGE + ' open() ends at once as ' + EXITED_ERRORED + '.', { connectorId })
      const metadata = connectionId ? { connectorId, connectionId } : { connectorId }
      // Later, as a real Connector's exit would be: never inside the caller's click handler.
      setTimeout(() => {
        for (const lists of [own, global]) {
          for (const cb of lists.Event) cb(EXITED_ERRORED, metadata)
          for (const cb of lists.ExitError) cb(metadata)
          for (const cb of lists.Exit) cb(EXITED_ERRORED, metadata)
        }
        options?.onEvent?.(EXITED_ERRORED, metadata)
        options?.onExitError?.(metadata)
        options?.onExit?.(EXITED_ERRORED, metadata)
      }, 0)
    }
    return made
  }

  Quiltt.authenticate = () => {}
  Quiltt.connect = (connectorId, options) => connector(connectorId, options)
  Quiltt.reconnect = (connectorId, options) => connector(connectorId, options, options?.connectionId)
  Quiltt.reset = () => {}
  Quiltt.resetConnector = () => {}
  window.Quiltt = Quiltt
})()
`

/** GET /v1/connector.js, on every host (cdn.<domain> included: the Host header is ignored). */
export function connectorRoutes (): Handlers {
  return {
    async connectorScript (_req, reply) {
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(CONNECTOR_SCRIPT)
    }
  }
}
