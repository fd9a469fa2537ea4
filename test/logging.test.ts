import { Writable } from 'node:stream'
import t from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { lazyChildLogger } from '../server/http/logging.js'
import { build, issue } from './helper.js'

// req.log is made lazily (server/http/logging.ts); what gets logged must not change.

function capture (): { stream: Writable, lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { chunks.push(String(chunk)); done() } })
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>) }
}

t.test('at info, every request is logged with its reqId', async t => {
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'info', stream } })
  await issue(app)
  const logged = lines().filter(l => l.reqId !== undefined)
  // One line per request (RequestLogController): method, path, status and time, at info.
  t.equal(logged.length, 1, 'one line')
  t.match(logged[0], { level: 30, msg: /^POST \/v1\/users\/sessions 201 \(\d+\.\d ms\)$/ })
  t.equal(new Set(logged.map(l => l.reqId)).size, 1, 'one request, one reqId on all its lines')
})

t.test('at debug, the incoming request is logged too, with the same reqId', async t => {
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'debug', stream } })
  await issue(app)
  const logged = lines().filter(l => l.reqId !== undefined)
  t.ok(logged.some(l => l.msg === 'incoming request'), 'incoming request')
  t.ok(logged.some(l => typeof l.msg === 'string' && l.msg.startsWith('POST /v1/users/sessions 201')), 'the completion line')
  t.equal(new Set(logged.map(l => l.reqId)).size, 1)
})

t.test('at warn, nothing is logged for ordinary requests', async t => {
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'warn', stream } })
  await issue(app)
  await app.inject({ url: '/nope' })
  t.strictSame(lines(), [])
})

t.test('the child is made on the first enabled call, with the same bindings', async t => {
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'warn', stream } })
  let made = 0
  const parent = app.log
  const counting = new Proxy(parent, {
    get (target, key, receiver) {
      if (key === 'child') return (b: object, o?: object) => { made++; return target.child(b, o) }
      const v = Reflect.get(target, key, receiver) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  }) as FastifyBaseLogger
  const log = lazyChildLogger.call(app, counting, { reqId: 'req-test' }, {}, undefined as never)
  log.info('not shown')
  log.debug('not shown')
  t.equal(made, 0, 'disabled levels make no child')
  t.equal(log.level, 'warn')
  log.error({ errorId: 'e1' }, 'shown')
  log.warn('also shown')
  t.equal(made, 1, 'one child, made once')
  const out = lines()
  t.equal(out.length, 2)
  t.match(out[0], { reqId: 'req-test', errorId: 'e1', msg: 'shown', level: 50 })
  t.match(out[1], { reqId: 'req-test', msg: 'also shown', level: 40 })
  t.match(log.child({ extra: 1 }), { info: Function })
})

t.test('off a terminal, the lines of one event-loop turn are written together, at once, and the rest at exit', async t => {
  // In a child process: these lines go to its standard output, which here is a pipe this test reads.
  const { spawn } = await import('node:child_process')
  const script = `
    import { stdoutByTurn } from './server/http/logging.ts'
    const out = stdoutByTurn()
    out.write('{"n":1}\\n'); out.write('{"n":2}\\n')
    process.stdin.once('data', () => { out.write('{"n":3}\\n'); process.exit(0) })`
  const child = spawn(process.execPath, ['--import', './test/ts-loader.mjs', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  const exited = new Promise(resolve => child.once('close', resolve))
  await new Promise<void>(resolve => child.stdout.on('data', d => { out += String(d); if (out.includes('"n":2')) resolve() }))
  t.equal(out, '{"n":1}\n{"n":2}\n', 'both lines of the first turn, in order, while the process runs on')
  child.stdin.end('go')
  await exited
  t.equal(out, '{"n":1}\n{"n":2}\n{"n":3}\n', 'a line logged just before exit is written too')
})

t.test('a passcode is logged when issued: one concise line at info, through the logger (JSON stays one object a line)', async t => {
  const { DEFAULT } = await import('./helper.js')
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'info', stream } })
  const identify = () => app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'logged@example.com' } } })
  t.equal((await identify()).statusCode, 201, 'a new user gets a session, no passcode')
  t.notOk(lines().some(l => 'passcode' in l), 'no passcode line for a signup')
  t.equal((await identify()).statusCode, 202)
  const sent = (await app.inject({ url: `/emulator/v1/environments/${DEFAULT.environmentId}/passcodes?email=logged@example.com` })).json()
  const code = (sent.passcodes ?? sent)[0].code as string
  const logged = lines().filter(l => 'passcode' in l)
  t.equal(logged.length, 1, 'one line')
  t.match(logged[0], { level: 30, passcode: code, username: 'logged@example.com', clientId: DEFAULT.clientId, msg: `passcode ${code} for logged@example.com (${DEFAULT.clientId})` })
  t.ok(logged[0]!.reqId, 'with the request\'s id')
})

t.test('at warn, the passcode line is not printed', async t => {
  const { DEFAULT } = await import('./helper.js')
  const { stream, lines } = capture()
  const { app } = await build(t, { logger: { level: 'warn', stream } })
  for (let i = 0; i < 2; i++) await app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: DEFAULT.clientId, email: 'quiet@example.com' } } })
  t.strictSame(lines(), [])
})
