// Bank records in Quiltt's REST 2026-04-01 shapes (its OpenAPI document's Connection, Account,
// Balance, Statement schemas): what domain events carry as `record`, and what REST answers show.
import { toIso } from '../clock.js'
import type { AccountRow } from '../store/accounts.js'
import type { BalanceRow } from '../store/balances.js'
import type { ConnectionRow } from '../store/connections.js'
import type { StatementRow } from '../store/statements.js'

const metadataOf = (json: string | null): Record<string, unknown> | null => json === null ? null : JSON.parse(json) as Record<string, unknown>

/** Quiltt's REST Connection: `features` (deprecated) repeats `products`, as Quiltt's document says. */
export function connectionRecord (row: ConnectionRow) {
  const products = JSON.parse(row.products) as string[]
  return {
    id: row.id,
    at: toIso(row.at),
    provider: row.provider,
    features: products,
    products,
    status: row.status,
    metadata: metadataOf(row.metadata),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at)
  }
}

export function accountRecord (row: AccountRow) {
  return {
    id: row.id,
    connectionId: row.connection_id,
    at: toIso(row.at),
    state: row.state,
    metadata: metadataOf(row.metadata),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at)
  }
}

export function balanceRecord (row: BalanceRow) {
  return { id: row.id, accountId: row.account_id, at: toIso(row.at), source: row.source, available: row.available, current: row.current, limit: row.limit }
}

/**
 * A statement's PDF link. Quiltt's links expire after an hour; the emulator has no PDFs to serve, so
 * the link names the statement on a host that never resolves (`.invalid`, RFC 2606).
 */
export const statementUrl = (row: StatementRow): string => `https://statements.quiltt-mock.invalid/${row.id}.pdf`

export function statementRecord (row: StatementRow) {
  return { id: row.id, accountId: row.account_id, startOn: row.start_on, endOn: row.end_on, url: statementUrl(row), at: toIso(row.at) }
}

export { metadataOf }
