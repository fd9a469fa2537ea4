import { readFileSync } from 'node:fs'
import t from 'tap'
import { OPENAPI_PATH } from '../server/paths.js'
import { build } from './helper.js'

t.test('/docs is swagger-ui served from this server, with nothing from a CDN', async t => {
  const { app } = await build(t)
  const page = await app.inject({ url: '/docs/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(m => m[1]!)
  t.ok(refs.length >= 4, 'the page loads its scripts and styles')
  for (const ref of refs) {
    t.notMatch(ref, /^(https?:)?\/\//, `${ref} is not on another host`)
    const asset = await app.inject({ url: new URL(ref, 'http://x/docs/').pathname })
    t.equal(asset.statusCode, 200, `${ref} is served`)
    t.ok(asset.body.length > 100, `${ref} has content`)
  }
  const init = await app.inject({ url: '/docs/static/swagger-initializer.js' })
  t.match(init.body, /validatorUrl: null/, 'no call to the online validator')
  t.match(init.body, /resolveUrl\('\.\/json'\)/, 'the spec comes from /docs/json')
  const bundle = await app.inject({ url: '/docs/static/swagger-ui-bundle.js' })
  t.match(bundle.headers['content-type'], /javascript/)
})

t.test('/docs/json is openapi.yaml, with the inspector and emulator operations in it', async t => {
  const { app } = await build(t)
  const spec = (await app.inject({ url: '/docs/json' })).json()
  t.equal(spec.paths['/'].get.operationId, 'emulatorInspector')
  t.equal(spec.paths['/emulator/v1/environments/{environmentId}/profiles'].get.operationId, 'emulatorListProfiles')
})

t.test('/docs leads to /docs/, and only swagger-ui\'s own files are served from /docs/static', async t => {
  const { app } = await build(t)
  for (const url of ['/docs', '/docs/static/index.html']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 302)
    // Relative, so the page also works behind a proxy that mounts the emulator under a path.
    t.notMatch(String(res.headers.location), /^\//, `${url} redirects relatively`)
    t.equal(new URL(String(res.headers.location), `http://x${url}`).pathname, '/docs/', `${url} leads to /docs/`)
  }
  for (const url of ['/docs/static/package.json', '/docs/static/..%2Fpackage.json', '/docs/static/%2E%2E%2F%2E%2E%2Fpackage.json', '/docs/static/swagger-ui.js.map']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 404, `${url} is not served`)
    t.match(res.json(), { message: String }, 'in a Quiltt error shape')
  }
  const yaml = await app.inject({ url: '/docs/yaml' })
  t.equal(yaml.body, readFileSync(OPENAPI_PATH, 'utf8'), '/docs/yaml is openapi.yaml itself')
})

t.test('"Try it out" targets the origin serving /docs, whatever its port (a relative first server)', async t => {
  const { app } = await build(t)
  const spec = (await app.inject({ url: '/docs/json' })).json()
  // swagger-ui resolves a relative server URL against the document's URL (buildOas3UrlWithContext).
  for (const docs of ['http://127.0.0.1:5123/docs/json', 'http://localhost:4999/docs/json', 'https://mock.example/quiltt/docs/json']) {
    t.equal(new URL(spec.servers[0].url, docs).href, new URL('..', docs).href, `requests from ${docs} go to where it is served`)
  }
  t.equal(new URL(spec.servers[0].url, 'http://127.0.0.1:5123/docs/json').href, 'http://127.0.0.1:5123/')
  t.equal(spec.servers[1].url, 'http://127.0.0.1:4000', 'openapi.yaml\'s own server follows')
})

t.test('the 413, 415 and 500 examples in /docs are what the emulator answers (not "Not Authenticated")', async t => {
  const { errors, InternalError } = await import('../server/errors.js')
  const { app } = await build(t)
  // What swagger-ui reads.
  const document = (await app.inject({ url: '/docs/json' })).json()
  const example = (name: string) => document.components.responses[name].content['application/json'].example
  t.strictSame(example('PayloadTooLarge'), errors.payloadTooLarge().toJSON())
  t.strictSame(example('UnsupportedMediaType'), errors.unsupportedMediaType('text/plain').toJSON())
  const internal = example('InternalError') as { errorId?: string }
  t.strictSame({ ...internal, errorId: 'x' }, new InternalError('x').toJSON())
  t.notOk('example' in document.components.schemas.RestError.properties.message, 'no one example for every error\'s message')
})

t.test('the README\'s Quick start: the sample names no port the SDK\'s variables already give, and .quiltt-mock/ is ignored', async t => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## 1. '))
  const login = /<!-- check-docs file=login\.mjs -->\n```js\n([\s\S]*?)```/.exec(quickStart)?.[1]
  t.ok(login, 'the login.mjs sample is there')
  t.notMatch(login!, /:4000/, 'login.mjs reads the emulator\'s address from QUILTT_API_DOMAIN')
  t.match(login!, /process\.env\.QUILTT_API_DOMAIN/)
  t.match(quickStart, /echo '\.quiltt-mock\/' >> \.gitignore/)
})
