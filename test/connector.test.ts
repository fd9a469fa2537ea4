// The Connector stand-in without a browser: its script, its page and the calls the page and the SDK
// make (test/connector-browser.test.ts drives it in Chromium).
import vm from 'node:vm'
import t from 'tap'
import { bearer, build, DEFAULT } from './helper.js'

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

async function sessionToken (app: Awaited<ReturnType<typeof build>>['app'], email: string): Promise<{ token: string, userId: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: bearer(DEFAULT.secret), payload: { email } })
  return res.json() as { token: string, userId: string }
}

t.test('Connector sessions: started for the token\'s profile, ended once, as the environment\'s connector setting says', async t => {
  const { app, clock } = await build(t)
  const { token, userId } = await sessionToken(app, 'flow@example.com')
  const start = (connectorId: string, auth: Record<string, string>, payload: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: `/connector/${encodeURIComponent(connectorId)}/sessions`, headers: auth, payload })
  const finish = (id: string, auth: Record<string, string>, payload: Record<string, unknown>, connectorId = 'rbemt34osd') =>
    app.inject({ method: 'POST', url: `/connector/${connectorId}/sessions/${id}`, headers: auth, payload })

  const page = await app.inject({ url: '/connector/rbemt34osd?token=x&mode=INLINE' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], 'text/html')
  t.match(page.body, 'Select your institution')

  t.equal((await start('rbemt34osd', {})).statusCode, 401, 'no token: nobody to record it for')
  t.match((await start('rbemt34osd', bearer('not.a.token'))).json(), { message: 'Not Authenticated' })

  const opened = await start('rbemt34osd', bearer(token), { mode: 'MODAL', institution: 'Mock' })
  t.equal(opened.statusCode, 201)
  const session = opened.json() as Record<string, unknown>
  t.match(session, { connectorId: 'rbemt34osd', profileId: userId, environmentId: DEFAULT.environmentId, flow: 'connect', mode: 'MODAL', institution: 'Mock', status: 'open', reason: null, connectionId: null, connector: { outcome: 'success', auto: false } })

  const unknown = (await start('no such connector', bearer(token))).json() as Record<string, unknown>
  t.match(unknown, { status: 'errored', reason: /^Not Found: No Connector has the id `no such connector`/ }, 'an unknown connector id is an errored session, with its reason')

  const other = await sessionToken(app, 'other@example.com')
  t.equal((await finish(session.id as string, bearer(other.token), { action: 'close' })).statusCode, 404, 'another profile cannot end it')
  t.equal((await finish(session.id as string, bearer(token), { action: 'close' }, 'another')).statusCode, 404, 'nor through another connector id')
  t.equal((await finish(session.id as string, bearer(token), { action: 'jump' })).statusCode, 422)
  const closed = await finish(session.id as string, bearer(token), { action: 'close' })
  t.match(closed.json(), { status: 'aborted', reason: null })
  const again = await finish(session.id as string, bearer(token), { action: 'connect' })
  t.equal(again.statusCode, 409, 'a session ends once')
  t.match(again.json(), { message: 'Conflict', instruction: /has already ended \(aborted\)/ })

  // connector.outcome "error" and "abort": a connect ends that way.
  t.equal((await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { connector: { outcome: 'error' } } })).statusCode, 200)
  const s2 = (await start('rbemt34osd', bearer(token))).json() as { id: string, connector: unknown }
  t.strictSame(s2.connector, { outcome: 'error', auto: false })
  t.match((await finish(s2.id, bearer(token), { action: 'connect', institution: 'First Platypus Bank' })).json(),
    { status: 'errored', institution: 'First Platypus Bank', connectionId: null, reason: /First Platypus Bank could not be connected: this environment's connector.outcome is "error"/ })
  await app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { connector: { outcome: 'abort' } } })
  const s3 = (await start('rbemt34osd', bearer(token))).json() as { id: string }
  t.match((await finish(s3.id, bearer(token), { action: 'connect' })).json(), { status: 'aborted', connectionId: null })

  // The token expires while the page is open: the session ends errored, and the page gets the 401.
  const s4 = (await start('rbemt34osd', bearer(token))).json() as { id: string }
  clock.advance(86_400_000)
  t.equal((await finish(s4.id, bearer(token), { action: 'connect' })).statusCode, 401)

  const list = await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/connector-sessions` })
  const sessions = (list.json() as { connectorSessions: Array<{ id: string, status: string, reason: string | null }> }).connectorSessions
  t.strictSame(sessions.map(s => s.status), ['errored', 'aborted', 'errored', 'errored', 'aborted'], 'newest first, each with how it ended')
  t.match(sessions[0]!.reason, /^Not Authenticated/)
  t.equal(sessions[0]!.id, s4.id)
  t.equal((await app.inject({ url: '/emulator/v1/environments/env_nope/connector-sessions' })).statusCode, 404)

  // The journal has the page's requests and each outcome; the token in the page's URL is not kept.
  const journal = (await app.inject({ url: '/emulator/v1/requests' })).json() as { requests: Array<{ method: string, path: string, query: string | null, status: number, responseBody: Record<string, unknown> | null }> }
  const ended = journal.requests.find(r => r.method === 'POST' && r.path === `/connector/rbemt34osd/sessions/${session.id as string}` && r.status === 200)
  t.match(ended?.responseBody, { id: session.id, status: 'aborted' }, 'the journal shows how a session ended')
  await app.inject({ url: `/connector/rbemt34osd?token=${token}&mode=MODAL` })
  const pageRequest = ((await app.inject({ url: '/emulator/v1/requests' })).json() as typeof journal).requests.find(r => r.path === '/connector/rbemt34osd' && r.query?.includes('mode=MODAL'))
  t.match(pageRequest?.query, /token=.+&mode=MODAL/, 'the page request is journaled')
  t.notMatch(pageRequest?.query, token.split('.')[1]!, 'the session token in the page\'s URL is redacted')
})

t.test('the connector setting: defaults, PATCH keeps what is not sent, POST and fixtures take it, bad values are 422s', async t => {
  const { app } = await build(t, { fixtures: { environments: [{ id: 'env_connectorFixture', connector: { outcome: 'abort', auto: true } }] } })
  const env = (id: string) => app.inject({ url: '/emulator/v1/environments' }).then(r => (r.json() as { environments: Array<{ id: string, connector: unknown }> }).environments.find(e => e.id === id)!)
  t.strictSame((await env('env_connectorFixture')).connector, { outcome: 'abort', auto: true }, 'from the fixture')
  const created = await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: {} })
  t.strictSame((created.json() as { connector: unknown }).connector, { outcome: 'success', auto: false }, 'the default')
  const id = (created.json() as { id: string }).id
  const patch = (payload: unknown) => app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${id}`, payload: payload as Record<string, unknown> })
  t.strictSame((await patch({ connector: { auto: true } })).json().connector, { outcome: 'success', auto: true })
  t.strictSame((await patch({ connector: { outcome: 'error' } })).json().connector, { outcome: 'error', auto: true }, 'auto stays')
  const bad = await patch({ connector: { outcome: 'maybe', auto: 'yes', speed: 1 } })
  t.equal(bad.statusCode, 422)
  t.strictSame(bad.json(), { 'connector.outcome': ['must be one of: success, abort, error'], 'connector.auto': ['must be a boolean'], 'connector.speed': ['is not a known field (outcome, auto)'] })
  t.equal((await app.inject({ method: 'POST', url: '/emulator/v1/environments', payload: { connector: 'auto' } })).statusCode, 422)
  t.strictSame((await env(id)).connector, { outcome: 'error', auto: true }, 'nothing written by a refused PATCH')
})

t.test('a session keeps the connector setting in force when it started: a later PATCH changes neither what it shows nor how it ends', async t => {
  const { app } = await build(t)
  const { token } = await sessionToken(app, 'kept@example.com')
  const patch = (connector: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/emulator/v1/environments/${DEFAULT.environmentId}`, payload: { connector } })
  const start = async () => (await app.inject({ method: 'POST', url: '/connector/rbemt34osd/sessions', headers: bearer(token), payload: {} })).json() as { id: string }
  const finish = async (id: string) =>
    (await app.inject({ method: 'POST', url: `/connector/rbemt34osd/sessions/${id}`, headers: bearer(token), payload: { action: 'connect' } })).json() as Record<string, unknown>
  const listed = async () => ((await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/connector-sessions` })).json() as
    { connectorSessions: Array<{ id: string, status: string, connector: unknown }> }).connectorSessions

  t.equal((await patch({ outcome: 'success', auto: true })).statusCode, 200)
  const done = await start()
  t.match(await finish(done.id), { status: 'successful', connector: { outcome: 'success', auto: true } })
  // Started under success/auto, still open when the setting changes: it ends as it started.
  const open = await start()
  t.equal((await patch({ outcome: 'error', auto: false })).statusCode, 200)
  const later = await start()
  t.match(await finish(open.id), { status: 'successful', connectionId: /./, connector: { outcome: 'success', auto: true } }, 'ends by the setting it started under')
  t.match(await finish(later.id), { status: 'errored', connector: { outcome: 'error', auto: false } })

  const byId = new Map((await listed()).map(s => [s.id, s]))
  t.strictSame(byId.get(done.id)?.connector, { outcome: 'success', auto: true }, 'a finished session shows the setting it ran under, not the current one')
  t.strictSame(byId.get(open.id)?.connector, { outcome: 'success', auto: true })
  t.strictSame(byId.get(later.id)?.connector, { outcome: 'error', auto: false })
})

t.test('the SDK-only REST calls: their errors', async t => {
  const { app } = await build(t)
  const { token } = await sessionToken(app, 'sdk@example.com')
  const get = (url: string, auth: Record<string, string> = bearer(token)) => app.inject({ url, headers: auth })
  t.equal((await get('/v1/sdk/connectors/rbemt34osd/institutions?term=bank', {})).statusCode, 401)
  t.equal((await get('/v1/sdk/connectors/not%20one/institutions?term=bank')).statusCode, 404)
  t.equal((await get('/v1/sdk/connectors/rbemt34osd/institutions')).statusCode, 400, 'no term')
  t.equal((await get('/v1/sdk/connectors/rbemt34osd/resolvable?mock=x', {})).statusCode, 401)
  t.equal((await get('/v1/sdk/connectors/not%20one/resolvable?mock=x')).statusCode, 404)
  t.match((await get('/v1/sdk/connectors/rbemt34osd/resolvable')).json(), { message: 'Bad Request', instruction: /exactly one provider id/ })
  t.equal((await get('/v1/sdk/connectors/rbemt34osd/resolvable?mock=x&plaid=y')).statusCode, 400)
  t.strictSame((await get('/v1/sdk/connectors/rbemt34osd/resolvable?plaid=ins_1')).json(), { resolvable: false }, 'only MOCK institutions exist here')
})

t.test('with the bank data: institution search, resolvable, and a connect that makes a connection GraphQL returns', async t => {
  const { app } = await build(t)
  const { token, userId } = await sessionToken(app, 'bank@example.com')
  const search = await app.inject({ url: '/v1/sdk/connectors/rbemt34osd/institutions?term=PLATYPUS', headers: bearer(token) })
  t.equal(search.statusCode, 200)
  t.strictSame(search.json(), [{ name: 'First Platypus Bank', logoUrl: null }], 'Quiltt\'s shape, {name, logoUrl}, case-insensitive')
  t.ok((await app.inject({ url: '/v1/sdk/connectors/rbemt34osd/institutions?term=', headers: bearer(token) })).json().length > 5, 'an empty term lists them all')
  t.strictSame((await app.inject({ url: '/v1/sdk/connectors/rbemt34osd/resolvable?mock=First%20Platypus%20Bank', headers: bearer(token) })).json(), { resolvable: true })
  t.strictSame((await app.inject({ url: '/v1/sdk/connectors/rbemt34osd/resolvable?mock=Nobody%20Bank', headers: bearer(token) })).json(), { resolvable: false })

  const started = (await app.inject({ method: 'POST', url: '/connector/rbemt34osd/sessions', headers: bearer(token), payload: {} })).json() as { id: string }
  const ended = (await app.inject({ method: 'POST', url: `/connector/rbemt34osd/sessions/${started.id}`, headers: bearer(token), payload: { action: 'connect', institution: 'First Platypus Bank' } })).json() as { status: string, connectionId: string, profileId: string }
  t.match(ended, { status: 'successful', profileId: userId, connectionId: /./ })
  const answer = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(token), payload: { query: 'query ($id: ID!) { connection(id: $id) { id status institution { name } } }', variables: { id: ended.connectionId } } })
  t.match(answer.json(), { data: { connection: { id: ended.connectionId, status: 'SYNCED', institution: { name: 'First Platypus Bank' } } } })
})

t.test('GET a Connector session (the page polls it during OAuth) and the OAuth page', async t => {
  const { app } = await build(t)
  const { token } = await sessionToken(app, 'poll@example.com')
  const other = await sessionToken(app, 'poll-other@example.com')
  const started = (await app.inject({ method: 'POST', url: '/connector/rbemt34osd/sessions', headers: bearer(token), payload: {} })).json() as { id: string, oauthInstitutions: string[] }
  t.strictSame(started.oauthInstitutions, ['Northstar Mutual Bank'], 'the page learns which institutions sign in at their own page')
  const get = (id: string, auth: Record<string, string> = bearer(token), connectorId = 'rbemt34osd') => app.inject({ url: `/connector/${connectorId}/sessions/${id}`, headers: auth })
  t.match((await get(started.id)).json(), { id: started.id, status: 'open' })
  t.equal((await get(started.id, {})).statusCode, 401)
  t.equal((await get(started.id, bearer(other.token))).statusCode, 404, 'another profile\'s session')
  t.equal((await get(started.id, bearer(token), 'other1')).statusCode, 404, 'another connector\'s session')
  await app.inject({ method: 'POST', url: `/connector/rbemt34osd/sessions/${started.id}`, headers: bearer(token), payload: { action: 'close' } })
  t.match((await get(started.id)).json(), { status: 'aborted' }, 'what the OAuth page did shows')
  const page = await app.inject({ url: `/connector/rbemt34osd/oauth?session=${started.id}&institution=Northstar%20Mutual%20Bank` })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /id="approve"/)
})
