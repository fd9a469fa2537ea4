// Deterministic demo bank data: `{"generate": {"accounts", "transactionsPerAccount", "seed"}}`. Its own
// seeded PRNG (not the injected random source, which ids use): the same seed, counts and emulator
// date give the same names, merchants, amounts and dates.

export interface SeedTransaction { id?: string, date: string, amount: number, description: string, status: string, entryType: string }
export interface SeedHolding {
  id?: string
  security: { name: string, tickerSymbol: string, cusip: string | null, isin: string | null }
  price: number
  quantity: number
}
export interface SeedStatement { id?: string, startOn: string, endOn: string }
export interface SeedAccount {
  id?: string
  name: string
  mask: string | null
  kind: string
  taxonomy: string[]
  currencyCode: string
  verified: boolean
  accountNumber: string | null
  balance: { current: number | null, available: number | null, limit: number | null }
  transactions: SeedTransaction[]
  holdings: SeedHolding[]
  statements: SeedStatement[]
}

/** mulberry32: small, fast, and the same sequence everywhere for a 32-bit seed. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100
const DAY = 86_400_000
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

interface Template { name: string, kind: string, taxonomy: string[], merchants: Merchant[] }
interface Merchant { description: string, min: number, max: number, weight: number, entryType: 'DEBIT' | 'CREDIT' }

const m = (description: string, min: number, max: number, weight: number, entryType: 'DEBIT' | 'CREDIT' = 'DEBIT'): Merchant => ({ description, min, max, weight, entryType })

const SPENDING: Merchant[] = [
  m('Corner Bean Coffee', 3.5, 9.75, 14), m('Fresh Fields Market', 18, 164, 10), m('Metro Transit Fare', 2.75, 32, 6),
  m('Sunrise Bakery', 4.25, 22, 5), m('QuickFuel Gas Station', 28, 74, 6), m('Streamly Subscription', 9.99, 19.99, 2),
  m('Green Bowl Salads', 11, 19, 6), m('Harbor Pharmacy', 6, 58, 3), m('Parkside Cinema', 12, 38, 2),
  m('Online Marketplace Purchase', 9, 240, 8), m('City Water & Power', 48, 160, 1), m('Mobile Wireless Bill', 45, 95, 1),
  m('Rent Payment - Oakview Apartments', 1450, 2150, 1), m('ATM Withdrawal', 20, 200, 2), m('Rideshare Trip', 8, 46, 4),
  m('Payroll Deposit - Acme Widgets Inc', 2100, 3900, 3, 'CREDIT'), m('Transfer from Savings', 100, 900, 1, 'CREDIT'),
  m('Refund - Online Marketplace', 9, 120, 1, 'CREDIT')
]
const SAVINGS: Merchant[] = [m('Interest Payment', 0.8, 24, 3, 'CREDIT'), m('Transfer from Checking', 100, 1500, 4, 'CREDIT'), m('Transfer to Checking', 100, 900, 2)]
const CARD: Merchant[] = [
  m('Skyway Airlines', 120, 640, 1), m('Cedar Grill & Bar', 24, 140, 5), m('Bookworm Books', 8, 60, 3), m('Fresh Fields Market', 18, 164, 6),
  m('Trailhead Outfitters', 30, 280, 2), m('Online Marketplace Purchase', 9, 240, 8), m('Streamly Subscription', 9.99, 19.99, 2),
  m('Lakeside Hotel', 140, 420, 1), m('Card Payment - Thank You', 200, 2400, 2, 'CREDIT'), m('Corner Bean Coffee', 3.5, 9.75, 6)
]
const INVESTING: Merchant[] = [m('Dividend - Total Market Index Fund', 4, 180, 3, 'CREDIT'), m('Buy - Total Market Index Fund', 100, 2000, 2), m('Contribution', 250, 1000, 2, 'CREDIT')]
const LOAN: Merchant[] = [m('Loan Payment - Thank You', 280, 560, 4, 'CREDIT'), m('Interest Charge', 40, 140, 2)]

const TEMPLATES: Template[] = [
  { name: 'Everyday Checking', kind: 'DEPOSITORY', taxonomy: ['ASSET', 'DEPOSITORY', 'SPENDING'], merchants: SPENDING },
  { name: 'High-Yield Savings', kind: 'DEPOSITORY', taxonomy: ['ASSET', 'DEPOSITORY', 'SAVINGS'], merchants: SAVINGS },
  { name: 'Cash Rewards Visa', kind: 'CREDIT', taxonomy: ['LIABILITY', 'CREDIT', 'CARD'], merchants: CARD },
  { name: 'Brokerage Account', kind: 'INVESTMENT', taxonomy: ['ASSET', 'INVESTMENT'], merchants: INVESTING },
  { name: 'Auto Loan', kind: 'LOAN', taxonomy: ['LIABILITY', 'LOAN', 'AUTO'], merchants: LOAN },
  { name: 'Joint Checking', kind: 'DEPOSITORY', taxonomy: ['ASSET', 'DEPOSITORY', 'SPENDING'], merchants: SPENDING }
]

const SECURITIES = [
  { name: 'Total Market Index Fund', tickerSymbol: 'TMIX', price: [80, 120] },
  { name: 'International Equity Index Fund', tickerSymbol: 'IEIX', price: [40, 70] },
  { name: 'Aggregate Bond Index Fund', tickerSymbol: 'ABIX', price: [9, 12] },
  { name: 'Platypus Robotics Inc', tickerSymbol: 'PLTY', price: [15, 260] },
  { name: 'Harbor Energy Co', tickerSymbol: 'HBEC', price: [20, 90] }
]

function pick (rand: () => number, merchants: Merchant[]): Merchant {
  const total = merchants.reduce((n, x) => n + x.weight, 0)
  let r = rand() * total
  for (const x of merchants) { r -= x.weight; if (r < 0) return x }
  return merchants.at(-1)!
}

const digits = (rand: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('')

/**
 * `accounts` accounts cycling through checking, savings, a credit card, brokerage, an auto loan; each
 * with `transactionsPerAccount` transactions spread over the days before `today` (newest first, the
 * last two days pending), a balance, monthly statements (deposit and card accounts) and holdings
 * (investment accounts). Debits are positive amounts with entryType DEBIT, as Quiltt's examples show.
 */
export function generateAccounts (opts: { accounts: number, transactionsPerAccount: number, seed: number }, today: number): SeedAccount[] {
  const rand = prng(opts.seed)
  const start = Math.floor(today / DAY) * DAY
  const n = opts.transactionsPerAccount
  // About three transactions a day, over 30 days to two years.
  const span = Math.min(730, Math.max(30, Math.ceil(n / 3)))
  const out: SeedAccount[] = []
  for (let a = 0; a < opts.accounts; a++) {
    const tpl = TEMPLATES[a % TEMPLATES.length]!
    const round = Math.floor(a / TEMPLATES.length)
    const accountNumber = digits(rand, 10)
    const transactions: SeedTransaction[] = new Array(n)
    const dates: string[] = []
    for (let j = 0; j < n; j++) {
      const day = Math.floor((j * span) / n)
      const merchant = pick(rand, tpl.merchants)
      transactions[j] = {
        date: (dates[day] ??= isoDay(start - day * DAY)),
        amount: round2(merchant.min + rand() * (merchant.max - merchant.min)),
        description: merchant.description,
        status: day <= 1 ? 'PENDING' : 'POSTED',
        entryType: merchant.entryType
      }
    }
    let balance: SeedAccount['balance']
    if (tpl.kind === 'CREDIT') {
      const limit = 1000 * (5 + Math.floor(rand() * 16))
      const owed = round2(150 + rand() * 3200)
      balance = { current: -owed, available: round2(limit - owed), limit }
    } else if (tpl.kind === 'LOAN') {
      balance = { current: -round2(4000 + rand() * 21000), available: null, limit: null }
    } else {
      const current = round2(tpl.kind === 'INVESTMENT' ? 5000 + rand() * 75000 : tpl.taxonomy.includes('SAVINGS') ? 2000 + rand() * 28000 : 400 + rand() * 8600)
      balance = { current, available: tpl.kind === 'DEPOSITORY' ? round2(current - rand() * 120) : null, limit: null }
    }
    const holdings: SeedHolding[] = tpl.kind !== 'INVESTMENT'
      ? []
      : SECURITIES.slice(0, 3 + Math.floor(rand() * 3)).map(s => ({
        security: { name: s.name, tickerSymbol: s.tickerSymbol, cusip: null, isin: null },
        price: round2(s.price[0]! + rand() * (s.price[1]! - s.price[0]!)),
        quantity: Math.round((1 + rand() * 120) * 1000) / 1000
      }))
    const statements: SeedStatement[] = []
    if (tpl.kind === 'DEPOSITORY' || tpl.kind === 'CREDIT') {
      const d = new Date(start)
      for (let k = 1; k <= 6; k++) {
        const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 1)
        const last = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k + 1, 0)
        statements.push({ startOn: isoDay(first), endOn: isoDay(last) })
      }
    }
    out.push({
      name: round === 0 ? tpl.name : `${tpl.name} ${round + 1}`,
      mask: accountNumber.slice(-4),
      kind: tpl.kind,
      taxonomy: tpl.taxonomy,
      currencyCode: 'USD',
      verified: tpl.kind === 'DEPOSITORY',
      accountNumber,
      balance,
      transactions,
      holdings,
      statements
    })
  }
  return out
}
