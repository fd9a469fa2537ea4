// What every service is built from: the store, the clock, the id source.
import type { Clock } from '../clock.js'
import type { Ids } from '../random.js'
import type { Store } from '../store/index.js'
import type { Changes } from './changes.js'

/** What every service is built from. Time and randomness come in here and nowhere else. */
export interface ServiceContext {
  store: Store
  clock: Clock
  ids: Ids
  /** Domain events (services/changes.ts): published inside the transaction that made the change. */
  changes: Changes
}
