// GraphQL over the profile's bank data: Quiltt's roots, objects, Relay pages and mutations. Every read
// is scoped to the viewer's profile, so another profile's id answers null, as if it did not exist.
import { createHash } from 'node:crypto'
import { toIso } from '../clock.js'
import { ApiError, ValidationError } from '../errors.js'
import type { AccountService } from '../services/accounts.js'
import { metadataOf, statementUrl } from '../services/bank-records.js'
import type { ConnectionService } from '../services/connections.js'
import type { HoldingService } from '../services/holdings.js'
import { DEFAULT_INSTITUTIONS } from '../services/institutions.js'
import type { StatementService } from '../services/statements.js'
import type { TransactionService } from '../services/transactions.js'
import type { AccountRow } from '../store/accounts.js'
import type { ConnectionRow } from '../store/connections.js'
import type { HoldingRow } from '../store/holdings.js'
import type { Page, Position } from '../store/pages.js'
import type { StatementRow } from '../store/statements.js'
import { ALL_PAGE_COLUMNS, FULL_LAYOUT, type PageColumn, pageColumns, type PageLayout, pageRowOf, type TransactionPageRow, type TransactionQuery } from '../store/transactions.js'
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql'
import { graphqlJs } from './schema.js'

const OAUTH_INSTITUTION_IDS = new Set(DEFAULT_INSTITUTIONS.filter(i => i.oauth).map(i => i.id))

export interface Bank {
  connections: ConnectionService
  accounts: AccountService
  transactions: TransactionService
  holdings: HoldingService
  statements: StatementService
}

type Args = Record<string, unknown>
type Filter = Record<string, unknown> | null | undefined

/** At most this many records a page, as Quiltt documents; also the page when neither first nor last is given. */
export const MAX_PAGE = 100

const fail = (message: string): never => { throw new (graphqlJs().GraphQLError)(message) }

// ---- cursors: opaque, stable, and tied to the query they came from ----

/** A short digest of what a page query asks (root, scope, filter, sort, search): a cursor only works where it came from. */
const signature = (parts: unknown): string => createHash('sha1').update(JSON.stringify(parts)).digest('base64url').slice(0, 10)

function encodeCursor (sig: string, p: Position): string {
  return Buffer.from(JSON.stringify([sig, p.key, p.rowid])).toString('base64url')
}

function decodeCursor (cursor: unknown, sig: string, name: string): Position | undefined {
  if (cursor === undefined || cursor === null) return undefined
  let parsed: unknown
  try { parsed = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')) } catch {}
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string' || !Number.isSafeInteger(parsed[2])) {
    return fail(`\`${name}\` is not a cursor: pass back an edge's cursor or pageInfo's startCursor/endCursor as it came.`)
  }
  if (parsed[0] !== sig) return fail(`\`${name}\` is a cursor of another query: a cursor pages the query (filter, sort, search) it came from.`)
  return { key: parsed[1] as string, rowid: parsed[2] as number }
}

interface PageArgs { first?: number, last?: number, after?: Position, before?: Position }

function pageArgs (args: Args, sig: string): PageArgs {
  const first = args.first as number | null | undefined
  const last = args.last as number | null | undefined
  if (first != null && last != null) fail('Pass `first` or `last`, not both.')
  for (const [name, v] of [['first', first], ['last', last]] as const) {
    if (v != null && (v < 0 || v > MAX_PAGE)) fail(`\`${name}\` must be between 0 and ${MAX_PAGE}: a page holds at most ${MAX_PAGE} records.`)
  }
  const after = decodeCursor(args.after, sig, 'after')
  const before = decodeCursor(args.before, sig, 'before')
  return last != null ? { last, after, before } : { first: first ?? MAX_PAGE, after, before }
}

/** Quiltt's Relay connection: count, nodes, edges { cursor node }, pageInfo, each worked out only when asked. */
class RelayConnection<Row, Node> {
  private cached?: Node[]
  constructor (private readonly page: Page<Row>, private readonly sig: string, private readonly make: (row: Row) => Node) {}
  get count (): number { return this.page.count() }
  nodes (): Node[] { return (this.cached ??= this.page.rows.map(this.make)) }
  edges (): Array<{ cursor: string, node: Node }> {
    const nodes = this.nodes()
    return this.page.rows.map((r, i) => ({ cursor: this.cursorOf(r), node: nodes[i]! }))
  }

  pageInfo () {
    const { rows, hasNextPage, hasPreviousPage } = this.page
    return {
      get hasNextPage () { return hasNextPage() },
      get hasPreviousPage () { return hasPreviousPage() },
      startCursor: rows.length > 0 ? this.cursorOf(rows[0]!) : null,
      endCursor: rows.length > 0 ? this.cursorOf(rows.at(-1)!) : null
    }
  }

  private cursorOf (r: Row): string { return encodeCursor(this.sig, this.page.positionOf(r)) }
}

// ---- filters ----

const RANGE = ['gt', 'gte', 'lt', 'lte'] as const
function range<T> (filter: Args, name: string): Partial<Record<'eq' | typeof RANGE[number], T>> | undefined {
  const out: Partial<Record<string, T>> = {}
  if (filter[name] != null) out.eq = filter[name] as T
  for (const op of RANGE) if (filter[`${name}_${op}`] != null) out[op] = filter[`${name}_${op}`] as T
  return Object.keys(out).length > 0 ? out : undefined
}

/** Quiltt's metadata filter: every top-level key of the filter must hold the same value; null: no metadata. */
function metadataFilter (filter: Args): Array<[string, string]> | null | undefined {
  if (!('metadata' in filter) || filter.metadata === undefined) return undefined
  if (filter.metadata === null) return null
  if (typeof filter.metadata !== 'object' || Array.isArray(filter.metadata)) fail('`filter.metadata` must be a JSON object (or null for records without metadata).')
  return Object.entries(filter.metadata as Args).map(([k, v]) => [k, JSON.stringify(v)])
}

const metadataMatches = (json: string | null, filter: Array<[string, string]> | null | undefined): boolean => {
  if (filter === undefined) return true
  if (filter === null) return json === null
  const md = metadataOf(json)
  return md !== null && filter.every(([k, v]) => Object.hasOwn(md, k) && JSON.stringify(md[k]) === v)
}

function transactionQuery (profileId: string, filter: Filter, term: unknown, accountId?: string): TransactionQuery {
  const f = filter ?? {}
  const q: TransactionQuery = { profileId }
  if (accountId !== undefined) q.accountId = accountId
  if (f.accountIds != null) q.accountIds = f.accountIds as string[]
  const amount = range<number>(f, 'amount'); if (amount) q.amount = amount
  const amountAbs = range<number>(f, 'amount_abs'); if (amountAbs) q.amountAbs = amountAbs
  const date = range<string>(f, 'date'); if (date) q.date = date
  if (f.entryType != null) q.entryType = f.entryType as string
  if (f.kind != null) q.kind = f.kind as string[]
  if (f.kind_not != null) q.kindNot = f.kind_not as string[]
  if (f.status != null) q.status = f.status as string[]
  const md = metadataFilter(f); if (md !== undefined) q.metadata = md
  if (typeof term === 'string' && term !== '') q.term = term
  return q
}

function checkDate (v: unknown, name: string): void {
  if (v != null && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v))) fail(`\`${name}\` must be a date as YYYY-MM-DD.`)
}

// ---- the objects ----

function securityOf (json: string | null) {
  if (json === null) return null
  const s = JSON.parse(json) as Record<string, string | null>
  return { name: s.name || null, tickerSymbol: s.tickerSymbol || null, cusip: s.cusip ?? null, isin: s.isin ?? null }
}

/**
 * One request's view of the bank data, passed as GraphQL's context value: the viewer's profile and
 * the rows the request has read so far. The root value and the objects' classes are built once; all
 * per-request state lives here, so two requests (or two viewers) never share a row.
 */
export class BankScope {
  private connectionRows?: Map<string, ConnectionRow | undefined>
  private accountRows?: Map<string, AccountRow | undefined>
  constructor (readonly bank: Bank, readonly environmentId: string, readonly profileId: string) {}

  connectionRow (id: string): ConnectionRow | undefined {
    const rows = (this.connectionRows ??= new Map())
    if (!rows.has(id)) rows.set(id, this.bank.connections.row(this.profileId, id))
    return rows.get(id)
  }

  accountRow (id: string): AccountRow | undefined {
    const rows = (this.accountRows ??= new Map())
    if (!rows.has(id)) rows.set(id, this.bank.accounts.row(this.profileId, id))
    return rows.get(id)
  }
}

// ---- the objects: rows in, Quiltt's types out, relations read (through the request's scope) when asked ----

const institutionOf = (c: ConnectionRow) => ({
  id: c.institution_id,
  name: c.institution_name,
  logo: () => c.institution_logo_url === null ? null : { url: c.institution_logo_url }
})

function checkDates (filter: Filter, names: string[]): void {
  for (const n of names) checkDate(filter?.[n], `filter.${n}`)
}

// ---- what a transactions page reads: only the columns its query asks for ----

/** The columns each field of Transaction reads; a field not listed (a new one) reads them all. */
const TRANSACTION_FIELD_COLUMNS: Record<string, readonly PageColumn[]> = {
  id: ['id'],
  date: ['date'],
  amount: ['amount'],
  description: ['description'],
  status: ['status'],
  entryType: ['entry_type'],
  kind: ['kind'],
  currencyCode: ['currency_code'],
  metadata: ['metadata'],
  provider: ['account_id'],
  account: ['account_id'],
  __typename: [],
  fees: [],
  price: [],
  quantity: [],
  security: [],
  merchant: [],
  remoteData: [],
  logo: []
}

type Fragments = Record<string, FragmentDefinitionNode | undefined>

/** Every field of a selection set, through inline fragments and fragment spreads, whatever their type conditions and directives (a superset is safe). */
function fieldsOf (set: SelectionSetNode | undefined, fragments: Fragments, out: FieldNode[] = [], seen = new Set<string>()): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === 'Field') out.push(sel)
    else if (sel.kind === 'InlineFragment') fieldsOf(sel.selectionSet, fragments, out, seen)
    else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value)
      fieldsOf(fragments[sel.name.value]?.selectionSet, fragments, out, seen)
    }
  }
  return out
}

/** The columns a transactions connection's nodes (`nodes` and `edges { node }`) ask for, as a `pageColumns` mask. */
function askedColumns (fieldNodes: readonly FieldNode[], fragments: Fragments): number {
  const columns = new Set<PageColumn>()
  for (const connectionField of fieldNodes.flatMap(f => fieldsOf(f.selectionSet, fragments))) {
    const name = connectionField.name.value
    const nodeSets = name === 'nodes'
      ? [connectionField]
      : name === 'edges' ? fieldsOf(connectionField.selectionSet, fragments).filter(f => f.name.value === 'node') : []
    for (const node of nodeSets.flatMap(n => fieldsOf(n.selectionSet, fragments))) {
      const read = TRANSACTION_FIELD_COLUMNS[node.name.value]
      if (read === undefined) return ALL_PAGE_COLUMNS
      for (const c of read) columns.add(c)
    }
  }
  return pageColumns(columns)
}

// By the field's first node (documents are cached, so their nodes live as long as the document); the
// whole list is compared, as one node can meet different siblings where a fragment is spread twice.
const askedByField = new WeakMap<FieldNode, { fieldNodes: readonly FieldNode[], columns: number }>()
function columnsOf (info: GraphQLResolveInfo | undefined): number {
  if (info === undefined) return ALL_PAGE_COLUMNS
  const { fieldNodes } = info
  const known = askedByField.get(fieldNodes[0]!)
  if (known && known.fieldNodes.length === fieldNodes.length && known.fieldNodes.every((n, i) => n === fieldNodes[i])) return known.columns
  const columns = askedColumns(fieldNodes, info.fragments)
  askedByField.set(fieldNodes[0]!, { fieldNodes: [...fieldNodes], columns })
  return columns
}

function transactionsOf (s: BankScope, args: Args, info: GraphQLResolveInfo | undefined, accountId?: string) {
  checkDates(args.filter as Filter, ['date', 'date_gt', 'date_gte', 'date_lt', 'date_lte'])
  const sort = (args.sort as string | null | undefined) ?? 'DATE_DESC'
  const term = (args.search as { term?: string | null } | null | undefined)?.term ?? undefined
  const sig = signature(['transactions', accountId ?? null, args.filter ?? null, sort, term ?? null])
  const q = transactionQuery(s.profileId, args.filter as Filter, term, accountId)
  const page = s.bank.transactions.page(q, { desc: sort === 'DATE_DESC', ...pageArgs(args, sig) }, columnsOf(info))
  const { layout } = page
  return new RelayConnection(page, sig, (t: TransactionPageRow) => new TransactionNode(t, layout, s))
}

function holdingsOf (s: BankScope, args: Args, accountId?: string) {
  const sig = signature(['holdings', accountId ?? null])
  return new RelayConnection(s.bank.holdings.page(s.profileId, accountId, pageArgs(args, sig)), sig, holding)
}

function statementsOf (s: BankScope, args: Args, accountId?: string) {
  const f = (args.filter ?? {}) as Args
  const sort = (args.sort as string | null | undefined) ?? 'DATE_DESC'
  const sig = signature(['statements', accountId ?? null, args.filter ?? null, sort])
  const forRange = f.for as { start: string, end: string } | null | undefined
  const issued = f.issuedFor as { month: string, year: string } | null | undefined
  if (forRange) { checkDate(forRange.start, 'filter.for.start'); checkDate(forRange.end, 'filter.for.end') }
  checkDate(f.on, 'filter.on')
  if (issued && !(/^\d{4}$/.test(issued.year) && /^(0?[1-9]|1[0-2])$/.test(issued.month))) fail('`filter.issuedFor` must name a month 1 to 12 and a four-digit year.')
  const page = s.bank.statements.page({
    profileId: s.profileId,
    ...(accountId === undefined ? {} : { accountId }),
    ...(f.accountIds != null ? { accountIds: f.accountIds as string[] } : {}),
    ...(forRange ? { for: forRange } : {}),
    ...(issued ? { issuedFor: `${issued.year}-${issued.month.padStart(2, '0')}` } : {}),
    ...(f.on != null ? { on: f.on as string } : {})
  }, { desc: sort === 'DATE_DESC', ...pageArgs({ first: args.first, after: args.after, before: args.before }, sig) })
  return new RelayConnection(page, sig, (r: StatementRow) => statement(s, r))
}

function accountsOf (s: BankScope, rows: AccountRow[], args: Args) {
  const f = (args.filter ?? {}) as Args
  for (const base of ['transactedFirstOn', 'transactedLastOn']) checkDates(f, [base, ...RANGE.map(op => `${base}_${op}`)])
  const md = metadataFilter(f)
  const within = (v: string | null, base: string): boolean => {
    const r = range<string>(f, base)
    if (!r) return true
    if (v === null) return false
    return (r.eq === undefined || v === r.eq) &&
      (r.gt === undefined || v > r.gt) && (r.gte === undefined || v >= r.gte) &&
      (r.lt === undefined || v < r.lt) && (r.lte === undefined || v <= r.lte)
  }
  const list = (v: unknown) => v as string[] | null | undefined
  let out = rows.filter(a => {
    const status = s.connectionRow(a.connection_id)?.status ?? ''
    if (list(f.connection_status) && !list(f.connection_status)!.includes(status)) return false
    if (list(f.connection_status_not)?.includes(status)) return false
    if (list(f.kind) && !list(f.kind)!.includes(a.kind ?? '')) return false
    if (list(f.kind_not)?.includes(a.kind ?? '')) return false
    if (f.verified != null && (a.verified === 1) !== f.verified) return false
    return metadataMatches(a.metadata, md) && within(a.transacted_first_on, 'transactedFirstOn') && within(a.transacted_last_on, 'transactedLastOn')
  })
  const term = (args.search as { term?: string | null } | null | undefined)?.term
  if (term) out = out.filter(a => a.name.toLowerCase().includes(term.toLowerCase()))
  if (args.sort) {
    const desc = args.sort === 'LAST_TRANSACTED_ON_DESC'
    // Accounts that never transacted sort last either way.
    out = [...out].sort((x, y) => {
      const a = x.transacted_last_on; const b = y.transacted_last_on
      if (a === b) return 0
      if (a === null) return 1
      if (b === null) return -1
      return (a < b ? -1 : 1) * (desc ? -1 : 1)
    })
  }
  return out.map(a => account(s, a))
}

function connection (s: BankScope, c: ConnectionRow) {
  return {
    id: c.id,
    provider: c.provider,
    status: c.status,
    products: JSON.parse(c.products) as string[],
    metadata: metadataOf(c.metadata),
    externallyManaged: false,
    oauth: OAUTH_INSTITUTION_IDS.has(c.institution_id), // its institution signs in at its own page (Navigate)
    remoteData: null,
    institution: () => institutionOf(c),
    accounts: (args: Args) => accountsOf(s, s.bank.accounts.ofConnection(c.id), args)
  }
}

function account (s: BankScope, a: AccountRow) {
  const conn = () => s.connectionRow(a.connection_id)!
  return {
    id: a.id,
    name: a.name,
    mask: a.mask,
    kind: a.kind,
    taxonomy: JSON.parse(a.taxonomy) as string[],
    currencyCode: a.currency_code,
    state: a.state,
    verified: a.verified === 1,
    metadata: metadataOf(a.metadata),
    transactedFirstOn: a.transacted_first_on,
    transactedLastOn: a.transacted_last_on,
    owners: null,
    remoteData: null,
    get provider () { return conn().provider },
    institution: () => institutionOf(conn()),
    connection: () => connection(s, conn()),
    balance: () => {
      const b = s.bank.accounts.balance(a.id)
      return b ? { id: b.id, at: toIso(b.at), available: b.available, current: b.current, limit: b.limit, source: b.source } : null
    },
    transactions: (args: Args, _s: unknown, info?: GraphQLResolveInfo) => transactionsOf(s, args, info, a.id),
    holdings: (args: Args) => holdingsOf(s, args, a.id),
    statements: (args: Args) => statementsOf(s, args, a.id)
  }
}

/**
 * A transaction. A class defined once, not an object of closures: a page makes up to 100 of these, a
 * prototype's methods cost nothing per record, and one prototype for every request keeps graphql-jit's
 * property reads monomorphic (a class defined per request made each request's nodes a new shape).
 */
class TransactionNode {
  declare readonly fees: null
  declare readonly price: null
  declare readonly quantity: null
  declare readonly security: null
  declare readonly merchant: null
  declare readonly remoteData: null
  declare readonly logo: null
  private readonly row: TransactionPageRow
  private readonly layout: PageLayout
  private readonly scope: BankScope
  constructor (row: TransactionPageRow, layout: PageLayout, scope: BankScope) {
    this.row = row
    this.layout = layout
    this.scope = scope
  }

  // Getters, not methods: graphql-jit reads leaf fields as properties (graphql/schema.ts). The row
  // holds the columns the page read, `layout` says where (PAGE_COLUMNS' order, store/transactions.ts).
  get id () { return this.row[this.layout[0]!] as string }
  private get accountId () { return this.row[this.layout[1]!] as string }
  get date () { return this.row[this.layout[2]!] as string }
  get amount () { return this.row[this.layout[3]!] as number }
  get description () { return this.row[this.layout[4]!] as string }
  get status () { return this.row[this.layout[5]!] as string }
  get entryType () { return this.row[this.layout[6]!] as string }
  get kind () { return this.row[this.layout[7]!] as string }
  get currencyCode () { return this.row[this.layout[8]!] as string }
  get metadata () { return metadataOf(this.row[this.layout[9]!] as string | null) }
  get provider (): string | null {
    const a = this.scope.accountRow(this.accountId)
    return a ? this.scope.connectionRow(a.connection_id)?.provider ?? null : null
  }

  account () { return account(this.scope, this.scope.accountRow(this.accountId)!) }
}
Object.assign(TransactionNode.prototype, { fees: null, price: null, quantity: null, security: null, merchant: null, remoteData: null, logo: null })

function holding (h: HoldingRow) {
  return { id: h.id, at: toIso(h.at), price: h.price, quantity: h.quantity, value: h.value, security: securityOf(h.security) }
}

function statement (s: BankScope, r: StatementRow) {
  return { id: r.id, startOn: r.start_on, endOn: r.end_on, url: statementUrl(r), account: () => account(s, s.accountRow(r.account_id)!) }
}

export interface MutationError { message: string, path: string[] }

/** A service's refusal as a payload's `errors`: field messages at their input path; not found at `id`. */
function refusal (err: unknown, payloadErrors: (e: ValidationError) => MutationError[]): MutationError[] {
  if (err instanceof ValidationError) return payloadErrors(err)
  if (err instanceof ApiError && err.statusCode === 404) return [{ message: 'id does not name a record of this profile', path: ['id'] }]
  throw err
}

type Root = (args: Args, scope: BankScope, info?: GraphQLResolveInfo) => unknown

/**
 * Query and Mutation fields over the bank data, built once: graphql-js's default resolver (and
 * graphql-jit's) calls each as (args, context, info), and the context is the request's BankScope.
 */
export function bankRoots (payloadErrors: (e: ValidationError) => MutationError[]): Record<string, Root> {
  const idOf = (args: Args) => String(args.id)
  const inputOf = (args: Args) => args.input as Args

  function mutate<T> (args: Args, run: (input: Args) => T) {
    const input = inputOf(args)
    const clientMutationId = input.clientMutationId ?? null
    try {
      return { success: true, record: run(input), errors: null, clientMutationId }
    } catch (err) {
      return { success: false, record: null, errors: refusal(err, payloadErrors), clientMutationId }
    }
  }

  return {
    connection: (args, s) => { const c = s.connectionRow(idOf(args)); return c ? connection(s, c) : null },
    connections: (args, s) => {
      const f = (args.filter ?? {}) as Args
      const md = metadataFilter(f)
      const list = (v: unknown) => v as string[] | null | undefined
      return s.bank.connections.rows(s.profileId).filter(c =>
        (!list(f.provider) || list(f.provider)!.includes(c.provider)) &&
        (!list(f.status) || list(f.status)!.includes(c.status)) &&
        !list(f.status_not)?.includes(c.status) &&
        metadataMatches(c.metadata, md)).map(c => connection(s, c))
    },
    account: (args, s) => { const a = s.accountRow(idOf(args)); return a ? account(s, a) : null },
    accounts: (args, s) => accountsOf(s, s.bank.accounts.rows(s.profileId), args),
    transaction: (args, s) => {
      const t = s.bank.transactions.row(s.profileId, idOf(args))
      return t ? new TransactionNode(pageRowOf(t), FULL_LAYOUT, s) : null
    },
    transactions: (args, s, info) => transactionsOf(s, args, info),
    holding: (args, s) => { const h = s.bank.holdings.row(s.profileId, idOf(args)); return h ? holding(h) : null },
    holdings: (args, s) => holdingsOf(s, args),
    statement: (args, s) => { const r = s.bank.statements.row(s.profileId, idOf(args)); return r ? statement(s, r) : null },
    statements: (args, s) => statementsOf(s, args),

    accountUpdate: (args, s) => mutate(args, input => account(s, s.bank.accounts.updateMetadata(s.profileId, String(input.id), input.metadata ?? null))),
    transactionUpdate: (args, s) => mutate(args, input =>
      new TransactionNode(pageRowOf(s.bank.transactions.updateMetadata(s.profileId, String(input.id), input.metadata ?? null)), FULL_LAYOUT, s)),
    connectionUpdate: (args, s) => mutate(args, input => {
      const v = s.bank.connections.updateMetadata(s.environmentId, s.profileId, String(input.id), input.metadata ?? null)
      return connection(s, s.bank.connections.row(s.profileId, v.id)!)
    }),
    connectionSimulateError: (args, s) => mutate(args, input => {
      const v = s.bank.connections.simulateError(s.environmentId, s.profileId, String(input.id))
      return connection(s, s.bank.connections.row(s.profileId, v.id)!)
    }),
    // 2026-04-01: connectionDisconnect's payload has no `errors`; a failure is a top-level GraphQL error.
    connectionDisconnect: (args, s) => {
      const input = inputOf(args)
      try {
        const v = s.bank.connections.disconnect(s.environmentId, s.profileId, String(input.id))
        return { success: true, record: connection(s, s.bank.connections.row(s.profileId, v.id)!), clientMutationId: input.clientMutationId ?? null }
      } catch (err) {
        const [first] = refusal(err, payloadErrors)
        return fail(`connectionDisconnect: ${first!.message}`)
      }
    }
  }
}
