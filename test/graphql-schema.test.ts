// schema.graphql against Quiltt's names and types (test/quiltt/quiltt-graphql.reference.graphql, the SDL
// block of reference/quiltt-graphql.md): every type, field, argument and `!` the emulator serves
// that the reference lists must be the reference's, and what it leaves out is listed here on purpose.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildClientSchema, buildSchema, type DefinitionNode, getIntrospectionQuery, type IntrospectionQuery, parse, print, printSchema } from 'graphql'
import t from 'tap'
import { SCHEMA_PATH } from '../server/graphql/schema.js'
import { ROOT } from '../server/paths.js'
import { extractSdl } from '../scripts/extract-graphql-reference.js'
import { bearer, build, DEFAULT } from './helper.js'

const REFERENCE_PATH = join(ROOT, 'test', 'quiltt', 'quiltt-graphql.reference.graphql')

interface Shape { kind: string, fields: Map<string, string>, values: string[] }

/** Each named definition as its kind, its fields (`name(args): Type` as SDL prints it) and enum values. */
function shapes (sdl: string): Map<string, Shape> {
  const out = new Map<string, Shape>()
  for (const def of parse(sdl).definitions as DefinitionNode[]) {
    if (!('name' in def) || def.name === undefined) continue
    const fields = new Map<string, string>()
    if ('fields' in def && def.fields) {
      for (const f of def.fields) {
        const args = 'arguments' in f && f.arguments && f.arguments.length > 0 ? `(${f.arguments.map(a => `${a.name.value}: ${print(a.type)}`).join(', ')})` : ''
        fields.set(f.name.value, `${args}: ${print(f.type)}`)
      }
    }
    const values = 'values' in def && def.values ? def.values.map(v => v.name.value) : []
    out.set(def.name.value, { kind: def.kind, fields, values })
  }
  return out
}

const ours = shapes(readFileSync(SCHEMA_PATH, 'utf8'))
const reference = shapes(readFileSync(REFERENCE_PATH, 'utf8'))

// The reference's fields the emulator does not serve: provider payloads (remoteData) and
// institution sources (a union of provider types) hold data only a real Connector produces.
const LEFT_OUT = ['Account.remoteData', 'Connection.remoteData', 'Institution.source', 'Institution.sources', 'Profile.remoteData', 'Transaction.remoteData']

t.test('every type the reference lists is served, with its kind', async t => {
  for (const [name, ref] of reference) {
    t.equal(ours.get(name)?.kind, ref.kind, `${name} is a ${ref.kind}`)
  }
})

t.test('every field the emulator serves of a reference type has the reference\'s arguments, type and nullability', async t => {
  let checked = 0
  for (const [name, ref] of reference) {
    for (const [field, signature] of ours.get(name)?.fields ?? []) {
      t.equal(signature, ref.fields.get(field), `${name}.${field}${signature}`)
      checked++
    }
    t.strictSame(ours.get(name)?.values, ref.values, `${name}'s enum values`)
  }
  t.ok(checked > 100, `${checked} fields checked`)
})

t.test('what is left out of the reference is only what is listed, and the issue\'s fields are all there', async t => {
  const missing = [...reference].flatMap(([name, ref]) => [...ref.fields.keys()].filter(f => !ours.get(name)?.fields.has(f)).map(f => `${name}.${f}`))
  t.strictSame(missing.sort(), LEFT_OUT)
  t.strictSame([...ours.get('Profile')!.fields.keys()].sort(), ['address', 'dateOfBirth', 'email', 'id', 'metadata', 'name', 'names', 'phone', 'uuid'])
  t.equal(ours.get('Query')!.fields.get('profile'), ': Profile!')
  t.equal(ours.get('Mutation')!.fields.get('profileUpdate'), '(input: ProfileUpdateInput!): ProfileUpdatePayload')
  t.strictSame([...ours.get('Query')!.fields.keys()], [...reference.get('Query')!.fields.keys()], 'every query root Quiltt has, by its name')
})

t.test('the types beyond the reference are the roots\' own, by Quiltt\'s names, and the schema is valid', async t => {
  const extra = [...ours.keys()].filter(n => !reference.has(n)).sort()
  t.strictSame(extra, ['AccountFilter', 'AccountMerchantFilter', 'AccountSort', 'Charge', 'ChargeConnection', 'ChargeEdge', 'ConnectionFeature',
    'ConnectionFilter', 'CurrencyCode', 'Date', 'DateRange', 'DateTime', 'Holding', 'HoldingConnection', 'HoldingEdge', 'Image', 'ImageSource',
    'JSON', 'Merchant', 'MoveChargeFilter', 'MoveRoutine', 'Recurrence', 'SearchQuery', 'Security', 'Statement', 'StatementConnection',
    'StatementEdge', 'StatementFilter', 'StatementSort', 'TransactionFilter', 'TransactionSort', 'URL'])
  t.equal(ours.get('CurrencyCode')!.values.length, 172, 'the 172 ISO 4217 codes Quiltt lists')
  t.ok(buildSchema(readFileSync(SCHEMA_PATH, 'utf8')), 'graphql-js builds it')
})

t.test('the reference copy is the SDL block of reference/quiltt-graphql.md, as the extract script writes it', async t => {
  const md = '# notes\n\n```graphql\ntype A { b: B! }\n```\n\nmore prose\n'
  t.equal(extractSdl(md), 'type A { b: B! }\n')
  t.throws(() => extractSdl('no block'), /found 0/)
  t.match(readFileSync(REFERENCE_PATH, 'utf8'), /^# source: quiltt-graphql\.md\n# sourceSha256: [0-9a-f]{64}\n/)
})

t.test('the endpoint serves exactly schema.graphql, and its introspection passes the query limits', async t => {
  const { app } = await build(t)
  // GraphQL Codegen's request, with the API key secret as Quiltt's own template's codegen.ts sends it.
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(DEFAULT.secret), payload: { query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }) } })
  t.equal(res.statusCode, 200)
  const body = res.json() as { data: IntrospectionQuery, errors?: unknown }
  t.equal(body.errors, undefined)
  t.equal(printSchema(buildClientSchema(body.data)), printSchema(buildSchema(readFileSync(SCHEMA_PATH, 'utf8'))))
  t.equal(body.data.__schema.types.find(ty => ty.name === 'AccountSort')?.kind, 'ENUM')
})
