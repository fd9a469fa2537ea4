import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type Options = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>

/**
 * The per-request logger (`req.log`), made only when something is logged at an enabled level.
 * Fastify's default makes a pino child for every request, bound to its reqId; that was a fifth of
 * the cost of a request at the default log level (see docs/performance.md). What is logged is the
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
