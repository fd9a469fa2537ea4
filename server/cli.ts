import { buildApp, VERSION } from './app.js'
import { ConfigError, helpText, readConfig } from './config.js'

async function main (argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\nCommands:\n  verify <pacts...>        verify consumer pacts against the emulator (quiltt-mock verify --help)\n`)
    return
  }
  if (argv.includes('--version')) { process.stdout.write(`${VERSION}\n`); return }

  const config = readConfig(argv, process.env)
  const app = await buildApp({
    db: config.db,
    ...(config.fixtures ? { fixtures: config.fixtures } : {}),
    logger: { level: config.logLevel }
  })
  let closing = false
  const close = (signal: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'closing')
    app.close().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1) })
  }
  process.on('SIGTERM', () => close('SIGTERM'))
  process.on('SIGINT', () => close('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const [env] = app.emulator.services.environments.list()
  const lines = [
    `quiltt-mock ${VERSION} listening on ${url}`,
    `  database   ${config.db}`,
    ...(env ? [`  clientId   ${env.clientId}    (environment ${env.id}, ${env.authStrategy} strategy)`, `  secret     ${env.apiKey.secret}`] : []),
    `  docs       ${url}/docs`,
    `  SDK        QUILTT_API_DOMAIN=localhost:${port} QUILTT_API_INSECURE=true`
  ]
  process.stdout.write(lines.join('\n') + '\n')
}

/** `quiltt-mock verify ...`: loaded only when asked for, so serving never loads the Pact Verifier. */
async function verify (argv: string[]): Promise<void> {
  // Pact's usage telemetry is opt-out; an offline emulator should not phone home unless asked to.
  process.env.PACT_DO_NOT_TRACK ??= 'true'
  const { runVerify } = await import('./verify.js')
  process.exitCode = await runVerify(argv, { out: s => process.stdout.write(s), err: s => process.stderr.write(s) })
}

const args = process.argv.slice(2)
const run = args[0] === 'verify' ? verify(args.slice(1)) : main(args)
run.catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`quiltt-mock: ${err.message}\n`)
    process.exit(2)
  }
  const e = err as { code?: string, message?: string }
  if (e.code === 'EADDRINUSE') process.stderr.write(`quiltt-mock: ${e.message ?? 'address in use'}. Pick another --port (0 picks a free one).\n`)
  else process.stderr.write(`quiltt-mock: ${e.message ?? String(err)}\n`)
  process.exit(1)
})
