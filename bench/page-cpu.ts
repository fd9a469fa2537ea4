// In-process CPU per request of the transactions page and of ping (app.inject), for profiling.
import { buildApp } from '../server/app.js'
const TRANSACTIONS_PAGE = 'query Page { transactions(first: 50) { nodes { id date amount description status } pageInfo { endCursor hasNextPage } } }'
const SECRET = 'sk_sandbox_quilttmock_0000000000000000000000'
const ENV = 'env_0mockDefaultEnvironment'
const app = await buildApp({ db: ':memory:' })
const issued = await app.inject({ method: 'POST', url: '/v1/users/sessions', headers: { authorization: `Bearer ${SECRET}` }, payload: {} })
const { token, userId } = issued.json() as { token: string, userId: string }
const profileId = userId ?? (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub
const seeded = await app.inject({ method: 'POST', url: `/emulator/v1/environments/${ENV}/profiles/${profileId}/connections`, payload: { generate: { accounts: 1, transactionsPerAccount: 100_000, seed: 42 } } })
if (seeded.statusCode !== 201) throw new Error(seeded.body)
const auth = { authorization: `Bearer ${token}` }
const page = () => app.inject({ method: 'POST', url: '/v1/graphql', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ query: TRANSACTIONS_PAGE }) })
const ping = () => app.inject({ method: 'GET', url: '/v1/users/session', headers: auth })
const first = await page()
if (!first.body.includes('"endCursor"') || first.body.includes('errors')) throw new Error(first.body)
const N = Number(process.env.N ?? 3000)
async function cpu (f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 300; i++) await f()
  const c = process.cpuUsage()
  for (let i = 0; i < N; i++) await f()
  const d = process.cpuUsage(c)
  return (d.user + d.system) / N
}
for (let r = 0; r < 3; r++) {
  const p = await cpu(ping); const g = await cpu(page)
  console.log(`ping ${p.toFixed(0)} us, page ${g.toFixed(0)} us, ping/page ${(p / g).toFixed(2)}`)
}
await app.close()
