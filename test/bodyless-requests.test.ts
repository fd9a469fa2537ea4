import { request } from 'node:http'
import t from 'tap'
import { build, DEFAULT } from './helper.js'

/** A raw request, so the framing (chunked, no Content-Type) is exactly what a proxy sends. */
function send (url: string, headers: Record<string, string>, body?: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', c => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('a bodiless POST sent chunked without a Content-Type is accepted (Pact verifier, HTTP proxies)', async t => {
  const { app } = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await send(`${base}/v1/introspect/api_key`, { authorization: `Bearer ${DEFAULT.secret}`, 'transfer-encoding': 'chunked' })
  t.equal(res.status, 200, res.body)
  t.equal(JSON.parse(res.body).id, DEFAULT.apiKeyId)
})

t.test('a non-JSON body is still a 415 that names its Content-Type', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'text/plain' }, payload: 'uuid=1' })
  t.equal(res.statusCode, 415)
  t.match(res.json().instruction, /got `text\/plain`/)
  const empty = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${DEFAULT.secret}`, 'content-type': 'text/plain' } })
  t.equal(empty.statusCode, 201, 'an empty body of any type is no body')
})
