// The body of the seeding route (and a fixture profile's `connections`): explicit records, or
// `{"generate": {...}}`, validated into one shape with every problem at its path (a 422 field map).
import { FieldErrorCollector } from '../errors.js'
import { generateAccounts, type SeedAccount, type SeedHolding, type SeedStatement, type SeedTransaction } from './bank-generator.js'
import { has, isCalendarDate, isPlainObject } from './formats.js'
import { parseMetadata } from './metadata.js'

export interface SeedConnection {
  id?: string
  provider: string
  institutionName?: string
  status: string
  products?: string[]
  metadata: string | null
  accounts: SeedAccount[]
}

export const PROVIDERS = ['MOCK', 'PLAID', 'MX', 'FINICITY', 'AKOYA']
// Quiltt's ConnectionStatus, but UPGRADING (GraphQL only; REST's Connection has no such status).
export const STATUSES = ['SYNCED', 'SYNCING', 'INITIALIZING', 'ERROR_REPAIRABLE', 'ERROR_SERVICE', 'ERROR_PROVIDER', 'ERROR_INSTITUTION', 'DISCONNECTING', 'DISCONNECTED']
export const PRODUCTS = ['ACCOUNT_BALANCES_AND_TRANSACTIONS', 'ACCOUNT_BALANCE_REFRESHES', 'ACCOUNT_NUMBERS', 'ACCOUNT_OWNERS', 'ACCOUNT_STATEMENTS', 'ACCOUNT_TRANSACTIONS_REFRESHES', 'INVESTMENTS', 'LIABILITIES']
export const KINDS = ['DEPOSITORY', 'CREDIT', 'INVESTMENT', 'LOAN']
export const TAXONOMY = ['ASSET', 'AUTO', 'CARD', 'CASH_MANAGEMENT', 'CERTIFICATE_OF_DEPOSIT', 'CREDIT', 'DEPOSITORY', 'ELECTRONIC_BENEFIT_TRANSFER',
  'HEALTH_SAVINGS_ACCOUNT', 'HOME_EQUITY', 'INVESTMENT', 'LIABILITY', 'LINE_OF_CREDIT', 'LOAN', 'MONEY_MARKET', 'MORTGAGE', 'PREPAID', 'RETIREMENT',
  'SAVINGS', 'SPENDING', 'STUDENT', 'UNKNOWN']
// The currencies a seeded account may hold (ISO 4217 codes common in Quiltt's providers' data).
export const CURRENCIES = ['USD', 'CAD', 'EUR', 'GBP', 'MXN', 'AUD', 'JPY', 'CHF']

/** Bounds: what one request may seed. 100,000 transactions per account is the bench's profile. */
export const LIMITS = { accounts: 50, transactionsPerAccount: 100_000, transactions: 200_000, holdings: 500, statements: 500 }

const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`)
export const ID_FORMATS = { connection: ID('conn'), account: ID('acct'), transaction: ID('txn'), holding: ID('hld'), statement: ID('stmt') }

/** Default taxonomy by kind: Quiltt's path from ASSET/LIABILITY down. */
export function taxonomyOf (kind: string, name: string): string[] {
  switch (kind) {
    case 'CREDIT': return ['LIABILITY', 'CREDIT', 'CARD']
    case 'LOAN': return ['LIABILITY', 'LOAN']
    case 'INVESTMENT': return ['ASSET', 'INVESTMENT']
    default: return ['ASSET', 'DEPOSITORY', /saving/i.test(name) ? 'SAVINGS' : 'SPENDING']
  }
}

type Obj = Record<string, unknown>

function unknownKeys (o: Obj, allowed: string[], errs: FieldErrorCollector, at: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) errs.add(`${at}${k}`, 'is not a known attribute')
}

const str = (
  o: Obj, k: string, errs: FieldErrorCollector, at: string,
  opts: { required?: boolean, max?: number, oneOf?: string[], format?: RegExp } = {}
): string | undefined => {
  const v = o[k]
  if (v === undefined || v === null) { if (opts.required) errs.add(`${at}${k}`, "can't be blank"); return undefined }
  if (typeof v !== 'string') { errs.add(`${at}${k}`, 'must be a string'); return undefined }
  if (opts.required && v.trim() === '') { errs.add(`${at}${k}`, "can't be blank"); return undefined }
  if (opts.max !== undefined && v.length > opts.max) { errs.add(`${at}${k}`, `is too long (maximum is ${opts.max} characters)`); return undefined }
  if (opts.oneOf && !opts.oneOf.includes(v)) { errs.add(`${at}${k}`, `must be one of ${opts.oneOf.join(', ')}`); return undefined }
  if (opts.format && !opts.format.test(v)) { errs.add(`${at}${k}`, 'is invalid'); return undefined }
  return v
}

const num = (o: Obj, k: string, errs: FieldErrorCollector, at: string, required = false): number | null | undefined => {
  const v = o[k]
  if (v === undefined || v === null) { if (required) errs.add(`${at}${k}`, "can't be blank"); return v === null ? null : undefined }
  if (typeof v !== 'number' || !Number.isFinite(v)) { errs.add(`${at}${k}`, 'must be a number'); return undefined }
  if (Math.abs(v) > 1e12) { errs.add(`${at}${k}`, 'must be at most 1,000,000,000,000 in size'); return undefined }
  return v
}

const int = (o: Obj, k: string, errs: FieldErrorCollector, at: string, min: number, max: number): number | undefined => {
  const v = o[k]
  if (v === undefined || v === null) { errs.add(`${at}${k}`, "can't be blank"); return undefined }
  if (typeof v !== 'number' || !Number.isInteger(v)) { errs.add(`${at}${k}`, 'must be an integer'); return undefined }
  if (v < min || v > max) { errs.add(`${at}${k}`, `must be between ${min} and ${max.toLocaleString('en-US')}`); return undefined }
  return v
}

function list (o: Obj, k: string, errs: FieldErrorCollector, at: string, max: number): unknown[] {
  const v = o[k]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) { errs.add(`${at}${k}`, 'must be an array'); return [] }
  if (v.length > max) { errs.add(`${at}${k}`, `must have at most ${max.toLocaleString('en-US')} entries`); return [] }
  return v
}

function parseTransaction (raw: unknown, errs: FieldErrorCollector, at: string): SeedTransaction | undefined {
  if (!isPlainObject(raw)) { errs.add(at.slice(0, -1), 'must be an object'); return undefined }
  unknownKeys(raw, ['id', 'date', 'amount', 'description', 'status', 'entryType'], errs, at)
  const id = str(raw, 'id', errs, at, { format: ID_FORMATS.transaction })
  const date = str(raw, 'date', errs, at, { required: true })
  if (date !== undefined && !isCalendarDate(date)) errs.add(`${at}date`, 'must be a date as YYYY-MM-DD')
  const amount = num(raw, 'amount', errs, at, true)
  const description = str(raw, 'description', errs, at, { required: true, max: 500 })
  const status = str(raw, 'status', errs, at, { oneOf: ['POSTED', 'PENDING'] }) ?? 'POSTED'
  // Without an entryType, the sign says it: a negative amount is money out.
  const entryType = str(raw, 'entryType', errs, at, { oneOf: ['DEBIT', 'CREDIT'] }) ?? ((amount ?? 0) < 0 ? 'DEBIT' : 'CREDIT')
  if (date === undefined || amount == null || description === undefined) return undefined
  return { ...(id === undefined ? {} : { id }), date, amount, description, status, entryType }
}

function parseHolding (raw: unknown, errs: FieldErrorCollector, at: string): SeedHolding | undefined {
  if (!isPlainObject(raw)) { errs.add(at.slice(0, -1), 'must be an object'); return undefined }
  unknownKeys(raw, ['id', 'security', 'price', 'quantity'], errs, at)
  const id = str(raw, 'id', errs, at, { format: ID_FORMATS.holding })
  const sec = raw.security
  let security: SeedHolding['security'] = { name: '', tickerSymbol: '', cusip: null, isin: null }
  if (!isPlainObject(sec)) errs.add(`${at}security`, 'must be an object')
  else {
    unknownKeys(sec, ['name', 'tickerSymbol', 'cusip', 'isin'], errs, `${at}security.`)
    security = {
      name: str(sec, 'name', errs, `${at}security.`, { required: true, max: 255 }) ?? '',
      tickerSymbol: str(sec, 'tickerSymbol', errs, `${at}security.`, { max: 16 }) ?? '',
      cusip: str(sec, 'cusip', errs, `${at}security.`, { max: 9 }) ?? null,
      isin: str(sec, 'isin', errs, `${at}security.`, { max: 12 }) ?? null
    }
  }
  const price = num(raw, 'price', errs, at, true)
  const quantity = num(raw, 'quantity', errs, at, true)
  if (price == null || quantity == null) return undefined
  return { ...(id === undefined ? {} : { id }), security, price, quantity }
}

function parseStatement (raw: unknown, errs: FieldErrorCollector, at: string): SeedStatement | undefined {
  if (!isPlainObject(raw)) { errs.add(at.slice(0, -1), 'must be an object'); return undefined }
  unknownKeys(raw, ['id', 'startOn', 'endOn'], errs, at)
  const id = str(raw, 'id', errs, at, { format: ID_FORMATS.statement })
  const startOn = str(raw, 'startOn', errs, at, { required: true })
  const endOn = str(raw, 'endOn', errs, at, { required: true })
  for (const [k, v] of [['startOn', startOn], ['endOn', endOn]] as const) if (v !== undefined && !isCalendarDate(v)) errs.add(`${at}${k}`, 'must be a date as YYYY-MM-DD')
  if (startOn !== undefined && endOn !== undefined && startOn > endOn) errs.add(`${at}endOn`, 'must not be before startOn')
  if (startOn === undefined || endOn === undefined) return undefined
  return { ...(id === undefined ? {} : { id }), startOn, endOn }
}

function parseAccount (raw: unknown, errs: FieldErrorCollector, at: string, budget: { transactions: number }): SeedAccount | undefined {
  if (!isPlainObject(raw)) { errs.add(at.slice(0, -1), 'must be an object'); return undefined }
  unknownKeys(raw, ['id', 'name', 'mask', 'kind', 'taxonomy', 'currencyCode', 'verified', 'state', 'accountNumber', 'balance', 'transactions', 'holdings', 'statements'], errs, at)
  const id = str(raw, 'id', errs, at, { format: ID_FORMATS.account })
  const name = str(raw, 'name', errs, at, { required: true, max: 255 })
  const mask = str(raw, 'mask', errs, at, { max: 8 })
  const kind = str(raw, 'kind', errs, at, { oneOf: KINDS }) ?? 'DEPOSITORY'
  const currencyCode = str(raw, 'currencyCode', errs, at, { oneOf: CURRENCIES }) ?? 'USD'
  const accountNumber = str(raw, 'accountNumber', errs, at, { format: /^\d{4,17}$/ })
  let taxonomy: string[] | undefined
  if (raw.taxonomy !== undefined && raw.taxonomy !== null) {
    if (!Array.isArray(raw.taxonomy) || raw.taxonomy.length === 0 || raw.taxonomy.length > 6 || raw.taxonomy.some(v => typeof v !== 'string' || !TAXONOMY.includes(v))) {
      errs.add(`${at}taxonomy`, `must be a list of 1 to 6 of ${TAXONOMY.join(', ')}`)
    } else taxonomy = raw.taxonomy as string[]
  }
  let verified = kind === 'DEPOSITORY'
  if (raw.verified !== undefined && raw.verified !== null) {
    if (typeof raw.verified !== 'boolean') errs.add(`${at}verified`, 'must be true or false')
    else verified = raw.verified
  }
  let balance: SeedAccount['balance'] = { current: null, available: null, limit: null }
  if (!isPlainObject(raw.balance)) errs.add(`${at}balance`, raw.balance === undefined ? "can't be blank" : 'must be an object')
  else {
    unknownKeys(raw.balance, ['current', 'available', 'limit'], errs, `${at}balance.`)
    balance = {
      current: num(raw.balance, 'current', errs, `${at}balance.`, true) ?? null,
      available: num(raw.balance, 'available', errs, `${at}balance.`) ?? null,
      limit: num(raw.balance, 'limit', errs, `${at}balance.`) ?? null
    }
  }
  const rawTransactions = list(raw, 'transactions', errs, at, LIMITS.transactionsPerAccount)
  budget.transactions += rawTransactions.length
  const transactions = rawTransactions.map((t, i) => parseTransaction(t, errs, `${at}transactions[${i}].`)).filter((t): t is SeedTransaction => t !== undefined)
  const holdings = list(raw, 'holdings', errs, at, LIMITS.holdings).map((h, i) => parseHolding(h, errs, `${at}holdings[${i}].`)).filter((h): h is SeedHolding => h !== undefined)
  const statements = list(raw, 'statements', errs, at, LIMITS.statements).map((s, i) => parseStatement(s, errs, `${at}statements[${i}].`)).filter((s): s is SeedStatement => s !== undefined)
  if (name === undefined) return undefined
  return {
    ...(id === undefined ? {} : { id }),
    name,
    mask: mask ?? (accountNumber ? accountNumber.slice(-4) : null),
    kind,
    taxonomy: taxonomy ?? taxonomyOf(kind, name),
    currencyCode,
    verified,
    accountNumber: accountNumber ?? null,
    balance,
    transactions,
    holdings,
    statements
  }
}

/**
 * Reads a seeding body into records, or throws a ValidationError with every problem: unknown
 * attributes, wrong types, bad dates, ids of the wrong kind, sizes beyond LIMITS.
 */
export function parseSeedConnection (body: unknown, today: number, prefix = ''): SeedConnection {
  const errs = new FieldErrorCollector()
  if (!isPlainObject(body)) {
    errs.add(prefix === '' ? 'base' : prefix.slice(0, -1), 'must be an object with `accounts` or `generate`')
    errs.throwIfAny()
  }
  const o = body as Obj
  unknownKeys(o, ['id', 'provider', 'institution', 'status', 'products', 'metadata', 'accounts', 'generate'], errs, prefix)
  const id = str(o, 'id', errs, prefix, { format: ID_FORMATS.connection })
  const provider = str(o, 'provider', errs, prefix, { oneOf: PROVIDERS }) ?? 'MOCK'
  const status = str(o, 'status', errs, prefix, { oneOf: STATUSES }) ?? 'SYNCED'
  let institutionName: string | undefined
  if (o.institution !== undefined && o.institution !== null) {
    if (!isPlainObject(o.institution)) errs.add(`${prefix}institution`, 'must be an object')
    else {
      unknownKeys(o.institution, ['name'], errs, `${prefix}institution.`)
      institutionName = str(o.institution, 'name', errs, `${prefix}institution.`, { required: true, max: 100 })
    }
  }
  let products: string[] | undefined
  if (o.products !== undefined && o.products !== null) {
    if (!Array.isArray(o.products) || o.products.some(p => typeof p !== 'string' || !PRODUCTS.includes(p))) errs.add(`${prefix}products`, `must be a list of ${PRODUCTS.join(', ')}`)
    else products = [...new Set(o.products as string[])]
  }
  const metadata = has(o, 'metadata') && o.metadata !== undefined ? parseMetadata(o.metadata, errs, `${prefix}metadata`) ?? null : null

  let accounts: SeedAccount[] = []
  if (o.generate !== undefined) {
    if (o.accounts !== undefined) errs.add(`${prefix}accounts`, 'cannot be given with `generate`: seed explicit records or generated ones')
    if (!isPlainObject(o.generate)) errs.add(`${prefix}generate`, 'must be an object: {"accounts", "transactionsPerAccount", "seed"}')
    else {
      const g = o.generate
      const at = `${prefix}generate.`
      unknownKeys(g, ['accounts', 'transactionsPerAccount', 'seed'], errs, at)
      const n = int(g, 'accounts', errs, at, 1, LIMITS.accounts)
      const per = g.transactionsPerAccount === undefined ? 200 : int(g, 'transactionsPerAccount', errs, at, 0, LIMITS.transactionsPerAccount)
      const seed = g.seed === undefined ? 1 : int(g, 'seed', errs, at, 0, 2 ** 32 - 1)
      if (n !== undefined && per !== undefined && n * per > LIMITS.transactions) errs.add(`${at}transactionsPerAccount`, `makes ${(n * per).toLocaleString('en-US')} transactions; at most ${LIMITS.transactions.toLocaleString('en-US')} a request`)
      errs.throwIfAny()
      accounts = generateAccounts({ accounts: n!, transactionsPerAccount: per!, seed: seed! }, today)
    }
  } else if (!Array.isArray(o.accounts) || o.accounts.length === 0) {
    errs.add(`${prefix}accounts`, o.accounts === undefined ? "can't be blank: give `accounts`, or `generate` for demo data" : 'must be a non-empty array')
  } else if (o.accounts.length > LIMITS.accounts) {
    errs.add(`${prefix}accounts`, `must have at most ${LIMITS.accounts} entries`)
  } else {
    const budget = { transactions: 0 }
    accounts = o.accounts.map((a, i) => parseAccount(a, errs, `${prefix}accounts[${i}].`, budget)).filter((a): a is SeedAccount => a !== undefined)
    if (budget.transactions > LIMITS.transactions) errs.add(`${prefix}accounts`, `hold ${budget.transactions.toLocaleString('en-US')} transactions; at most ${LIMITS.transactions.toLocaleString('en-US')} a request`)
  }
  errs.throwIfAny()
  return {
    ...(id === undefined ? {} : { id }),
    provider,
    ...(institutionName === undefined ? {} : { institutionName }),
    status,
    ...(products === undefined ? {} : { products }),
    metadata,
    accounts
  }
}
