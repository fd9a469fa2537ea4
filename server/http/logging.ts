import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/** CORS preflights, and reads of the emulator's own pages and API (the inspector polls them every two seconds). */
function isQuiet (request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS') return true
  return (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/v1/')
}

/**
 * One line per request, `POST /v1/users/session 201 (2.1 ms)`, instead of Fastify's two. Reads of the
 * inspector, docs and emulator API, and CORS preflights, go to debug so an open inspector does not flood the terminal.
 */
export class RequestLogController extends LogController {
  override incomingRequest (request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime }
    const line = `${request.method} ${request.url} ${reply.statusCode} (${reply.elapsedTime.toFixed(1)} ms)`
    if (error) reply.log.error({ ...fields, err: error }, line)
    else if (isQuiet(request)) reply.log.debug(fields, line)
    else reply.log.info(fields, line)
  }
}
