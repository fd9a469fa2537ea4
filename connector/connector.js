/*
 * quiltt-mock's Connector script, served at /v1/connector.js (on every host: cdn.<QUILTT_API_DOMAIN>
 * included). It defines the global `Quiltt` that @quiltt/core and @quiltt/react call (their
 * ConnectorSDK) and opens the emulator's Connector page (/connector/<connectorId>, or
 * https://<connectorId>.quiltt.app/ when loaded from cdn.quiltt.io) in an iframe over the page, as
 * Quiltt's script does. The page talks back with Quiltt's iframe messages
 * ({source: 'quiltt', type: 'Load' | 'ExitSuccess' | 'ExitAbort' | 'ExitError' | 'Navigate'}), which
 * become the SDK's events. docs/connector.md.
 */
/* global location, Element, MutationObserver -- a browser script: the page's globals */
(() => {
  'use strict'
  if (window.Quiltt && window.Quiltt.emulated) return // loaded twice: keep the first, with its callbacks

  const NAMES = ['Event', 'Open', 'Load', 'Exit', 'ExitSuccess', 'ExitAbort', 'ExitError']
  // Message type from the page -> [SDK event type, the callback list it calls besides Event (and Exit)].
  const MESSAGES = {
    Load: ['loaded', 'Load'],
    ExitSuccess: ['exited.successful', 'ExitSuccess'],
    ExitAbort: ['exited.aborted', 'ExitAbort'],
    ExitError: ['exited.errored', 'ExitError']
  }
  // Where this script came from is where the emulator is: the Connector page is served there too.
  const scriptSrc = document.currentScript && document.currentScript.src
  const base = scriptSrc ? new URL(scriptSrc).origin : location.origin
  // Loaded from Quiltt's own CDN (cdn.quiltt.io, answered by quiltt-mock/playwright): open the page
  // where Quiltt's script does, https://<connectorId>.quiltt.app/, which the helper maps to
  // /connector/<connectorId>. An id that cannot be a host name keeps the path form (also routed).
  const onQuiltt = /(^|\.)quiltt\.io$/i.test(new URL(base).hostname)
  const CONNECTOR_HOST_ID = /^[a-z0-9][a-z0-9-]{0,62}$/

  // The on<Name>/off<Name> pairs of the SDK's CallbackManager, over one Set of callbacks per name.
  const callbackManager = (target, lists) => {
    for (const name of NAMES) {
      const list = lists[name] = new Set()
      target['on' + name] = callback => { if (typeof callback === 'function') list.add(callback) }
      target['off' + name] = callback => { list.delete(callback) }
    }
    return target
  }

  const globalCallbacks = {}
  const Quiltt = callbackManager({}, globalCallbacks)
  const connectors = new Map() // connectorId -> connector: connect() again with the same id updates it
  let token = null

  /** The profile id in a session token (its `uid` claim), for the `opened` event; not verified here. */
  const profileIdOf = value => {
    try {
      const payload = JSON.parse(atob(value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')))
      return typeof payload.uid === 'string' ? payload.uid : undefined
    } catch { return undefined }
  }

  const call = (list, args) => {
    for (const callback of Array.from(list)) {
      try { callback(...args) } catch (err) { setTimeout(() => { throw err }) } // one failing callback stops no other
    }
  }

  /** Calls one event's callbacks: the connector's, then the options given to connect(), then the global ones. */
  const emit = (connector, type, name, metadata) => {
    const isExit = type.startsWith('exited.')
    for (const lists of [connector.callbacks, connector.optionCallbacks(), globalCallbacks]) {
      call(lists.Event, [type, metadata])
      call(lists[name], [metadata])
      if (isExit) call(lists.Exit, [type, metadata])
    }
  }

  const pageUrl = (connector, mode) => {
    const url = onQuiltt && CONNECTOR_HOST_ID.test(connector.id)
      ? new URL('https://' + connector.id + '.quiltt.app/')
      : new URL(base + '/connector/' + encodeURIComponent(connector.id))
    const set = (key, value) => { if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value)) }
    set('token', token)
    set('connectionId', connector.options.connectionId)
    set('institution', connector.options.institution)
    set('themeMode', connector.options.themeMode)
    set('app_launcher_url', connector.options.appLauncherUrl)
    set('embed_location', location.href)
    set('mode', mode)
    return url.toString()
  }

  const makeConnector = (id, options) => {
    const connector = { id, options, callbacks: {}, frame: null, holder: null, metadata: null }
    connector.optionCallbacks = () => {
      const lists = {}
      for (const name of NAMES) lists[name] = typeof connector.options['on' + name] === 'function' ? [connector.options['on' + name]] : []
      return lists
    }
    const api = callbackManager({}, connector.callbacks)
    api.open = () => open(connector, 'MODAL')
    connector.api = api
    return connector
  }

  const close = connector => {
    if (connector.holder) connector.holder.remove()
    connector.holder = null
    connector.frame = null
  }

  /** Renders the page in an iframe: over the whole page (MODAL), or inside a quiltt-container element (INLINE). */
  const open = (connector, mode, container) => {
    if (connector.frame && connector.frame.isConnected) return // already open
    const holder = document.createElement('div')
    holder.className = 'quiltt--holder'
    holder.style.cssText = container
      ? 'width:100%;height:100%;min-height:600px'
      : 'position:fixed;inset:0;z-index:2147483647;background:transparent'
    const frame = document.createElement('iframe')
    frame.id = 'quiltt--frame'
    frame.title = 'Quiltt Connector'
    frame.setAttribute('data-quiltt-connector-id', connector.id)
    frame.setAttribute('allow', 'publickey-credentials-get *')
    frame.style.cssText = 'border:0;width:100%;height:100%;display:block;background:transparent;color-scheme:normal'
    frame.src = pageUrl(connector, mode)
    holder.appendChild(frame)
    ;(container || document.body).appendChild(holder)
    connector.holder = holder
    connector.frame = frame
    const profileId = token ? profileIdOf(token) : undefined
    connector.metadata = profileId ? { connectorId: connector.id, profileId } : { connectorId: connector.id }
    // After open() returns, as Quiltt's does: never inside the caller's click handler.
    setTimeout(() => emit(connector, 'opened', 'Open', connector.metadata), 0)
  }

  // The Connector page's messages: only from a frame this script made, and only Quiltt's shape.
  window.addEventListener('message', event => {
    const data = event.data
    if (!data || data.source !== 'quiltt' || typeof data.type !== 'string') return
    const connector = Array.from(connectors.values()).find(c => c.frame && c.frame.contentWindow === event.source)
    if (!connector) return
    if (data.type === 'Navigate') {
      if (typeof data.url === 'string' && /^https?:/.test(data.url)) window.open(data.url, '_blank', 'noopener')
      return
    }
    // After an error the page keeps showing why until the user closes it; then it asks to be removed.
    if (data.type === 'Close') { close(connector); return }
    const known = MESSAGES[data.type]
    if (!known) return
    const metadata = { connectorId: connector.id }
    for (const key of ['profileId', 'connectionId']) if (typeof data[key] === 'string') metadata[key] = data[key]
    if (data.connectorSession && typeof data.connectorSession.id === 'string') metadata.connectorSession = { id: data.connectorSession.id }
    if (typeof data.reason === 'string') metadata.reason = data.reason // why it failed, for a developer: the emulator's addition to Quiltt's metadata
    connector.metadata = metadata
    if (data.type === 'ExitSuccess' || data.type === 'ExitAbort') close(connector)
    emit(connector, known[0], known[1], metadata)
  })

  const connectorFor = (connectorId, options) => {
    if (typeof connectorId !== 'string' || connectorId === '') throw new Error('Quiltt.connect: a connectorId is required')
    let connector = connectors.get(connectorId)
    if (connector) connector.options = options || {}
    else connectors.set(connectorId, connector = makeConnector(connectorId, options || {}))
    return connector.api
  }

  Quiltt.emulated = true
  Quiltt.authenticate = value => {
    token = typeof value === 'string' && value !== '' ? value : null
    mountContainers() // a quiltt-container waits for the token: the SDK authenticates after the script loads
  }
  Quiltt.connect = (connectorId, options) => connectorFor(connectorId, Object.assign({}, options, { connectionId: undefined }))
  Quiltt.reconnect = (connectorId, options) => connectorFor(connectorId, Object.assign({}, options))
  Quiltt.resetConnector = connectorId => {
    const connector = connectors.get(connectorId)
    if (connector) { close(connector); connectors.delete(connectorId) }
  }
  Quiltt.reset = () => {
    for (const id of Array.from(connectors.keys())) Quiltt.resetConnector(id)
    for (const name of NAMES) globalCallbacks[name].clear()
    token = null
  }
  window.Quiltt = Quiltt

  // HTML attributes: a click on [quiltt-button] opens its connector; a [quiltt-container] holds one inline.
  const optionsOf = element => {
    const options = {}
    const attr = name => element.getAttribute(name) || undefined
    if (attr('quiltt-connection')) options.connectionId = attr('quiltt-connection')
    if (attr('quiltt-institution')) options.institution = attr('quiltt-institution')
    if (attr('quiltt-theme-mode')) options.themeMode = attr('quiltt-theme-mode')
    const launcher = attr('quiltt-app-launcher-url') || attr('quiltt-app-launcher-uri')
    if (launcher) options.appLauncherUrl = launcher
    return options
  }
  const connectorOf = element => {
    const id = element.getAttribute('quiltt-button') || element.getAttribute('quiltt-container')
    const options = optionsOf(element)
    // A connector the app made keeps its callbacks; the attributes only say which connection or institution.
    const existing = connectors.get(id)
    const merged = Object.assign({}, existing ? existing.options : {}, options)
    connectorFor(id, merged)
    return connectors.get(id)
  }
  document.addEventListener('click', event => {
    const button = event.target instanceof Element && event.target.closest('[quiltt-button]')
    if (!button || !button.getAttribute('quiltt-button')) return
    event.preventDefault()
    open(connectorOf(button), 'MODAL')
  })
  function mountContainers () {
    if (!token) return
    for (const element of document.querySelectorAll('[quiltt-container]')) {
      // Once per element: after its flow ends, the container stays empty until the app renders a new one.
      if (element.quilttMounted || !element.getAttribute('quiltt-container')) continue
      element.quilttMounted = true
      open(connectorOf(element), 'INLINE', element)
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountContainers)
  else mountContainers()
  new MutationObserver(mountContainers).observe(document.documentElement, { childList: true, subtree: true })
})()
