// The served schema against Quiltt's 2026-04-01 SDL (test/quiltt/quiltt-data-plane.reference.graphql,
// a copy of reference/quiltt-data-plane.graphql): compared mechanically, both ways, through
// introspection as GraphQL Codegen reads it: every type and its kind, every field with its arguments,
// types and nullability, every input field, enum value, interface, union member and deprecation.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildClientSchema, buildSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery, isEnumType, isInputObjectType,
  isInterfaceType, isObjectType, isUnionType, printSchema
} from 'graphql'
import t from 'tap'
import { QUILTT_VERSION, SCHEMA_PATH } from '../server/graphql/schema.js'
import { ROOT } from '../server/paths.js'
import { referenceCopy } from '../scripts/extract-graphql-reference.js'
import { bearer, build, DEFAULT } from './helper.js'

const REFERENCE_PATH = join(ROOT, 'test', 'quiltt', 'quiltt-data-plane.reference.graphql')
const INTROSPECTION = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true
})

/** Every fact a client can see of a schema, one line each: `Type.field(args): Type`, `Enum.VALUE`, ... */
function facts (schema: GraphQLSchema): Set<string> {
  const out = new Set<string>()
  const dep = (d: { deprecationReason?: string | null }) => d.deprecationReason != null ? ' @deprecated' : ''
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    const kind = isObjectType(type) ? 'type' : isInterfaceType(type) ? 'interface' : isUnionType(type) ? 'union' : isEnumType(type) ? 'enum' : isInputObjectType(type) ? 'input' : 'scalar'
    out.add(`${kind} ${type.name}`)
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const i of type.getInterfaces()) out.add(`${type.name} implements ${i.name}`)
      for (const f of Object.values(type.getFields())) {
        const args = f.args.map(a => `${a.name}: ${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}${dep(a)}`).join(', ')
        out.add(`${type.name}.${f.name}(${args}): ${String(f.type)}${dep(f)}`)
      }
    }
    if (isInputObjectType(type)) {
      for (const f of Object.values(type.getFields())) out.add(`${type.name}.${f.name}: ${String(f.type)}${f.defaultValue !== undefined ? ` = ${JSON.stringify(f.defaultValue)}` : ''}${dep(f)}`)
    }
    if (isUnionType(type)) for (const m of type.getTypes()) out.add(`${type.name} | ${m.name}`)
    if (isEnumType(type)) for (const v of type.getValues()) out.add(`${type.name}.${v.name}${dep(v)}`)
  }
  for (const [root, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
    out.add(`schema ${root}: ${type?.name ?? 'none'}`)
  }
  return out
}

const reference = facts(buildSchema(readFileSync(REFERENCE_PATH, 'utf8')))

t.test('the served schema is Quiltt\'s 2026-04-01 schema: nothing missing, nothing added (introspection, both ways)', async t => {
  const { app } = await build(t)
  // GraphQL Codegen's request, with the API key secret as Quiltt's own template's codegen.ts sends it.
  const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: bearer(DEFAULT.secret), payload: { query: INTROSPECTION } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['quiltt-version'], QUILTT_VERSION)
  const body = res.json() as { data: IntrospectionQuery, errors?: unknown }
  t.equal(body.errors, undefined)
  const served = facts(buildClientSchema(body.data))
  t.strictSame([...reference].filter(f => !served.has(f)), [], 'every type, field, argument, input, enum value of the reference is served, with its type and nullability')
  t.strictSame([...served].filter(f => !reference.has(f)), [], 'nothing is served that the reference does not have')
  t.ok(reference.size > 2500, `${reference.size} facts compared`)
  t.equal(printSchema(buildClientSchema(body.data)), printSchema(buildSchema(readFileSync(SCHEMA_PATH, 'utf8'))), 'the endpoint serves schema.graphql')
})

t.test('the comparison sees what 2026-04-01 changed, so it would catch a 2024 field set', async t => {
  const old = buildSchema(readFileSync(REFERENCE_PATH, 'utf8')
    .replace('enum TransactionStatus {', 'enum TransactionStatus {\n  PROJECTED')
    .replace(/(type Account \{\n)/, '$1  type: String\n')
    .replace(/products: \[ConnectionFeature!\]!/, 'products: [ConnectionFeature!]'))
  const got = facts(old)
  t.strictSame([...got].filter(f => !reference.has(f)).sort(), ['Account.type(): String', 'Connection.products(): [ConnectionFeature!]', 'TransactionStatus.PROJECTED'])
  t.strictSame([...reference].filter(f => !got.has(f)), ['Connection.products(): [ConnectionFeature!]!'])
  for (const removed of ['Account.origin', 'Connection.features', 'Holding.account', 'Holding.remoteData', 'Image._sourcename', 'Merchant.metadata', 'Merchant.state']) {
    t.notOk([...reference].some(f => f.startsWith(`${removed}(`)), `${removed} is gone at 2026-04-01`)
  }
})

t.test('the reference copy is reference/quiltt-data-plane.graphql as the extract script writes it', async t => {
  const copy = readFileSync(REFERENCE_PATH, 'utf8')
  t.match(copy, /^# source: quiltt-data-plane\.graphql\n# sourceSha256: [0-9a-f]{64}\n/)
  const text = copy.slice(copy.indexOf('\n\n') + 2)
  t.equal(referenceCopy('quiltt-data-plane.graphql', text), copy, 'the header\'s digest is the digest of the text after it')
  let shared: string | undefined
  try { shared = readFileSync(join(ROOT, '..', 'shared', 'reference', 'quiltt-data-plane.graphql'), 'utf8') } catch {}
  if (shared !== undefined) t.equal(text, shared, 'the copy is the shared reference as it is today')
})

t.test('every answer names version 2026-04-01, whatever version the request asks for', async t => {
  const { app } = await build(t)
  for (const version of [undefined, '2024-01-01', '2025-04-01', 'nonsense']) {
    const res = await app.inject({ method: 'POST', url: '/v1/graphql', headers: { ...bearer(DEFAULT.secret), ...(version ? { 'quiltt-version': version } : {}) }, payload: { query: '{ __type(name: "Account") { fields { name } } }' } })
    t.equal(res.headers['quiltt-version'], '2026-04-01', `asked for ${version ?? 'nothing'}`)
    const fields = (res.json() as { data: { __type: { fields: Array<{ name: string }> } } }).data.__type.fields.map(f => f.name)
    t.notOk(fields.includes('type'), 'Account.type, removed in 2026-04-01, is not served')
    t.ok(fields.includes('taxonomy'))
  }
  const unauthenticated = await app.inject({ method: 'POST', url: '/v1/graphql', payload: { query: '{ profile { id } }' } })
  t.equal(unauthenticated.statusCode, 401)
  t.equal(unauthenticated.headers['quiltt-version'], '2026-04-01', 'errors say it too')
  const get = await app.inject({ url: '/v1/graphql?query={__typename}', headers: bearer(DEFAULT.secret) })
  t.equal(get.headers['quiltt-version'], '2026-04-01')
})
