import autocannon from 'autocannon'
import { buildApp } from '/work/main/server/app.js'
const variant = process.argv[2] ?? 'default'
const opts: any = { db: ':memory:', logger: { level: 'warn' } }
if (variant === 'nojournal') opts.journalSize = 0
const app = await buildApp(opts)
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as any).port}`
const s = await (await fetch(`${url}/v1/users/sessions`, { method: 'POST', headers: { authorization: 'Bearer sk_sandbox_quilttmock_0000000000000000000000' } })).json() as any
const r = await autocannon({ url: `${url}/v1/users/session`, headers: { authorization: `Bearer ${s.token}` }, connections: 10, duration: 3 })
console.log(variant, Math.round(r.requests.average), 'req/s')
await app.close()
