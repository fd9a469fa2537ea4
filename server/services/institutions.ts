// Institutions: a default set of fictional banks the emulator's connections come from. Quiltt's list
// is its providers' (thousands of real institutions); these names are made up, so nobody mistakes
// emulator data for a real bank's, and each has a routing number of its own for GET /v1/institutions.
import { errors } from '../errors.js'
import type { ServiceContext } from './context.js'

export interface Institution {
  id: string
  name: string
  /** A 9-digit ABA routing number (checksum valid), for GET /v1/institutions?routingNumber=. */
  routingNumber: string
  logoUrl: string | null
  /** Signs in at the bank's own page (OAuth): the Connector page asks the app to open it (Navigate). */
  oauth: boolean
}

/** The ABA checksum digit that makes 8 digits a valid routing number (3-7-1 weights, sum divisible by 10). */
export function withAbaChecksum (eight: string): string {
  const w = [3, 7, 1, 3, 7, 1, 3, 7]
  const sum = [...eight].reduce((acc, d, i) => acc + Number(d) * w[i]!, 0)
  return eight + String((10 - (sum % 10)) % 10)
}

export const isRoutingNumber = (v: string): boolean => /^\d{9}$/.test(v) && withAbaChecksum(v.slice(0, 8)) === v

const NAMES = [
  'First Platypus Bank', 'Harborline Federal Credit Union', 'Juniper Trust & Savings', 'Copperleaf National Bank',
  'Bluewater Community Bank', 'Granite Peak Credit Union', 'Meadowbrook Savings Bank', 'Northstar Mutual Bank',
  'Redwood Valley Bank', 'Silver Birch Financial', 'Tidewater Federal Savings', 'Lantern Street Bank',
  'Prairie Sky Credit Union', 'Summit Ledger Bank', 'Evergreen Harbor Bank', 'Mock Bank'
]
/** The one OAuth institution: picking it in the Connector page goes through its mock bank login page. */
export const OAUTH_INSTITUTION = 'Northstar Mutual Bank'

const slug = (name: string) => name.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

/** The default institutions, with stable ids and routing numbers (the same in every emulator). */
export const DEFAULT_INSTITUTIONS: readonly Institution[] = NAMES.map((name, i) => ({
  id: `inst_mock_${slug(name)}`,
  name,
  // 0990xx00 + checksum: made up, one per bank, stable.
  routingNumber: withAbaChecksum(`0990${String(i + 10)}00`),
  logoUrl: null,
  oauth: name === OAUTH_INSTITUTION
}))

export function createInstitutionService (_ctx: ServiceContext) {
  return {
    /** Institutions whose name contains the term (case-insensitive); every one for an empty term. */
    search (_environmentId: string, term: string): Array<{ id: string, name: string, logoUrl: string | null }> {
      const t = term.trim().toLowerCase()
      return DEFAULT_INSTITUTIONS.filter(i => t === '' || i.name.toLowerCase().includes(t)).map(({ id, name, logoUrl }) => ({ id, name, logoUrl }))
    },
    /** GET /v1/institutions: the institutions with this routing number (a 400 if it is not 9 digits). */
    byRoutingNumber (routingNumber: string): Array<{ name: string, logoUrl: string | null }> {
      if (!/^\d{9}$/.test(routingNumber)) throw errors.routingNumberInvalid()
      return DEFAULT_INSTITUTIONS.filter(i => i.routingNumber === routingNumber).map(({ name, logoUrl }) => ({ name, logoUrl }))
    },
    /** The institution a seeded connection names: a default one by name (case-insensitive), else a new one with that name. */
    named (name: string | undefined): Institution {
      if (name === undefined) return DEFAULT_INSTITUTIONS.at(-1)!
      const known = DEFAULT_INSTITUTIONS.find(i => i.name.toLowerCase() === name.trim().toLowerCase())
      return known ?? { id: `inst_mock_${slug(name) || 'institution'}`, name: name.trim(), routingNumber: withAbaChecksum('09909900'), logoUrl: null, oauth: false }
    }
  }
}

export type InstitutionService = ReturnType<typeof createInstitutionService>
