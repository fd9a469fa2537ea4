import t from 'tap'
import { JsonWebTokenParse, type PrivateClaims } from '@quiltt/core/auth'
import { build, DEFAULT, expectStatus, identify, passcodes, PHONE, settings, WITH_PHONE } from './helper.js'

t.test('a new email creates a profile and answers 201 with the session in the body and the Authorization header', async t => {
  const { app } = await build(t)
  const res = await identify(app, { email: 'new@example.com' })
  expectStatus(t, res, 201)
  const body = res.json()
  t.strictSame(Object.keys(body), ['token', 'userId', 'userUuid', 'environmentId', 'expiration', 'expiresAt'], 'Quiltt\'s UserSession, exactly')
  t.equal(res.headers.authorization, `Bearer ${body.token}`)
  t.equal(body.environmentId, DEFAULT.environmentId)
  t.match(body.userId, /^p_[0-9A-Za-z]{22}$/, 'userId is the profile\'s p_ id')
  t.match(body.userUuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal(body.expiresAt, new Date(body.expiration * 1000).toISOString().replace('.000Z', 'Z'))
  const jwt = JsonWebTokenParse<PrivateClaims & { uid: string }>(body.token)
  t.ok(jwt, 'the SDK parses the token')
  t.equal(jwt!.claims.eid, DEFAULT.environmentId)
  t.equal(jwt!.claims.uid, body.userId)
  t.equal(jwt!.claims.sub, body.userUuid)
})

t.test('the flat body of the older guide and deploymentId are accepted', async t => {
  const { app } = await build(t)
  const flat = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { deploymentId: DEFAULT.clientId, email: 'flat@example.com' } })
  expectStatus(t, flat, 201, 'flat + deploymentId')
  const wrapped = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { deploymentId: DEFAULT.clientId, email: 'flat@example.com' } } })
  expectStatus(t, wrapped, 202, 'wrapped + deploymentId finds the same profile')
})

t.test('an existing email answers 202 with no body, issues a 6-digit passcode and records an email', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'Bob@Example.com' })
  const res = await identify(app, { email: 'bob@example.com' })
  expectStatus(t, res, 202)
  t.equal(res.body, '')
  t.notOk(res.headers.authorization)
  const [code] = await passcodes(app, 'email=bob@example.com')
  t.match(code, { email: 'bob@example.com', state: 'outstanding', attempts: 0, consumedAt: null })
  t.match(code!.code, /^\d{6}$/)
  const messages = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/messages` })).json().messages
  t.equal(messages.length, 1)
  t.match(messages[0], { channel: 'email', to: 'bob@example.com', passcode: code!.code })
  t.ok(messages[0].text.includes(code!.code), 'the message text carries the passcode')
})

t.test('a new identify replaces the outstanding passcode', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'c@example.com' })
  await identify(app, { email: 'c@example.com' })
  await identify(app, { email: 'c@example.com' })
  const list = await passcodes(app, 'email=c@example.com')
  t.equal(list.length, 2)
  t.strictSame(list.map(p => p.state), ['outstanding', 'replaced'], 'newest first; the older one is replaced')
})

t.test('phone strategy: E.164 phones, SMS in the outbox', async t => {
  const { app } = await build(t, WITH_PHONE)
  const phone = '+14155552671'
  const first = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone } } })
  expectStatus(t, first, 201)
  t.equal(first.json().environmentId, PHONE.environmentId)
  const again = await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: PHONE.clientId, phone } } })
  expectStatus(t, again, 202)
  const [code] = await passcodes(app, `phone=${encodeURIComponent(phone)}`, PHONE.environmentId)
  t.equal(code!.phone, phone)
  const [unencoded] = await passcodes(app, `phone=${phone}`, PHONE.environmentId)
  t.equal(unencoded?.code, code!.code, 'an unencoded + in the phone filter still matches')
  const messages = (await app.inject({ url: `/emulator/v1/environments/${PHONE.environmentId}/messages` })).json().messages
  t.match(messages[0], { channel: 'sms', to: phone, subject: null })
  t.ok(messages[0].text.includes(code!.code))
})

t.test('validation: 422 field maps in Quiltt form', async t => {
  const { app } = await build(t, WITH_PHONE)
  const cases: Array<[string, unknown, Record<string, string[]>]> = [
    ['missing clientId', { session: { email: 'a@b.co' } }, { clientId: ["can't be blank"] }],
    ['unknown clientId', { session: { clientId: 'nope', email: 'a@b.co' } }, { clientId: ['is invalid'] }],
    ['missing email', { session: { clientId: DEFAULT.clientId } }, { email: ["can't be blank"] }],
    ['invalid email', { session: { clientId: DEFAULT.clientId, email: 'not-an-email' } }, { email: ['Email is not a valid email address'] }],
    // Refused as the body is read, before the email check: no text with a lone surrogate is stored anywhere.
    ['email with a lone surrogate', { session: { clientId: DEFAULT.clientId, email: '\ud800@example.com' } }, { email: ['must be valid Unicode text: it holds a lone surrogate (an unpaired \\ud800 to \\udfff escape)'] }],
    ['email with U+FFFD (invalid UTF-8)', { session: { clientId: DEFAULT.clientId, email: '\ufffd@example.com' } }, { email: ['Email is not a valid email address'] }],
    ['email with a control character', { session: { clientId: DEFAULT.clientId, email: 'a\u0000b@example.com' } }, { email: ['Email is not a valid email address'] }],
    ['phone on an email environment', { session: { clientId: DEFAULT.clientId, phone: '+14155552671' } },
      { phone: ['is not allowed: this Environment authenticates by email'], email: ["can't be blank"] }],
    ['both email and phone', { session: { clientId: DEFAULT.clientId, email: 'a@b.co', phone: '+14155552671' } },
      { phone: ['is not allowed: this Environment authenticates by email'] }],
    ['non-E.164 phone', { session: { clientId: PHONE.clientId, phone: '4155552671' } }, { phone: ['is invalid'] }],
    ['email on a phone environment', { session: { clientId: PHONE.clientId, email: 'a@b.co' } },
      { email: ['is not allowed: this Environment authenticates by phone'], phone: ["can't be blank"] }],
    ['email of the wrong type', { session: { clientId: DEFAULT.clientId, email: 5 } }, { email: ['must be a string'] }],
    ['empty body', {}, { clientId: ["can't be blank"] }]
  ]
  for (const [what, payload, expected] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/users/session', payload: payload as object })
    t.equal(res.statusCode, 422, what)
    t.strictSame(res.json(), expected, what)
  }
  const bytes = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff, 0xfe]), Buffer.from('@example.com"}')])
  const rawUtf8 = await app.inject({ method: 'POST', url: '/v1/users/sessions', payload: bytes, headers: { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT.secret}` } })
  t.equal(rawUtf8.statusCode, 422, 'an App-Secret session for an email sent as invalid UTF-8')
  t.strictSame(rawUtf8.json(), { email: ['Email is not a valid email address'] })
  t.equal((await identify(app, { email: 'ünïcode@exämple.com' })).statusCode, 201, 'an internationalised address is still valid')
  const profiles = await app.inject({ url: '/v1/profiles', headers: { authorization: `Bearer ${DEFAULT.secret}` } })
  t.strictSame(profiles.json().map((p: { email: string }) => p.email), ['ünïcode@exämple.com'], 'no profile was created by any invalid request')
})

t.test('signups disabled: 403 for a new username, 202 still for an existing one', async t => {
  const { app } = await build(t)
  await identify(app, { email: 'old@example.com' })
  expectStatus(t, await settings(app, { signupsEnabled: false }), 200)
  const res = await identify(app, { email: 'brand-new@example.com' })
  expectStatus(t, res, 403)
  t.strictSame(Object.keys(res.json()).sort(), ['instruction', 'message'])
  t.equal(res.json().message, 'Forbidden')
  expectStatus(t, await identify(app, { email: 'old@example.com' }), 202)
})

t.test('test identities always receive their fixed passcode', async t => {
  const { app } = await build(t)
  await identify(app, { email: DEFAULT.testEmail })
  expectStatus(t, await identify(app, { email: DEFAULT.testEmail }), 202)
  const [code] = await passcodes(app, `email=${DEFAULT.testEmail}`)
  t.equal(code!.code, DEFAULT.testPasscode)
})
