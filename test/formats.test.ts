import t from 'tap'
import { FORMAT_CHECKS, FORMAT_GRAMMARS, wholeMatch } from '../server/formats.js'
import { FORMATS } from '../server/contract/formats.js'
import { isE164, isEmail, isUuid } from '../server/services/formats.js'

// Values each check accepts (what the emulator takes and writes) and refuses.
const SAMPLES: Record<string, { good: string[], bad: string[] }> = {
  uuid: { good: ['11111111-1111-1111-1111-111111111111', 'ABCDEF00-1111-4111-8111-111111111111'], bad: ['1111', '11111111-1111-1111-1111-11111111111g'] },
  'global_id-v1': { good: ['p_1hyoxpVVFib1HngGwKAzIr', 'env_1'], bad: ['P_1', 'p-1', 'p_'] },
  'date-time': { good: ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123+02:00'], bad: ['2026-01-01 00:00:00Z', '2026-01-01t00:00:00z', '2026-01-01'] },
  date: { good: ['2000-02-29', '1999-12-31'], bad: ['2001-02-29', '2000-13-01', '20000101'] },
  jwt: { good: ['a.b.c', 'eyJ.eyJ.'], bad: ['a.b', 'a b.c.d'] },
  email: { good: ['a@b.co', 'élise@exämple.fr'], bad: ['a@b', 'a b@c.co', 'a@b@c.co', 'a\u0000@b.co'] },
  'E.164': { good: ['+6834002', '+14155552671', '+123456789012345'], bad: ['+683400', '+1234567890123456', '+0123456789', '14155552671', '+1'] }
}

t.test('one table: the pact check\'s grammars and the value checks come from server/formats.ts', async t => {
  t.equal(FORMATS, FORMAT_GRAMMARS)
  t.strictSame(Object.keys(FORMAT_CHECKS).sort(), Object.keys(FORMAT_GRAMMARS).sort())
  t.strictSame(Object.keys(SAMPLES).sort(), Object.keys(FORMAT_GRAMMARS).sort(), 'every format is sampled here')
  t.equal(isE164, FORMAT_CHECKS['E.164'], 'the services hold phones to the table\'s E.164 check')
  t.equal(isEmail, FORMAT_CHECKS.email)
  t.equal(isUuid, FORMAT_CHECKS.uuid)
})

t.test('every check accepts its good samples, refuses its bad ones, and accepts nothing outside its grammar', async t => {
  for (const [name, { good, bad }] of Object.entries(SAMPLES)) {
    const check = FORMAT_CHECKS[name]!
    const grammar = FORMAT_GRAMMARS[name]!
    for (const v of good) {
      t.ok(check(v), `${name} accepts ${JSON.stringify(v)}`)
      t.ok(wholeMatch(grammar, v), `${name}'s grammar holds ${JSON.stringify(v)}: the grammar is a superset of what is accepted`)
    }
    for (const v of bad) t.notOk(check(v), `${name} refuses ${JSON.stringify(v)}`)
  }
  // E.164's grammar is wider than what the emulator takes: a pact may expect a short number Quiltt could send.
  t.ok(wholeMatch(FORMAT_GRAMMARS['E.164']!, '+12'))
  t.notOk(isE164('+12'))
})
