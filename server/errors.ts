/**
 * Every error the emulator answers with, in Quiltt's two shapes: `{message, instruction}` (plus
 * `errorId` on 5xx) and the 422 field map `{"<field>": ["<message>"]}`. Nothing else builds error bodies.
 */
export type FieldErrors = Record<string, string[]>

export class ApiError extends Error {
  constructor (
    readonly statusCode: number,
    message: string,
    readonly instruction: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }

  toJSON (): { message: string, instruction: string, errorId?: string } {
    return { message: this.message, instruction: this.instruction }
  }
}

export class ValidationError extends Error {
  readonly statusCode = 422
  constructor (readonly fields: FieldErrors) {
    super('Unprocessable Entity')
  }

  toJSON (): FieldErrors { return this.fields }
}

/**
 * Fixtures given at start (buildApp, startEmulator, the CLI) that do not hold: a ValidationError whose
 * message lists every field, as a test runner or a terminal shows a thrown error by its message.
 */
export class InvalidFixturesError extends ValidationError {
  constructor (fields: FieldErrors) {
    super(fields)
    this.name = 'InvalidFixturesError'
    this.message = `the fixtures are invalid:\n${Object.entries(fields).map(([field, msgs]) => `  ${field}: ${msgs.join(', ')}`).join('\n')}`
  }
}

export class InternalError extends ApiError {
  constructor (readonly errorId: string, instruction = 'This is a bug in quiltt-mock, not in your request. Search the log for the errorId.') {
    super(500, 'Internal Server Error', instruction)
  }

  override toJSON (): { message: string, instruction: string, errorId: string } {
    return { ...super.toJSON(), errorId: this.errorId }
  }
}

/** Collects field messages Rails-style, then throws them all at once. */
/**
 * Adds a message to a field map, once. Field names come from request bodies: `toString` or
 * `constructor` must not find Object.prototype's, and `__proto__` must stay a plain key.
 */
export function addFieldError (fields: FieldErrors, field: string, message: string): void {
  if (!Object.hasOwn(fields, field)) Object.defineProperty(fields, field, { value: [message], enumerable: true, writable: true, configurable: true })
  else if (!fields[field]!.includes(message)) fields[field]!.push(message)
}

export class FieldErrorCollector {
  readonly fields: FieldErrors = {}
  add (field: string, message: string): void {
    addFieldError(this.fields, field, message)
  }

  get empty (): boolean { return Object.keys(this.fields).length === 0 }

  throwIfAny (): void {
    if (!this.empty) throw new ValidationError(this.fields)
  }
}

export const fieldError = (field: string, message: string): ValidationError => new ValidationError({ [field]: [message] })

// Messages and instructions quoted from Quiltt's spec where it has them; ours where it is silent.
export const errors = {
  sessionNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Are you sending a valid and unexpired Session token in the `Authorization` header?'),
  apiKeyNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Are you sending a valid API Key secret in the `Authorization` header?'),
  adminTokenRequired: () => new ApiError(401, 'Not Authenticated',
    'This quiltt-mock was started with --admin-token: send `Authorization: Bearer <admin token>` to /emulator/ endpoints.',
    { 'www-authenticate': 'Bearer realm="quiltt-mock emulator API"' }),
  // GraphQL (/v1/graphql) takes a session token, or server to server `Basic base64(<profileId>:<API key secret>)`.
  graphqlNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Send `Authorization: Bearer <Session token>`, or server to server `Authorization: Basic <base64 of profileId:API key secret>`.'),
  basicNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Are you sending `Authorization: Basic <base64 of profileId:API key secret>` with a valid API Key secret and a Profile of its Environment?'),
  apiKeyReadsSchemaOnly: () => new ApiError(401, 'Not Authenticated',
    'An API Key secret as a Bearer token only reads the schema (introspection). To read or change a Profile, send its Session token, or `Basic <base64 of profileId:API key secret>`.'),
  graphqlMutationOverGet: () => new ApiError(405, 'Method Not Allowed',
    'Mutations are sent with POST (GraphQL over HTTP); GET runs queries only.', { allow: 'POST' }),
  passcodeNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Is the passcode correct and unexpired? Submit the username again to receive a new one.'),
  signupsDisabled: () => new ApiError(403, 'Forbidden',
    'Signups are disabled for this Environment. Only existing Profiles can log in.'),
  profileNotFound: (id: string) => new ApiError(404, 'Not Found',
    `Does Profile with ID \`${id}\` exist in this Environment?`),
  environmentNotFound: (id: string) => new ApiError(404, 'Not Found',
    `Does Environment \`${id}\` exist? List them at GET /emulator/v1/environments.`),
  faultNotFound: (id: string) => new ApiError(404, 'Not Found',
    `Does fault \`${id}\` exist? A fault is removed once used up; list them at GET /emulator/v1/faults.`),
  webhookSubscriptionNotFound: (id: string) => new ApiError(404, 'Not Found',
    `Does Webhook Subscription with ID \`${id}\` exist in this Environment?`),
  eventRecordNotFound: (kind: string, id: string) => new ApiError(404, 'Not Found',
    `Does ${kind} with ID \`${id}\` exist in this Environment?`),
  uuidNotAvailable: () => new ApiError(409, 'Conflict', 'UUID is not available'),
  profileIdNotAvailable: () => new ApiError(409, 'Conflict', 'Profile ID is not available'),
  usernameNotAvailable: (field: 'email' | 'phone') => new ApiError(409, 'Conflict',
    `${field === 'email' ? 'Email' : 'Phone'} is not available: another Profile of this Environment has it`),
  processorTokenNotAuthenticated: () => new ApiError(401, 'Not Authenticated',
    'Are you sending a valid and unexpired Processor Token in the `Authorization` header? quiltt-mock issues no Processor Tokens, so none is valid here.'),
  environmentConflict: (what: string) => new ApiError(409, 'Conflict', `${what} is already used by another Environment`),
  rateLimited: (retryAfterSeconds: number) => new ApiError(429, 'Too Many Requests',
    `Sessions are limited to 10 per hour and 20 per day per Profile. Revoke unused sessions, or retry in ${retryAfterSeconds} seconds.`,
    { 'retry-after': String(retryAfterSeconds) }),
  routeNotFound: (method: string, url: string) => new ApiError(404, 'Not Found',
    `Is \`${method} ${url}\` a route of this API? The routes are listed at /docs/json.`),
  invalidJson: (detail: string) => new ApiError(400, 'Bad Request', `Is the request body valid JSON? ${detail}`),
  badRequest: (detail: string) => new ApiError(400, 'Bad Request', detail),
  // What Node's HTTP parser rejects before Fastify sees the request (http/errors.ts, clientErrorHandler).
  requestTimeout: () => new ApiError(408, 'Request Timeout', 'The request did not arrive in time. Send it again.'),
  headersTooLarge: () => new ApiError(431, 'Request Header Fields Too Large', 'Headers are limited to 16 KiB in all. Is a token or a cookie oversized?'),
  notHttp: () => new ApiError(400, 'Bad Request', 'The request is not valid HTTP/1.1.'),
  unsupportedMediaType: (type: string) => new ApiError(415, 'Unsupported Media Type',
    `Send the body as JSON with \`Content-Type: application/json\` (got \`${type}\`).`),
  payloadTooLarge: (limitBytes = 1024 * 1024) => new ApiError(413, 'Payload Too Large',
    `Request bodies are limited to ${limitBytes / (1024 * 1024)} MiB.`),
  connectorNotFound: (id: string) => new ApiError(404, 'Not Found',
    `No Connector has the id \`${id}\`. quiltt-mock accepts any connector id of 1 to 64 letters, digits, - or _.`),
  connectorSessionNotFound: (id: string) => new ApiError(404, 'Not Found',
    `Is \`${id}\` a Connector session of this Profile? Sessions are started by the Connector page (POST /connector/{connectorId}/sessions).`),
  connectorSessionFinished: (id: string, status: string) => new ApiError(409, 'Conflict',
    `Connector session \`${id}\` has already ended (${status}): open the Connector again for a new one.`),
  /** Another process holds the database file's write lock past the short wait (store/db.ts). */
  databaseBusy: () => new ApiError(503, 'Service Unavailable',
    'The database file is busy: another quiltt-mock process on the same --db is writing (a long seed, say). Retry in a moment.',
    { 'retry-after': '1' }),
  graphqlTooLarge: (operations: number, maxTokens: number) => new ApiError(400, 'Bad Request',
    `The ${operations} operations of this batch ask more than ${maxTokens.toLocaleString('en-US')} tokens in all; quiltt-mock reads at most ${maxTokens.toLocaleString('en-US')} per request. Send fewer or smaller operations, or split the batch.`),
  unknownProviderState: (name: string, known: string[], hint = '') => new ApiError(400, 'Bad Request',
    `Unknown provider state \`${name}\`${hint}. Known states: ${known.map(k => `\`${k}\``).join(', ')}.`),

  // Bank data (issue 23): the instructions are Quiltt's examples from its 2026-04-01 document.
  connectionNotFound: () => new ApiError(404, 'Not Found', 'Does the URL contain the ID of a valid Connection?'),
  accountNotFound: () => new ApiError(404, 'Not Found', 'Does the URL contain the ID of a connected Account?'),
  verifiedAccountNotFound: () => new ApiError(404, 'Not Found', 'Does the URL contain the ID of a verified Account?'),
  connectionNotActive: () => new ApiError(403, 'Forbidden', 'Connection is not active.'),
  accountConnectionNotActive: () => new ApiError(403, 'Forbidden', 'Account does not belong to an active Connection.'),
  achNumbersNotEnabled: () => new ApiError(403, 'Forbidden', 'Connection is not enabled with the `ACCOUNT_NUMBERS` product.'),
  balanceRefreshUnsupported: (kind: string) => new ApiError(400, 'Bad Request', `Account provider does not support Balance Refreshes for \`${kind}\` accounts.`),
  achNumbersUnsupportedKind: (kind: string) => new ApiError(400, 'Bad Request', `Unsupported account kind: ${kind}. Try a DEPOSITORY account.`),
  routingNumberInvalid: () => new ApiError(400, 'Bad Request', 'Are you supplying a valid 9-digit Routing number?'),
  /** GraphQL: a record the viewer cannot change (another profile's, or none), in a mutation's payload or as a GraphQL error. */
  recordNotFound: (what: string) => new ApiError(404, 'Not Found', `${what} not found: is the ID one of this profile's?`)
}

/** SQLite's "another connection holds the lock" (SQLITE_BUSY and its extended codes, SQLITE_LOCKED). */
export function isDatabaseBusy (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}
