// The Quiltt contract check as a pure function: hand-made pacts (v2, v3, v4) against the facts-only
// copy of Quiltt's published document. `quiltt-mock verify`'s use of it is in verify.test.ts.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { checkPactAgainstQuiltt, type Finding, type QuilttContractCheck } from '../../server/index.js'
import { ROOT } from '../../server/paths.js'
import { buildReport, formatReport } from '../../server/contract/report.js'
import { regexOverlaps, FORMATS } from '../../server/contract/formats.js'

const DOCUMENT = { source: 'quiltt-openapi-2026-04-01.json', apiVersion: '2026-04-01' }
const P_ID = 'p_1hyoxpVVFib1HngGwKAzIr'
const UUID = 'f5db0067-3482-4a3a-b05c-7b1b560d1fae'
const UUID_REGEX = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const AUTH = { Authorization: 'Bearer sk_sandbox_quilttmock_0000000000000000000000', 'Content-Type': 'application/json' }

type Rules = Record<string, unknown>
interface Http {
  method: string,
  path: string,
  headers?: Record<string, string>,
  body?: unknown,
  status?: number,
  resHeaders?: Record<string, string>,
  resBody?: unknown,
  rules?: Rules,
  headerRules?: Rules,
  states?: string[]
}

/** A v3 pact with these interactions. */
function v3 (...interactions: Http[]): unknown {
  return {
    consumer: { name: 'my-app' },
    provider: { name: 'quiltt' },
    metadata: { pactSpecification: { version: '3.0.0' } },
    interactions: interactions.map((i, n) => ({
      description: `interaction ${n + 1}`,
      providerStates: (i.states ?? []).map(name => ({ name })),
      request: { method: i.method, path: i.path, headers: i.headers ?? AUTH, ...(i.body !== undefined ? { body: i.body } : {}) },
      response: {
        status: i.status ?? 200,
        headers: i.resHeaders ?? { 'Content-Type': 'application/json; charset=utf-8' },
        ...(i.resBody !== undefined ? { body: i.resBody } : {}),
        matchingRules: { ...(i.rules ? { body: i.rules } : {}), ...(i.headerRules ? { header: i.headerRules } : {}) }
      }
    }))
  }
}

/** The same in v4's notation: typed interactions, header lists, bodies in `{content, contentType, encoded}`. */
function v4 (...interactions: Http[]): unknown {
  const body = (content: unknown) => content === undefined ? {} : { body: { content, contentType: 'application/json', encoded: false } }
  const lists = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]))
  return {
    consumer: { name: 'my-app' },
    provider: { name: 'quiltt' },
    metadata: { pactSpecification: { version: '4.0' } },
    interactions: interactions.map((i, n) => ({
      type: 'Synchronous/HTTP',
      description: `interaction ${n + 1}`,
      request: { method: i.method, path: i.path, headers: lists(i.headers ?? AUTH), ...body(i.body) },
      response: {
        status: i.status ?? 200,
        headers: lists(i.resHeaders ?? { 'Content-Type': 'application/json; charset=utf-8' }),
        ...body(i.resBody),
        matchingRules: { ...(i.rules ? { body: i.rules } : {}), ...(i.headerRules ? { header: i.headerRules } : {}) }
      }
    }))
  }
}

const m = (...matchers: Array<Record<string, unknown>>) => ({ combine: 'AND', matchers })
const like = { $: m({ match: 'type' }) }

/** Issue session (POST /v1/users/sessions) answering `status` with `resBody`. */
const issue = (resBody: unknown, rules?: Rules, extra: Partial<Http> = {}): Http =>
  ({ method: 'POST', path: '/v1/users/sessions', body: { userId: P_ID }, status: 201, resBody, ...(rules ? { rules } : {}), ...extra })

const currentSession = { token: 'aaa.bbb.ccc', userId: P_ID, userUuid: UUID, environmentId: 'env_1hyoxpVVFib1HngGwKAzIr', expiration: 1747346977, expiresAt: '2025-05-15T22:09:37Z' }
const legacySession = { id: '50fb243c-6d2e-45ba-b1a2-1b9774876a7c', expiration: 1747346977, userId: UUID, token: 'aaa.bbb.ccc' }

const findings = (check: QuilttContractCheck): Finding[] => check.interactions.flatMap(i => i.findings)
const only = (check: QuilttContractCheck, kind: Finding['kind']): Finding[] => findings(check).filter(f => f.kind === kind)
const where = (fs: Finding[]): string[] => fs.map(f => `${f.at} ${f.path}`)

t.test('the committed consumer pacts and the hand-written examples have no conflicts with Quiltt\'s document', async t => {
  const files = [
    ...readdirSync(join(ROOT, 'contracts', 'pacts')).map(f => join(ROOT, 'contracts', 'pacts', f)),
    ...readdirSync(join(ROOT, 'contracts', 'examples')).map(f => join(ROOT, 'contracts', 'examples', f))
  ].filter(f => f.endsWith('.json'))
  t.ok(files.length >= 4, 'two consumer pacts and two examples')
  let checked = 0
  for (const file of files) {
    const check = checkPactAgainstQuiltt(readFileSync(file, 'utf8'))
    checked += check.summary.checked
    const conflicts = only(check, 'conflict').map(f => `${f.at} ${f.path}: ${f.expected} / ${f.documented}`)
    t.strictSame(conflicts, [], `${file.slice(ROOT.length + 1)}: no conflicts`)
  }
  t.ok(checked >= 10, `the documented operations among them are checked (${checked})`)
})

t.test('a pact expecting the legacy session object conflicts, naming `id`, in v2, v3 and v4 notation', async t => {
  const v2 = {
    consumer: { name: 'old-app' },
    provider: { name: 'quiltt' },
    metadata: { pactSpecification: { version: '2.0.0' } },
    interactions: [{
      description: 'a legacy session',
      request: { method: 'POST', path: '/v1/users/sessions', headers: AUTH, body: { userId: UUID } },
      response: { status: 201, body: legacySession, matchingRules: { '$.body': { match: 'type' } } }
    }]
  }
  for (const [name, pact] of [['v2', v2], ['v3', v3(issue(legacySession, like))], ['v4', v4(issue(legacySession, like))]] as const) {
    const check = checkPactAgainstQuiltt(pact)
    const conflicts = only(check, 'conflict')
    // Matched by type from `$` down: the UUID userId is a string, as Quiltt's; only `id` is ruled out.
    t.strictSame(where(conflicts), ['response.body $.id'], `${name}: one conflict, at $.id`)
    t.match(conflicts[0]!.expected, 'a field `id`')
    t.match(conflicts[0]!.documented, /UserSession has no field `id` and allows no others .*its fields: token, userId, userUuid, environmentId, expiration, expiresAt/)
    t.equal(check.interactions[0]!.operation, 'POST /v1/users/sessions')
    t.match(check.document, DOCUMENT, `${name}: names the document used`)
  }
  // Quiltt's current session, matched the same way, is fine.
  t.strictSame(findings(checkPactAgainstQuiltt(v3(issue(currentSession, like)))), [])
})

t.test('a status Quiltt does not document is undocumented: reported, not a conflict', async t => {
  const limited = issue({ message: 'Too Many Requests', instruction: 'Sessions are limited.' }, { '$.instruction': m({ match: 'type' }) },
    { status: 429, resHeaders: { 'Content-Type': 'application/json', 'Retry-After': '3600' }, states: ['the session limit is reached'] })
  const check = checkPactAgainstQuiltt(v4(limited))
  t.equal(check.summary.conflicts, 0)
  t.equal(check.summary.undocumented, 1)
  t.match(only(check, 'undocumented')[0], {
    at: 'response.status',
    path: '$',
    expected: 'status 429',
    documented: 'lists 201, 401, 403, 409, 422 for POST /v1/users/sessions'
  })
  const unknownUser = checkPactAgainstQuiltt(v3({ ...limited, status: 404 }))
  t.match(only(unknownUser, 'undocumented'), [{ expected: 'status 404' }], '404 for an unknown userId too')
})

t.test('types: a number where Quiltt says string, and the other way round, are conflicts; matchers decide what is compared', async t => {
  const cases: Array<[string, unknown, Rules | undefined, string[]]> = [
    ['a literal number for a string', { ...currentSession, token: 42 }, undefined, ['response.body $.token']],
    ['a type matcher with a number example', { ...currentSession, userId: 42 }, like, ['response.body $.userId']],
    ['a string where Quiltt says number', { ...currentSession, expiration: '1747346977' }, like, ['response.body $.expiration']],
    ['an integer matcher on a string field', currentSession, { '$.userUuid': m({ match: 'integer' }) }, ['response.body $.userUuid']],
    ['a decimal matcher where an integer fits', currentSession, { '$.expiration': m({ match: 'decimal' }) }, []],
    ['a null matcher on a field that is never null', currentSession, { '$.token': m({ match: 'null' }) }, ['response.body $.token']],
    ['a boolean matcher on a UUID', currentSession, { '$.userUuid': m({ match: 'boolean' }) }, ['response.body $.userUuid']],
    ['an object where Quiltt says string', { ...currentSession, token: { value: 'x' } }, undefined, ['response.body $.token']],
    ['an array body where Quiltt says object', [currentSession], like, ['response.body $']],
    ['a literal value in the wrong format', { ...currentSession, expiresAt: 'tomorrow' }, undefined, ['response.body $.expiresAt']]
  ]
  for (const [name, body, rules, expected] of cases) {
    const check = checkPactAgainstQuiltt(v3(issue(body, rules)))
    t.strictSame(where(only(check, 'conflict')), expected, name)
  }
  const wrong = only(checkPactAgainstQuiltt(v3(issue({ ...currentSession, userId: 42 }, like))), 'conflict')[0]!
  t.equal(wrong.expected, 'a number (type matcher, example the number 42)')
  t.equal(wrong.documented, 'UserSession.userId is a string (format global_id-v1)')
})

t.test('regexes are compared with the documented format when that can be decided, and said to be undecided when not', async t => {
  const cases: Array<[string, string, Finding['kind'] | 'fine']> = [
    // The Pact Verifier matches a regex against the whole value: `^p_` matches only "p_" itself.
    ['^p_', 'userId', 'conflict'],
    ['p_', 'userId', 'conflict'],
    ['^p_.*$', 'userId', 'fine'],
    ['p_[0-9A-Za-z]+', 'userId', 'fine'],
    ['^p_[A-Za-z0-9]{22}$', 'userId', 'fine'],
    [UUID_REGEX, 'userId', 'conflict'],
    ['[0-9a-f]{8}-[0-9a-f]{4}', 'userId', 'conflict'],
    ['^env_\\w+$', 'userId', 'fine'], // global_id-v1 does not say which prefix
    ['^(p|env)_\\w+$|^\\d+$', 'userId', 'fine'],
    [UUID_REGEX, 'userUuid', 'fine'],
    ['^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$', 'expiresAt', 'fine'],
    ['^\\d{10}$', 'expiresAt', 'conflict'],
    ['^\\d+$', 'expiration', 'fine'],
    ['^[a-z]+$', 'expiration', 'conflict'],
    ['^[\\w-]+\\.[\\w-]+\\.[\\w-]+$', 'token', 'fine'],
    ['^[^.]+$', 'token', 'conflict'],
    ['^(?=p_)', 'userId', 'undecided'], // lookahead: not a finite automaton's
    ['(?i)^P_', 'userId', 'undecided'] // Rust's inline flag: not JavaScript
  ]
  for (const [regex, field, kind] of cases) {
    const body = { ...currentSession, [field]: 'x' }
    const check = checkPactAgainstQuiltt(v3(issue(body, { [`$.${field}`]: m({ match: 'regex', regex }) })))
    const fs = findings(check)
    if (kind === 'fine') t.strictSame(fs, [], `/${regex}/ on ${field}: fine`)
    else t.strictSame(fs.map(f => [f.kind, f.path]), [[kind, `$.${field}`]], `/${regex}/ on ${field}: ${kind}`)
  }
  const undecided = only(checkPactAgainstQuiltt(v3(issue({ ...currentSession, userId: 'x' }, { '$.userId': m({ match: 'regex', regex: '^(?=p_)' }) }))), 'undecided')[0]!
  t.match(undecided.documented, /UserSession\.userId is a string \(format global_id-v1\); not decided: .*lookaround/)
  // Enums are tested value by value.
  const mode = (regex: string) => checkPactAgainstQuiltt(v3({
    method: 'POST',
    path: '/v1/introspect/api_key',
    resBody: { id: 'api_1', name: 'k', apiVersion: '2026-04-01', environment: { id: 'env_1', name: 'Sandbox', mode: 'SANDBOX' } },
    rules: { '$.environment.mode': m({ match: 'regex', regex }) }
  }))
  t.strictSame(findings(mode('^(SANDBOX|PRODUCTION)$')), [])
  t.match(only(mode('^LIVE$'), 'conflict'), [{ path: '$.environment.mode', documented: /APIKey\.environment\.mode is one of "TEST", "SANDBOX", "PRODUCTION", and no such value matches/ }])
})

t.test('regexOverlaps decides against every format grammar, matching the whole value as the Pact Verifier does', async t => {
  t.same(regexOverlaps('^p_.+$', [FORMATS['global_id-v1']!]), { overlap: true })
  t.same(regexOverlaps('^p_', [FORMATS['global_id-v1']!]), { overlap: false }, 'the whole value: "p_" alone is no global id')
  t.same(regexOverlaps('^P_.+', [FORMATS['global_id-v1']!]), { overlap: false }, 'global ids are lowercase before the underscore')
  t.same(regexOverlaps('.*-.*', [FORMATS['global_id-v1']!]), { overlap: false }, 'global ids have no dash')
  t.same(regexOverlaps('^\\+1\\d{10}$', [FORMATS['E.164']!]), { overlap: true })
  t.same(regexOverlaps('^\\d{3}-\\d{4}$', [FORMATS['E.164']!]), { overlap: false })
  t.same(regexOverlaps('.+@example\\.com$', [FORMATS.email!]), { overlap: true })
  t.same(regexOverlaps('@example\\.com$', [FORMATS.email!]), { overlap: false }, 'the whole value must match, and an email has something before the @')
  t.same(regexOverlaps('^\\d{4}-\\d{2}-\\d{2}$', [FORMATS.date!]), { overlap: true })
  t.same(regexOverlaps('^\\d{2}/\\d{2}/\\d{4}$', [FORMATS.date!]), { overlap: false })
  t.match(regexOverlaps('(a)(?<=a)b', [FORMATS.uuid!]), { undecidable: /lookaround/ })
  t.match(regexOverlaps('[', [FORMATS.uuid!]), { undecidable: /not a regular expression JavaScript reads/ })
})

t.test('a documented status with another body shape conflicts', async t => {
  // 422 is Quiltt's field map ({field: [messages]}), not {message, instruction}.
  const wrongShape = checkPactAgainstQuiltt(v3({
    method: 'PATCH',
    path: '/v1/profiles/p_1hyoxpVVFib1HngGwKAzIr',
    body: { email: 'not-an-email' },
    status: 422,
    resBody: { message: 'Unprocessable', instruction: 'Fix it' },
    rules: { '$.message': m({ match: 'type' }), '$.instruction': m({ match: 'type' }) }
  }))
  t.strictSame(where(only(wrongShape, 'conflict')), ['response.body $.message', 'response.body $.instruction'])
  t.match(only(wrongShape, 'conflict')[0]!.documented, 'ValidationErrors.message is an array')
  t.equal(wrongShape.interactions[0]!.operation, 'PATCH /v1/profiles/{id}', 'path parameters match')
  // The field map itself is fine.
  t.strictSame(findings(checkPactAgainstQuiltt(v3({ method: 'PATCH', path: `/v1/profiles/${P_ID}`, body: { email: 'x' }, status: 422, resBody: { email: ['is invalid'] }, rules: like }))), [])

  const revokeWithBody = checkPactAgainstQuiltt(v3({ method: 'DELETE', path: '/v1/users/session', headers: { Authorization: 'Bearer a.b.c' }, status: 204, resBody: { revoked: true } }))
  t.match(only(revokeWithBody, 'conflict'), [{ at: 'response.body', path: '$', expected: 'an object', documented: '204 has no body' }])

  const text = checkPactAgainstQuiltt(v3(issue('created', undefined, { resHeaders: { 'Content-Type': 'text/plain' } })))
  t.match(only(text, 'conflict'), [{ at: 'response.headers', path: 'Content-Type', expected: 'a text/plain body', documented: '201 is application/json' }])
})

t.test('a request Quiltt\'s schema rejects conflicts when the pact expects success, and is fine when it expects the error', async t => {
  const send = (body: unknown, status = 201, headers: Record<string, string> = AUTH) => checkPactAgainstQuiltt(v3({ method: 'POST', path: '/v1/users/sessions', headers, body, status, resBody: currentSession, rules: like }))
  t.strictSame(findings(send({})), [], '{} creates a profile')
  t.strictSame(findings(send({ userId: P_ID, email: 'joe@example.com', names: { first: 'Joe', last: 'Exotic' } })), [], 'names.full is read-only: not required in a request')
  t.strictSame(where(only(send({ uuid: 'not-a-uuid' }), 'conflict')), ['request.body $.uuid'])
  t.strictSame(where(only(send({ userId: P_ID, email: 42 }), 'conflict')), ['request.body $.email'])
  t.strictSame(where(only(send({ address: { line1: '1 Main St', countryCode: 'CAN' } }), 'conflict')).sort(),
    ['request.body $.address', 'request.body $.address', 'request.body $.address', 'request.body $.address.countryCode'].sort())
  t.match(only(send({ metadata: {} }), 'conflict'), [{ path: '$.metadata', expected: 'sends an object', documented: /at least 1 field/ }])
  t.match(only(send({ uuid: 'not-a-uuid' }, 422), 'conflict'), [], 'expecting 422 for it is what Quiltt promises')
  t.match(only(send({}, 201, { 'Content-Type': 'application/json' }), 'conflict'), [{ at: 'request.headers', path: 'Authorization', expected: 'sends no Authorization header', documented: 'requires Authorization: Bearer (APISecretBearerAuth)' }])
  t.match(only(send({}, 201, { Authorization: 'Basic dXNlcjpwYXNz' }), 'conflict'), [{ path: 'Authorization', expected: 'sends Authorization: Basic ...' }])
  t.match(only(send({ userId: P_ID, favouriteColour: 'teal' }), 'undocumented'), [{ at: 'request.body', path: '$.favouriteColour', expected: 'sends a field `favouriteColour`' }])
})

t.test('operations Quiltt\'s document does not describe are not checked, and say why', async t => {
  const check = checkPactAgainstQuiltt(v3(
    { method: 'GET', path: '/emulator/v1/health', status: 200 },
    { method: 'POST', path: '/v1/users/session', body: { session: { clientId: 'quilttmock', email: 'a@example.com' } }, status: 202 },
    { method: 'PUT', path: '/v1/graphql', body: { query: '{ profile { id } }' }, status: 200 },
    { method: 'GET', path: '/v1/profiles/p_1', status: 200, resBody: [] }
  ))
  t.strictSame(check.interactions.map(i => [i.checked, i.reason ?? i.operation]), [
    [false, 'the emulator\'s own API, not Quiltt\'s'],
    [false, 'Quiltt\'s document does not describe POST /v1/users/session; only its 201 body, a UserSession, is checked'],
    [false, 'Quiltt\'s GraphQL API is POST (and GET); PUT is not checked'],
    [true, 'GET /v1/profiles/{id}']
  ])
  t.match(check.summary, { interactions: 4, checked: 1, notChecked: 3, conflicts: 1 })
  const messages = checkPactAgainstQuiltt({ interactions: [{ type: 'Asynchronous/Messages', description: 'an event', contents: {} }], metadata: { pactSpecification: { version: '4.0' } } })
  t.match(messages.interactions[0], { checked: false, reason: /Asynchronous\/Messages interaction/ })
})

t.test('matching rules: cascade, OR, eachLike arrays, values, arrayContains, v4 statusCode, generators', async t => {
  const profile = { id: P_ID, uuid: UUID, metadata: null, email: 'a@example.com', phone: null, name: null, names: null, dateOfBirth: null, address: null, at: '2026-01-01T00:00:00Z', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }
  const list = (resBody: unknown, rules: Rules) => checkPactAgainstQuiltt(v3({ method: 'GET', path: '/v1/profiles', status: 200, resBody, rules }))
  t.strictSame(findings(list([profile], { $: m({ match: 'type', min: 1 }) })), [], 'eachLike of profiles')
  t.strictSame(where(only(list([{ ...profile, id: 5 }], { $: m({ match: 'type', min: 1 }) }), 'conflict')), ['response.body $[0].id'], 'cascades into elements')
  t.strictSame(findings(list([{ ...profile, id: 5 }], { $: m({ match: 'type', min: 1 }), '$[*].id': m({ match: 'regex', regex: '^p_.+$' }) })), [], 'a more specific rule wins over the cascade')
  t.strictSame(findings(list([{ ...profile, metadata: { plan: 'gold', seats: 3 } }], { '$[*].metadata': m({ match: 'values' }) })), [], 'values: free-form metadata')
  t.strictSame(findings(list([profile, { ...profile, id: 'p_2' }], { $: m({ match: 'arrayContains', variants: [{ index: 1, rules: { '$.id': m({ match: 'regex', regex: '^p_.+$' }) } }] }) })), [], 'arrayContains variant')
  t.strictSame(where(only(list([profile], { $: m({ match: 'arrayContains', variants: [{ index: 0, rules: { '$.id': m({ match: 'integer' }) } }] }) }), 'conflict')), ['response.body $[0].id'], 'arrayContains variant rules are relative to the element')
  const fieldMap = (rule: Record<string, unknown>) => checkPactAgainstQuiltt(v4({ method: 'PATCH', path: `/v1/profiles/${P_ID}`, body: { email: 'x' }, status: 422, resBody: { email: ['is invalid'] }, rules: { $: m(rule) } }))
  t.strictSame(findings(fieldMap({ match: 'eachValue', rules: [{ match: 'type' }] })), [], 'eachValue: every message list by type')
  t.strictSame(where(only(fieldMap({ match: 'eachValue', rules: [{ match: 'integer' }] }), 'conflict')), ['response.body $.email'], 'eachValue\'s rules reach the values')
  t.strictSame(findings(fieldMap({ match: 'eachKey', rules: [{ regex: '^[a-z]+$' }] })), [], 'eachKey: keys are not expectations')
  t.strictSame(findings(checkPactAgainstQuiltt(v3(issue(currentSession, { '$.userId': { combine: 'OR', matchers: [{ match: 'regex', regex: UUID_REGEX }, { match: 'regex', regex: '^p_.+$' }] } })))), [], 'OR: one matcher Quiltt can satisfy is enough')
  t.strictSame(where(only(checkPactAgainstQuiltt(v3(issue(currentSession, { '$.userId': { combine: 'AND', matchers: [{ match: 'type' }, { match: 'regex', regex: UUID_REGEX }] } }))), 'conflict')), ['response.body $.userId'], 'AND: each matcher must be satisfiable')

  const withStatusRule = (status: unknown) => {
    const pact = v4(issue({ message: 'x', instruction: 'y' }, like, { status: 401 })) as { interactions: Array<{ response: { matchingRules: Rules } }> }
    pact.interactions[0]!.response.matchingRules.status = m({ match: 'statusCode', status })
    return checkPactAgainstQuiltt(pact)
  }
  t.strictSame(findings(withStatusRule('clientError')), [], 'a client error: Quiltt documents several')
  t.match(only(withStatusRule('serverError'), 'undocumented'), [{ expected: 'a serverError status (statusCode matcher)' }])

  // A value the verifier fills in from a provider state is compared by type.
  const generated = v4(issue({ ...currentSession, userId: '${userId}' })) as { interactions: Array<{ response: Record<string, unknown> }> }
  generated.interactions[0]!.response.generators = { body: { '$.userId': { type: 'ProviderState', expression: '${userId}' } } }
  t.strictSame(findings(checkPactAgainstQuiltt(generated)), [], 'a ProviderState generator: the example is a placeholder')
})

t.test('fields and headers Quiltt does not mention are undocumented; documented headers are compared', async t => {
  const error = checkPactAgainstQuiltt(v3(issue({ message: 'Unauthorized', instruction: 'Check the key', error: 'invalid_key' }, like, { status: 401, resHeaders: { 'Content-Type': 'application/json', 'X-Request-Id': 'abc' } })))
  t.strictSame(only(error, 'undocumented').map(f => [f.at, f.path, f.documented]), [
    ['response.body', '$.error', 'RestError does not mention `error`'],
    ['response.headers', 'X-Request-Id', 'mentions no headers for 401']
  ])
  t.equal(error.summary.conflicts, 0)
  t.match(only(checkPactAgainstQuiltt(v3(issue({ message: 'x', instruction: 'y', constructor: 'z' }, like, { status: 401 }))), 'undocumented'), [{ path: '$.constructor' }], 'field names are names, not object keys of the checker')
  const paged = (value: string, headerRules?: Rules) => checkPactAgainstQuiltt(v3({ method: 'GET', path: '/v1/profiles', status: 200, resHeaders: { 'Content-Type': 'application/json', 'Total-Count': value }, resBody: [], ...(headerRules ? { headerRules } : {}) }))
  t.strictSame(findings(paged('3')), [])
  t.match(only(paged('three'), 'conflict'), [{ at: 'response.headers', path: 'Total-Count', documented: 'the Total-Count header is an integer' }])
  t.strictSame(findings(paged('x', { 'Total-Count': m({ match: 'regex', regex: '^\\d+$' }) })), [])
  t.match(only(paged('x', { 'Total-Count': m({ match: 'regex', regex: '^[a-z]+$' }) }), 'conflict'), [{ path: 'Total-Count' }])
})

t.test('what cannot be read is undecided, never a guess', async t => {
  const contentType = checkPactAgainstQuiltt(v3(issue(currentSession, { '$.token': m({ match: 'contentType', value: 'image/png' }) })))
  t.match(only(contentType, 'undecided'), [{ path: '$.token', documented: /not decided: the check reads JSON only/ }])
  const unreadable = checkPactAgainstQuiltt(v3(issue({ ...currentSession, id: 'x' }, { '$..id': m({ match: 'type' }) })))
  t.match(findings(unreadable), [{ kind: 'undecided', path: '$..id' }], 'a rule path it cannot read: the body is not compared')
  const dates = checkPactAgainstQuiltt(v3(issue(currentSession, { '$.userUuid': m({ match: 'timestamp', format: 'yyyy-MM-dd' }), '$.expiresAt': m({ match: 'timestamp', format: "yyyy-MM-dd'T'HH:mm:ssX" }) })))
  t.strictSame(findings(dates).map(f => [f.kind, f.path]), [['undecided', '$.userUuid']], 'a date pattern against a non-date format')
  const encoded = v4(issue(currentSession)) as { interactions: Array<{ response: { body: Record<string, unknown> } }> }
  encoded.interactions[0]!.response.body = { content: 'eyJ0b2tlbiI6MX0=', contentType: 'application/json', encoded: 'base64' }
  t.match(findings(checkPactAgainstQuiltt(encoded)), [{ kind: 'undecided', at: 'response.body', documented: /base64-encoded/ }])
})

t.test('the report: per interaction the finding, where, what each side says, the document and a summary', async t => {
  const pact = v3(issue(legacySession, like), issue({ message: 'x', instruction: 'y' }, like, { status: 429 }), { method: 'GET', path: '/emulator/v1/health' })
  const check = checkPactAgainstQuiltt(JSON.stringify(pact))
  const report = buildReport(check.document, [{ source: 'pacts/old-app.json', check }], { passed: true, failedInteractions: 0 })
  t.match(report.summary, { pacts: 1, interactions: 3, checked: 2, notChecked: 1, conflicts: 1, undocumented: 1, undecided: 0 })
  t.equal(JSON.parse(JSON.stringify(report)).pacts[0].interactions[0].findings[0].path, '$.id', 'plain JSON')
  const text = formatReport(report)
  t.match(text, 'Quiltt contract check against quiltt-openapi-2026-04-01.json (Quiltt API version 2026-04-01)')
  t.match(text, /pacts\/old-app\.json \(my-app -> quiltt\)\n {2}"interaction 1" \(POST \/v1\/users\/sessions -> 201\)\n {4}conflict at response\.body \$\.id\n {6}pact expects: {6}a field `id`\n {6}Quiltt's document: UserSession has no field `id`/)
  t.match(text, /"interaction 2" \(POST \/v1\/users\/sessions -> 429\)\n {4}undocumented at response\.status \$/)
  t.match(text, /not checked: GET \/emulator\/v1\/health \(1 interaction\): the emulator's own API/)
  t.match(text, /\nQuiltt contract check: 1 conflict, 1 undocumented, 0 undecided in 2 checked interactions \(1 not checked: operations Quiltt's document does not describe\), against quiltt-openapi-2026-04-01\.json \(Quiltt API version 2026-04-01\)\n$/)
})

t.test('checkPactAgainstQuiltt refuses what is not a pact', async t => {
  t.throws(() => checkPactAgainstQuiltt({ hello: 'world' }), /not a pact: it has no "interactions" array/)
  t.throws(() => checkPactAgainstQuiltt('{"interactions": ['), SyntaxError)
})

t.test('identify, authenticate and ping are checked for their success body, Quiltt\'s UserSession, and nothing else', async t => {
  const sdk = { 'Content-Type': 'application/json' }
  const identifyBody = { session: { clientId: 'quilttmock', email: 'x@example.com' } }
  const passwordless = (method: string, status: number, resBody?: unknown, headers: Record<string, string> = sdk): Http =>
    ({ method, path: '/v1/users/session', headers, body: method === 'GET' ? undefined : identifyBody, status, ...(resBody === undefined ? {} : { resBody }), rules: like })
  const legacy = checkPactAgainstQuiltt(v3(passwordless('POST', 201, legacySession), passwordless('PUT', 201, legacySession), passwordless('GET', 200, legacySession, { Authorization: 'Bearer aaa.bbb.ccc' })))
  t.strictSame(legacy.interactions.map(i => [i.operation, i.checked]), [['POST /v1/users/session', true], ['PUT /v1/users/session', true], ['GET /v1/users/session', true]])
  for (const i of legacy.interactions) {
    t.ok(i.findings.some(f => f.kind === 'conflict' && f.path === '$.id'), `${i.operation}: the legacy id is a conflict`)
  }
  const current = checkPactAgainstQuiltt(v3(passwordless('POST', 201, { token: 'aaa.bbb.ccc' }), passwordless('GET', 200, currentSession, { Authorization: 'Bearer aaa.bbb.ccc' })))
  t.strictSame(findings(current), [], 'the SDK\'s {token} and Quiltt\'s current session: nothing to report, no Authorization asked of identify')
  const accepted = checkPactAgainstQuiltt(v3(passwordless('POST', 202), passwordless('PUT', 401, { message: 'x', instruction: 'y' })))
  t.strictSame(accepted.interactions.map(i => [i.checked, i.reason]), [
    [false, 'Quiltt\'s document does not describe POST /v1/users/session; only its 201 body, a UserSession, is checked'],
    [false, 'Quiltt\'s document does not describe PUT /v1/users/session; only its 201 body, a UserSession, is checked']
  ], 'other statuses are not checked: Quiltt documents nothing of them')
})
