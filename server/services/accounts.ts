// Accounts: reads for GraphQL, accountUpdate's metadata, and Quiltt's REST operations on an account
// (balance refresh, ACH numbers), which act with the environment's API key on any of its profiles.
import { errors, FieldErrorCollector } from '../errors.js'
import type { AccountRow } from '../store/accounts.js'
import type { BalanceRow } from '../store/balances.js'
import { balanceRecord, metadataOf } from './bank-records.js'
import { INACTIVE } from './connections.js'
import type { ServiceContext } from './context.js'
import { parseMetadata } from './metadata.js'

export function createAccountService ({ store, clock, ids, changes }: ServiceContext) {
  function inEnvironment (environmentId: string, accountId: string): AccountRow {
    const row = store.accounts.byIdInEnvironment(environmentId, accountId)
    if (!row) throw errors.accountNotFound()
    return row
  }
  return {
    rows: (profileId: string) => store.accounts.list(profileId),
    row: (profileId: string, accountId: string) => store.accounts.byId(profileId, accountId),
    ofConnection: (connectionId: string) => store.accounts.ofConnection(connectionId),
    balance: (accountId: string) => store.balances.latest(accountId),
    /** accountUpdate: metadata only, as Quiltt's input allows; a 404 ApiError when it is not the profile's. */
    updateMetadata (profileId: string, accountId: string, metadata: unknown): AccountRow {
      return store.transaction(() => {
        const row = store.accounts.byId(profileId, accountId)
        if (!row) throw errors.recordNotFound('Account')
        const errs = new FieldErrorCollector()
        const json = parseMetadata(metadata, errs)
        errs.throwIfAny()
        store.accounts.updateMetadata(profileId, accountId, json ?? null, clock.now())
        return store.accounts.byId(profileId, accountId)!
      })
    },
    /**
     * POST /v1/accounts/{id}/balances/refresh: a new balance (source REFRESH) equal to the latest one,
     * published as `balance.created`, as Quiltt's provider would answer for an account nobody touched.
     * LOAN accounts are refused as Plaid refuses them (the MOCK provider follows Plaid here).
     */
    refreshBalance (environmentId: string, accountId: string): BalanceRow {
      return store.transaction(() => {
        const account = inEnvironment(environmentId, accountId)
        const connection = store.connections.byId(account.profile_id, account.connection_id)!
        if (INACTIVE.has(connection.status)) throw errors.accountConnectionNotActive()
        if (account.kind === 'LOAN') throw errors.balanceRefreshUnsupported('LOAN')
        const latest = store.balances.latest(account.id)
        const row: BalanceRow = {
          id: ids.bankRecord('bal'),
          profile_id: account.profile_id,
          account_id: account.id,
          source: 'REFRESH',
          current: latest?.current ?? null,
          available: latest?.available ?? null,
          limit: latest?.limit ?? null,
          at: clock.now()
        }
        store.balances.insert(row)
        const profile = store.profiles.byId(account.environment_id, account.profile_id)!
        changes.publish({
          environmentId,
          type: 'balance.created',
          profile: { id: profile.id, uuid: profile.uuid, metadata: metadataOf(profile.metadata) },
          record: balanceRecord(row)
        })
        return row
      })
    },
    /** GET /v1/accounts/{id}/ach_numbers: a verified DEPOSITORY account of a connection with ACCOUNT_NUMBERS. */
    achNumbers (environmentId: string, accountId: string): { accountId: string, number: string, routing: string } {
      const account = inEnvironment(environmentId, accountId)
      if (account.kind !== 'DEPOSITORY') throw errors.achNumbersUnsupportedKind(account.kind ?? 'UNKNOWN')
      const connection = store.connections.byId(account.profile_id, account.connection_id)!
      if (!(JSON.parse(connection.products) as string[]).includes('ACCOUNT_NUMBERS')) throw errors.achNumbersNotEnabled()
      if (account.verified !== 1 || account.account_number === null || account.routing_number === null) throw errors.verifiedAccountNotFound()
      return { accountId: account.id, number: account.account_number, routing: account.routing_number }
    }
  }
}

export type AccountService = ReturnType<typeof createAccountService>
