import { isCalendarDate, isEmail, isUuid } from '../services/formats.js'

/**
 * The formats openapi.yaml and Quiltt's published document use, for Ajv (which ships none without
 * ajv-formats): the response checks of the test suite, and the serializers, which check a
 * `oneOf` answer (a session in either format) against each branch to pick the one to write.
 */
export const SCHEMA_FORMATS = {
  uuid: isUuid,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: isCalendarDate,
  email: isEmail,
  'E.164': /^\+[1-9]\d{1,14}$/,
  // Quiltt's ids: a lowercase prefix, an underscore, base62 (p_..., env_..., api_...).
  'global_id-v1': /^[a-z]+_[0-9A-Za-z]+$/,
  jwt: /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/,
  // A webhook subscription's targetUrl (Quiltt's WebhookSubscription); what WHATWG URL parses with a scheme.
  uri: (v: string): boolean => URL.canParse(v),
  // Quiltt's Balance amounts (webhook events): any JSON number is a double.
  double: { type: 'number' as const, validate: (v: number): boolean => Number.isFinite(v) }
}
