// Failures as answers in Quiltt's shapes: Fastify's errors, the body parsers, the not-found handler, and what Node's HTTP parser rejects.
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import { ApiError, errors, InternalError, isDatabaseBusy, ValidationError } from '../errors.js'
import type { Ids } from '../random.js'
import { unrepresentable } from '../services/formats.js'
import { toFieldErrors } from './validation.js'

export const BODY_LIMIT = 1024 * 1024
const MAYBE_UNREPRESENTABLE = /\\u[dD][89a-fA-F]|\d[eE]\+?\d{3}|\d{300}/

declare module 'fastify' {
  interface FastifyRequest { bodyText: string | undefined }
}

/**
 * The one place where failures become responses, all in Quiltt's shapes. Fastify's own errors
 * (bad JSON, wrong content type, oversized body, schema violations) are translated here; anything
 * unexpected is logged and answered as a 500 with an errorId.
 */
export function useQuilttErrors (app: FastifyInstance, ids: Ids): void {
  // Fastify's default rejects an empty JSON body; the SDK and curl send `Content-Type: application/json`
  // on bodiless DELETE and POST requests, which Quiltt accepts.
  // JSON only: Fastify's text/plain parser would hand the services a string where Quiltt answers 415.
  app.removeAllContentTypeParsers()
  app.decorateRequest('bodyText', undefined)
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    const text = body as string
    // The text as it arrived, whatever the framing: the journal keeps it (and not the parsed value).
    req.bodyText = text
    if (text.trim() === '') { done(null, undefined); return }
    let value: unknown
    try {
      value = sjson.parse(text, { protoAction: 'error', constructorAction: 'error' })
    } catch (err) {
      done(errors.invalidJson((err as Error).message), undefined)
      return
    }
    // What JSON.parse accepts but nothing can store faithfully: a lone surrogate escape, a number out
    // of range. Looked for only when the text could hold one (a surrogate escape, a 3-digit exponent,
    // 300 digits in a row), so ordinary bodies cost one regular expression.
    if (MAYBE_UNREPRESENTABLE.test(text)) {
      const found = unrepresentable(value)
      if (found) { done(unrepresentableError(req.routeOptions.schema?.response, found.path, found.problem), undefined); return }
    }
    done(null, value)
  })
  // Any other type, or none: an empty body is no body (Pact's verifier and HTTP proxies send bodiless
  // POSTs chunked and without a Content-Type, which Quiltt accepts); anything else is a 415.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    if ((body as string).trim() === '') { done(null, undefined); return }
    done(errors.unsupportedMediaType(req.headers['content-type'] ?? 'none'), undefined)
  })

  app.setNotFoundHandler((req, reply) => {
    const err = errors.routeNotFound(req.method, req.url.split('?')[0] ?? req.url)
    return reply.code(404).send(err.toJSON())
  })

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiErr = translate(err, req.routeOptions.bodyLimit)
    if (apiErr instanceof InternalError || !apiErr) {
      const errorId = ids.errorId()
      req.log.error({ err, errorId }, 'unhandled error')
      return reply.code(500).send(new InternalError(errorId).toJSON())
    }
    if (apiErr instanceof ApiError) reply.headers(apiErr.headers)
    return reply.code(apiErr.statusCode).send(apiErr.toJSON())
  })
}

/**
 * A 422 field map where the operation documents one (the field named as its service names it: inside
 * Quiltt's `session` envelope, without it), else a 400 saying the same.
 */
function unrepresentableError (responses: unknown, path: string, problem: string): ApiError | ValidationError {
  const field = path === '' ? 'base' : path.replace(/^session\./, '')
  const documents422 = typeof responses === 'object' && responses !== null && '422' in responses
  return documents422 ? new ValidationError({ [field]: [problem] }) : errors.badRequest(`${field === 'base' ? 'The body' : `\`${field}\``} ${problem}.`)
}

function translate (err: FastifyError, bodyLimit: number): ApiError | ValidationError | undefined {
  if (err instanceof ApiError || err instanceof ValidationError) return err
  if (isDatabaseBusy(err)) return errors.databaseBusy()
  if (err.validation) return new ValidationError(toFieldErrors(err.validation as Parameters<typeof toFieldErrors>[0]))
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return errors.unsupportedMediaType(String(err.message.split(': ').pop()))
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return errors.payloadTooLarge(bodyLimit)
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return errors.badRequest('The Content-Length header does not match the body.')
    case 'FST_ERR_CTP_INVALID_JSON_BODY': case 'FST_ERR_CTP_EMPTY_JSON_BODY': return errors.invalidJson(err.message)
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) return new ApiError(status, httpMessage(status), err.message)
  return undefined
}

const httpMessage = (status: number): string => ({
  400: 'Bad Request',
  401: 'Not Authenticated',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large'
} as Record<number, string>)[status] ?? 'Bad Request'

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (a header block over 16 KiB, a broken
 * request line, a bad chunk) are answered here, in the same envelope, and the connection closed.
 * Passed to Fastify as `clientErrorHandler`.
 */
export function clientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const error = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? errors.requestTimeout()
    : err.code === 'HPE_HEADER_OVERFLOW' ? errors.headersTooLarge() : errors.notHttp()
  const text = JSON.stringify(error)
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${error.statusCode} ${error.message}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`)
  }
  socket.destroy(err)
}

/**
 * Errors Fastify's router raises before any route runs (a path parameter over the 500-character
 * limit, a URL whose percent-encoding does not decode), in the same envelope. Passed to Fastify as
 * `frameworkErrors`.
 */
export function frameworkErrors (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const path = (req.raw.url ?? '').split('?')[0] ?? ''
  const shown = path.length > 80 ? `${path.slice(0, 80)}...` : path
  const apiErr = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new ApiError(414, 'URI Too Long', `A path segment of \`${shown}\` is over 500 characters; no id is that long.`)
    : errors.badRequest(`\`${shown}\` is not a valid URL: check its percent-encoding.`)
  void reply.code(apiErr.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(apiErr.toJSON()))
}
