// The request log: one line per request, the per-request logger made on first use, and standard output written once per event-loop turn.
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify'
import { destination } from 'pino'

/** CORS preflights, and reads of the emulator's own pages and API (the inspector polls them every two seconds). */
function isQuiet (request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS') return true
  return (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/v1/')
}

/**
 * One line per request, `POST /v1/users/session 201 (2.1 ms)`, instead of Fastify's two, with the
 * request's id, method, URL, status and time as fields. Reads of the inspector, docs and emulator API,
 * and CORS preflights, go to debug so an open inspector does not flood the terminal.
 */
export class RequestLogController extends LogController {
  override incomingRequest (request: FastifyRequest): void {
    // Every request passes here too: build the fields only when debug is on.
    const root = request.server.log as { isLevelEnabled?: (l: string) => boolean }
    if (root.isLevelEnabled !== undefined && !root.isLevelEnabled('debug')) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Every request passes here: at a level that shows nothing, build nothing.
    const level = error ? 'error' : isQuiet(request) ? 'debug' : 'info'
    const root = request.server.log
    if ((root as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.(level) === false) return
    const { method, url } = request
    const { statusCode, elapsedTime } = reply
    // Flat fields, rather than the serializers' host, address and port of every request as nested
    // objects (which pino stringifies the slow, safe way); through the root logger with the request's
    // id, rather than a child logger made for this one line (docs/performance.md).
    const fields = { reqId: request.id, method, url, statusCode, responseTime: elapsedTime }
    const line = `${method} ${url} ${statusCode} (${elapsedTime.toFixed(1)} ms)`
    if (error) reply.log.error({ ...fields, err: error }, line)
    else root[level](fields, line)
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type Options = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>

/**
 * The per-request logger (`req.log`), made only when something is logged at an enabled level.
 * Fastify's default makes a pino child for every request, bound to its reqId, which is a large share
 * of a request's cost at the default log level (docs/performance.md). What is logged is the
 * same, reqId included: the child is built from the same bindings on first use.
 */
class LazyChildLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined

  constructor (private readonly parent: FastifyBaseLogger, private readonly bindings: Bindings, private readonly options: Options) {}

  get #real (): FastifyBaseLogger { return (this.#child ??= this.parent.child(this.bindings, this.options)) }

  #enabled (level: Level): boolean {
    // A route-level log level, or a logger without isLevelEnabled: ask the real child.
    if (this.#child || this.options.level !== undefined) return true
    const check = (this.parent as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled
    return check === undefined || check.call(this.parent, level)
  }

  get level (): string { return this.#child?.level ?? this.options.level ?? this.parent.level }
  set level (value: string) { this.#real.level = value }

  child (bindings: Bindings, options?: Options): FastifyBaseLogger { return this.#real.child(bindings, options) }
  fatal (...args: unknown[]): void { if (this.#enabled('fatal')) (this.#real.fatal as (...a: unknown[]) => void)(...args) }
  error (...args: unknown[]): void { if (this.#enabled('error')) (this.#real.error as (...a: unknown[]) => void)(...args) }
  warn (...args: unknown[]): void { if (this.#enabled('warn')) (this.#real.warn as (...a: unknown[]) => void)(...args) }
  info (...args: unknown[]): void { if (this.#enabled('info')) (this.#real.info as (...a: unknown[]) => void)(...args) }
  debug (...args: unknown[]): void { if (this.#enabled('debug')) (this.#real.debug as (...a: unknown[]) => void)(...args) }
  trace (...args: unknown[]): void { if (this.#enabled('trace')) (this.#real.trace as (...a: unknown[]) => void)(...args) }
  silent (): void {}
}

export const lazyChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new LazyChildLogger(logger, bindings, options)

/**
 * Standard output for JSON log lines (a file, a pipe, a CI log): the lines logged during one turn of
 * the event loop are written together when the turn ends, so under load the request log costs one
 * write per turn rather than one per request (a synchronous write per line shows in every request's
 * cost: docs/performance.md), and a line is still out as soon as the turn that logged it is over.
 * What is left at exit is written then. pino's destination does the writing (partial writes, a full
 * pipe, a reader that went away).
 */
export function stdoutByTurn (): { write: (line: string) => void } {
  const out = destination({ dest: 1, sync: true, minLength: 8192 })
  let pending = false
  const flush = (): void => { pending = false; out.flush() }
  // Nothing is left to tell if this fails at exit (stdout closed).
  process.once('exit', () => { try { out.flushSync() } catch {} })
  return {
    write (line) {
      out.write(line)
      if (!pending) { pending = true; setImmediate(flush) }
    }
  }
}
