// The passcodes and messages the real service would have sent, as the emulator API shows them.
import { toIso } from '../clock.js'
import type { PasscodeRow } from '../store/passcodes.js'
import type { ServiceContext } from './context.js'
import type { EnvironmentService } from './environments.js'
import { normalizeEmail } from './formats.js'

/** What one read of the outbox answers at most, unless `limit` asks for fewer (openapi.yaml). */
export const OUTBOX_PAGE = 1000

export interface PasscodeView {
  code: string
  email?: string
  phone?: string
  profileId: string
  issuedAt: string
  expiresAt: string
  attempts: number
  consumedAt: string | null
  invalidatedAt: string | null
  state: 'outstanding' | 'used' | 'expired' | 'locked' | 'replaced'
}

export interface MessageView {
  id: number
  channel: 'email' | 'sms'
  to: string
  subject: string | null
  text: string
  passcode?: string
  sentAt: string
}

/** What the real service would have delivered: the passcodes and the emails/SMS that carried them. */
export function createOutboxService ({ store, clock }: ServiceContext, environments: EnvironmentService) {
  function state (row: PasscodeRow, now: number): PasscodeView['state'] {
    if (row.consumed_at !== null) return 'used'
    if (row.invalidated_by !== null) return row.invalidated_by
    return row.expires_at <= now ? 'expired' : 'outstanding'
  }

  return {
    passcodes (environmentId: string, filter: { email?: string, phone?: string, limit?: number }): PasscodeView[] {
      environments.require(environmentId)
      // An unencoded `+` in a query string arrives as a space (`?phone=+1415...`, `?email=a+b@x.co`);
      // neither usernames can contain spaces, so read them back as `+`.
      const plus = (v: string): string => v.trim().replace(/ /g, '+')
      const phone = filter.phone === undefined ? undefined : plus(filter.phone)
      const username = filter.email !== undefined
        ? normalizeEmail(plus(filter.email))
        : phone !== undefined && /^\d+$/.test(phone) ? `+${phone}` : phone
      const now = clock.now()
      return store.passcodes.list(environmentId, username, filter.limit ?? OUTBOX_PAGE).map(row => ({
        code: row.code,
        ...(row.channel === 'email' ? { email: row.username } : { phone: row.username }),
        profileId: row.profile_id,
        issuedAt: toIso(row.issued_at),
        expiresAt: toIso(row.expires_at),
        attempts: row.attempts,
        consumedAt: row.consumed_at === null ? null : toIso(row.consumed_at),
        invalidatedAt: row.invalidated_at === null ? null : toIso(row.invalidated_at),
        state: state(row, now)
      }))
    },

    messages (environmentId: string, limit = OUTBOX_PAGE): MessageView[] {
      environments.require(environmentId)
      return store.messages.list(environmentId, limit).map(row => ({
        id: row.id,
        channel: row.channel,
        to: row.recipient,
        subject: row.subject,
        text: row.text,
        ...(row.passcode === null ? {} : { passcode: row.passcode }),
        sentAt: toIso(row.sent_at)
      }))
    }
  }
}
