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
