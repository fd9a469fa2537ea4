// package.json `overrides` pins two transitive dependencies to their last majors that declare
// Node 20 (the newer ones say node >=22 and made every `npm ci` on Node 20 print EBADENGINE):
// content-disposition 2 under @fastify/static (via @fastify/swagger-ui), cookie 1 under
// light-my-request (fastify's inject). These tests drive the exact code of each parent that calls
// the pinned package, so a pin that stops fitting its parent fails here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'

const require = createRequire(import.meta.url)
// The copies the parents load: @fastify/static as @fastify/swagger-ui resolves it, light-my-request as fastify does.
const staticPath = createRequire(require.resolve('@fastify/swagger-ui')).resolve('@fastify/static')
const lightMyRequestPath = createRequire(require.resolve('fastify')).resolve('light-my-request')
const fastifyStatic = require(staticPath) as typeof import('@fastify/static').default

t.test('the pinned versions are the ones installed', async t => {
  // The copy `from` loads (its exports hide package.json, so it is found from the resolved main file).
  const versionOf = (name: string, from: string): string => {
    const main = require.resolve(name, { paths: [dirname(from)] })
    const dir = main.slice(0, main.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}`.length)
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
  }
  t.match(versionOf('content-disposition', staticPath), /^2\./, '@fastify/static gets content-disposition 2')
  t.match(versionOf('cookie', lightMyRequestPath), /^1\./, 'light-my-request gets cookie 1')
})

t.test('light-my-request (fastify inject) encodes cookies with cookie 1', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/echo', async req => ({ cookie: req.headers.cookie }))
  const res = await app.inject({ url: '/echo/x', cookies: { plain: 'a', spaced: 'b c' } })
  t.equal(res.statusCode, 404)
  const echoed = await app.inject({ url: '/echo', cookies: { plain: 'a', spaced: 'b c' } })
  t.strictSame(echoed.json(), { cookie: 'plain=a; spaced=b%20c' })
})

t.test('@fastify/static (under swagger-ui) builds Content-Disposition with content-disposition 2', async t => {
  const root = mkdtempSync(join(tmpdir(), 'quiltt-mock-static-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  writeFileSync(join(root, 'report.txt'), 'hello')
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyStatic, { root, serve: false })
  app.get('/download', async (_req, reply) => reply.download('report.txt', 'résumé.txt'))
  const res = await app.inject({ url: '/download' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'hello')
  t.equal(res.headers['content-disposition'], 'attachment; filename="r?sum?.txt"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.txt')
})
