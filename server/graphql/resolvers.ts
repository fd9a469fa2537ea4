import { ValidationError } from '../errors.js'
import type { ProfileService, ProfileView } from '../services/profiles.js'
import { type BankScope, bankRoots } from './bank.js'
import { schema } from './schema.js'
import { unemulatedRoots } from './unemulated.js'

interface MutationError { message: string, path: string[] }

/**
 * Quiltt's field messages (`{"address.line1": ["can't be blank"]}`) as a payload's `errors`: the
 * path is the input field's, the message names the field, so a UI can show it as it comes. A message
 * that is already a full sentence (Quiltt's `Email is not a valid email address`) is kept as it is.
 */
/** Whether a message already starts with its field's name, as Quiltt's `Email is not a valid email address` does. */
const namesItsField = (field: string, message: string): boolean =>
  message.toLowerCase().startsWith(`${field.split('.').at(-1)!.toLowerCase()} `)

export function payloadErrors (err: ValidationError): MutationError[] {
  return Object.entries(err.fields).flatMap(([field, messages]) =>
    messages.map(message => ({ message: namesItsField(field, message) ? message : `${field} ${message}`, path: field.split('.') })))
}

/**
 * The root value, built once per service: Query and Mutation fields, read through the same profile
 * service as the REST Profiles API (and the bank data services), so both APIs and the inspector
 * always show one profile. Who asks comes with each request as GraphQL's context value (a
 * BankScope, which holds the viewer and the rows the request read): nothing of a request stays in
 * the root. Each field reads the store anew: in a batch, a query after a mutation sees the change.
 */
export function rootValue (profiles: ProfileService): Record<string, unknown> {
  return {
    ...unemulatedRoots(schema()),
    ...bankRoots(payloadErrors),
    profile: (_args: unknown, s: BankScope): ProfileView => profiles.view(profiles.require(s.environmentId, s.profileId)),
    profileUpdate ({ input }: { input: Record<string, unknown> }, s: BankScope) {
      const { clientMutationId = null, ...attributes } = input
      try {
        const row = profiles.updateFromBody(s.environmentId, s.profileId, attributes)
        return { success: true, record: profiles.view(row), errors: null, clientMutationId }
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        // Nothing was written: the service checks every attribute before it changes any.
        return { success: false, record: null, errors: payloadErrors(err), clientMutationId }
      }
    },
  }
}
