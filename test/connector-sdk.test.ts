// The SDK-only REST calls through the unmodified official SDK (@quiltt/core's ConnectorsAPI), as
// @quiltt/react's useQuilttInstitutions and useQuilttResolvable make them, against a listening emulator.
import t from 'tap'
import '../server/drop-in/register.js'
import { buildApp } from '../server/app.js'
import { DEFAULT } from './helper.js'

const app = await buildApp({ db: ':memory:' })
t.teardown(() => app.close())
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }

// The SDK reads these once, at import time.
process.env.QUILTT_API_DOMAIN = `localhost:${port}`
process.env.QUILTT_API_INSECURE = 'true'
const { ConnectorsAPI } = await import('@quiltt/core/api/rest')

t.test('ConnectorsAPI: search institutions and check resolvable, with the session token', async t => {
  const issued = await fetch(`http://127.0.0.1:${port}/v1/users/sessions`, {
    method: 'POST', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sdk-connector@example.com' })
  })
  const { token } = await issued.json() as { token: string }
  const api = new ConnectorsAPI(DEFAULT.clientId)

  const found = await api.searchInstitutions(token, 'rbemt34osd', 'mock')
  t.equal(found.status, 200)
  t.ok(Array.isArray(found.data) && found.data.some(i => i.name === 'Mock Bank'), 'the mock institutions, by name', { data: found.data })
  const none = await api.searchInstitutions(token, 'rbemt34osd', 'no bank is called this')
  t.strictSame(none.data, [])
  t.equal((await api.searchInstitutions('not-a-token', 'rbemt34osd', 'mock')).status, 401)

  const resolvable = await api.checkResolvable(token, 'rbemt34osd', { mock: 'Mock Bank' })
  t.equal(resolvable.status, 200)
  t.strictSame(resolvable.data, { resolvable: true })
  t.strictSame((await api.checkResolvable(token, 'rbemt34osd', { plaid: 'ins_109508' })).data, { resolvable: false }, 'no Plaid institution exists here')
  t.equal((await api.checkResolvable(token, 'not a connector', { mock: 'Mock Bank' })).status, 404)
})
