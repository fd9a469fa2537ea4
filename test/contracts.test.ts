/**
 * Provider verification: the emulator against the committed pacts of contracts/pacts, with the Pact
 * Verifier and provider states over HTTP, exactly as `quiltt-mock verify` runs it. Every response is
 * also checked against openapi.yaml. The pacts are committed, so this never races their generation
 * (`npm test` runs the consumer suites first, in a separate tap run).
 */
import t from 'tap'
import { buildApp } from '../server/app.js'
import { EMAIL_AND_PHONE_FIXTURES_PATH } from '../server/paths.js'
import { resolveSources, verifyPacts } from '../server/cli/verify.js'
import { PACT_DIR } from '../contracts/support.js'

t.test('the emulator honours every committed contract', async t => {
  const app = await buildApp({
    db: ':memory:',
    // As `quiltt-mock verify` loads them: the published pacts' phone interactions use the phone environment.
    fixtures: EMAIL_AND_PHONE_FIXTURES_PATH,
    validateResponses: m => { t.fail(`${m.method} ${m.url} answered ${m.statusCode}, which does not match openapi.yaml: ${m.problems.join('; ')}`) }
  })
  t.teardown(() => app.close())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { pactUrls, interactions } = resolveSources([PACT_DIR])
  t.strictSame(pactUrls.map(p => p.slice(PACT_DIR.length + 1)), ['quiltt-docs-quiltt.json', 'quiltt-js-sdk-quiltt.json'])

  const result = await verifyPacts(base, pactUrls)
  t.equal(result.result, true)
  t.equal(result.interactionResults?.length, interactions, 'every interaction was verified')
  for (const r of result.interactionResults ?? []) t.equal(r.result, 'OK', r.description)
})
