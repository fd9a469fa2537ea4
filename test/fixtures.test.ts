import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { bearer, expectStatus } from './helper.js'

const dir = mkdtempSync(join(tmpdir(), 'qm-fixtures-'))

t.test('--fixtures loads a YAML file: environments, test identities, profiles and their sessions', async t => {
  const path = join(dir, 'team.yaml')
  writeFileSync(path, `
environments:
  - name: Team
    authStrategy: phone
    clientId: teamclient
    apiKey: { secret: sk_team_secret_123 }
    signupsEnabled: false
    testIdentities:
      - { phone: "+15550001111", passcode: "000000" }
    profiles:
      - { uuid: 44444444-4444-4444-8444-444444444444, phone: "+15550002222", name: Existing }
`)
  const app = await buildApp({ db: ':memory:', fixtures: path })
  t.teardown(() => app.close())
  const { environments } = (await app.inject({ url: '/emulator/v1/environments' })).json()
  t.equal(environments.length, 1)
  t.match(environments[0], { name: 'Team', authStrategy: 'phone', clientId: 'teamclient', signupsEnabled: false, apiKey: { secret: 'sk_team_secret_123' } })
  const profile = await app.inject({ url: '/v1/profiles/44444444-4444-4444-8444-444444444444', headers: bearer('sk_team_secret_123') })
  expectStatus(t, profile, 200)
  t.equal(profile.json().name, 'Existing')
  const identify = (phone: string) => app.inject({ method: 'POST', url: '/v1/users/session', payload: { session: { clientId: 'teamclient', phone } } })
  expectStatus(t, await identify('+15550002222'), 202, 'the seeded profile logs in')
  expectStatus(t, await identify('+15550009999'), 403, 'signups are off')
})

t.test('an invalid fixture file stops the start with every bad value named by its path', async t => {
  const path = join(dir, 'bad.json')
  writeFileSync(path, JSON.stringify({ environments: [{ authStrategy: 'fax', profiles: [{ email: 'nope' }, { uuid: 'x', sessions: -1 }] }] }))
  const err = await buildApp({ db: ':memory:', fixtures: path }).then(() => undefined, (e: unknown) => e)
  t.ok(err, 'the start fails')
  t.match(err, {
    fields: {
      'environments.0.authStrategy': ['must be one of: email, phone'],
      'environments.0.profiles.0.email': ['Email is not a valid email address'],
      'environments.0.profiles.1.uuid': ['is not a valid UUID'],
      'environments.0.profiles.1.sessions': ['must be a whole number from 0 to 1000']
    }
  })
})

t.test('a fixture file that starts with a UTF-8 byte order mark is read like the same document without it', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'quiltt-mock-bom-'))
  for (const name of ['bom.json', 'bom.yaml']) {
    const file = join(dir, name)
    writeFileSync(file, name.endsWith('.json') ? '\uFEFF{"environments": [{"name": "With BOM", "clientId": "withbom"}]}' : '\uFEFFenvironments:\n  - name: With BOM\n    clientId: withbom\n')
    const app = await buildApp({ db: ':memory:', fixtures: file })
    t.teardown(() => app.close())
    t.equal(app.emulator.services.environments.list()[0]!.clientId, 'withbom', name)
  }
})
