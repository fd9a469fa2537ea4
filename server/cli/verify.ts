/**
 * `quiltt-mock verify <pact files | folders | URLs>`: verifies consumer pacts against the emulator
 * with the real Pact Verifier, provider states set up over HTTP at /emulator/v1/provider-states.
 * Starts an in-memory emulator on a free port with fixtures/email-and-phone.json (the default
 * environment and the phone one the public contract's phone states use), unless `--base-url` names a
 * running one. Then checks each interaction statically against Quiltt's published document, and
 * the GraphQL ones against Quiltt's GraphQL schema (server/contract/), unless `--no-quiltt-check`.
 * Exit 0 only when every interaction passes and no pact conflicts with Quiltt's document; 1 when
 * verification fails or a conflict is found; 2 when the input is wrong (missing file, malformed
 * JSON, a pact for another API, a report path that cannot be written).
 */
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Verifier } from '@pact-foundation/pact'
import { buildApp } from '../app.js'
import { EMAIL_AND_PHONE_FIXTURES_PATH } from '../paths.js'
import { FixtureFileError, readFixturesOption } from '../services/fixtures.js'
import { PROVIDER_STATES, providerStateProblems } from '../services/provider-states.js'
import { loadSpec } from '../openapi/spec.js'
import { checkPact } from '../contract/check.js'
import { documentId, loadQuilttFacts } from '../contract/facts.js'
import { buildReport, type CheckedPact, formatReport, type QuilttReport } from '../contract/report.js'
import { readFlags } from './args.js'

export const PROVIDER_STATES_PATH = '/emulator/v1/provider-states'
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
type LogLevel = typeof LOG_LEVELS[number]

export class VerifyInputError extends Error {}

export interface VerifyOptions {
  /** Pact files, folders of pact files, or http(s) URLs of pacts. */
  sources: string[]
  /** A running emulator; without it an in-memory one is started. */
  baseUrl?: string
  /** The running emulator's --admin-token, sent with every provider-state change. */
  adminToken?: string
  /** Fixtures for the in-memory emulator (default fixtures/email-and-phone.json). */
  fixtures?: string
  /** Every environment of the in-memory emulator answers session objects in this format. */
  sessionFormat?: 'current' | 'legacy'
  provider?: string
  logLevel?: LogLevel
  brokerUrl?: string
  brokerToken?: string
  brokerUsername?: string
  brokerPassword?: string
  providerVersion?: string
  providerBranch?: string
  publish?: boolean
  consumerVersionSelectors?: Array<Record<string, unknown>>
  enablePending?: boolean
  /** Skip the static check against Quiltt's published document. */
  noQuilttCheck?: boolean
  /** Write the Quiltt contract check's report here, as JSON. */
  report?: string
}

interface Flag { name: string, key: keyof VerifyOptions, help: string, boolean?: boolean, env?: string }

const FLAGS: Flag[] = [
  { name: '--base-url', key: 'baseUrl', help: 'verify this running emulator instead of starting one in memory (waits up to 15 s for one still starting)' },
  { name: '--admin-token', key: 'adminToken', env: 'QUILTT_MOCK_ADMIN_TOKEN', help: 'the admin token of the emulator at --base-url (its provider states are under /emulator/)' },
  { name: '--fixtures', key: 'fixtures', help: 'fixture file for the in-memory emulator (default: fixtures/email-and-phone.json, the default environment and a phone-login one)' },
  { name: '--session-format', key: 'sessionFormat', help: 'current|legacy: every environment of the in-memory emulator answers session objects in this format (legacy: the seed guide\'s {id, expiration, userId, token}, for pacts written from it)' },
  { name: '--provider', key: 'provider', help: 'provider name for the broker and results (default: the pacts\' own, else "quiltt")' },
  { name: '--log-level', key: 'logLevel', help: `Pact's log level: ${LOG_LEVELS.join('|')} (default error)` },
  { name: '--broker-url', key: 'brokerUrl', env: 'PACT_BROKER_BASE_URL', help: 'fetch pacts from this Pact Broker or PactFlow' },
  { name: '--broker-token', key: 'brokerToken', env: 'PACT_BROKER_TOKEN', help: 'bearer token for the broker' },
  { name: '--broker-username', key: 'brokerUsername', env: 'PACT_BROKER_USERNAME', help: 'basic-auth user for the broker' },
  { name: '--broker-password', key: 'brokerPassword', env: 'PACT_BROKER_PASSWORD', help: 'basic-auth password for the broker' },
  { name: '--provider-version', key: 'providerVersion', help: 'the version results are published for (needed by --publish)' },
  { name: '--provider-branch', key: 'providerBranch', help: 'the provider branch results are published for' },
  { name: '--consumer-version-selectors', key: 'consumerVersionSelectors', help: 'JSON array of the broker\'s consumer version selectors' },
  { name: '--enable-pending', key: 'enablePending', boolean: true, help: 'pending pacts from the broker do not fail the run' },
  { name: '--publish', key: 'publish', boolean: true, help: 'publish the verification results to the broker' },
  { name: '--report', key: 'report', help: 'write the Quiltt contract check\'s findings to this file, as JSON' },
  { name: '--no-quiltt-check', key: 'noQuilttCheck', boolean: true, help: 'skip the static check of the pacts against Quiltt\'s published document' }
]

export function verifyHelpText (): string {
  return [
    'Usage: quiltt-mock verify [options] <pact file | folder | URL>...',
    '',
    'Verifies consumer pacts against quiltt-mock with the Pact Verifier. Provider states are set up',
    `over HTTP at ${PROVIDER_STATES_PATH}; their names are listed in the README.`,
    'Then checks each interaction against Quiltt\'s published REST document (the operations it',
    'describes), and those with /v1/graphql against Quiltt\'s GraphQL schema (2026-04-01): a conflict',
    '(the pact expects what Quiltt\'s document rules out) fails the run; an',
    'undocumented status, field or header (allowed, but not promised by Quiltt) is reported.',
    'Exits 0 only when every interaction passes and nothing conflicts; 1 otherwise; 2 for bad input.',
    '',
    'Options:',
    ...FLAGS.map(f => `  ${(f.boolean ? f.name : `${f.name} <value>`).padEnd(38)} ${f.help}${f.env ? ` (env ${f.env})` : ''}`),
    `  ${'--help'.padEnd(38)} this text`,
    ''
  ].join('\n')
}

/** Reads `verify`'s arguments; flags win over their environment variables. */
export function parseVerifyArgs (argv: string[], env: NodeJS.ProcessEnv = {}): VerifyOptions {
  const out: Record<string, unknown> = { sources: [] as string[] }
  for (const f of FLAGS) if (f.env && env[f.env]) out[f.key] = env[f.env]
  const { values, positionals } = readFlags(argv, FLAGS.map(f => ({ flag: f.name, boolean: f.boolean })), {
    allowPositionals: true, helpCommand: 'quiltt-mock verify', fail: m => new VerifyInputError(m)
  })
  out.sources = positionals
  for (const f of FLAGS) {
    const value = values.get(f.name)
    if (value === '') throw new VerifyInputError(`${f.name} needs a value`)
    if (value !== undefined) out[f.key] = value
  }
  const options = out as unknown as VerifyOptions
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    throw new VerifyInputError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${options.logLevel}"`)
  }
  if (typeof options.consumerVersionSelectors === 'string') {
    try {
      const parsed: unknown = JSON.parse(options.consumerVersionSelectors)
      if (!Array.isArray(parsed)) throw new Error('not an array')
      options.consumerVersionSelectors = parsed as Array<Record<string, unknown>>
    } catch (err) {
      throw new VerifyInputError(`--consumer-version-selectors must be a JSON array, e.g. '[{"mainBranch":true}]' (${(err as Error).message})`)
    }
  }
  if (options.sessionFormat !== undefined && !['current', 'legacy'].includes(options.sessionFormat)) {
    throw new VerifyInputError(`--session-format must be current or legacy, got "${options.sessionFormat}"`)
  }
  if (options.sessionFormat !== undefined && options.baseUrl !== undefined) {
    throw new VerifyInputError('--session-format applies to the in-memory emulator: for a running one, set sessionFormat on its environments (fixtures, or PATCH /emulator/v1/environments/{id})')
  }
  if (options.adminToken !== undefined && options.baseUrl === undefined) {
    // The in-memory emulator has no admin token; an inherited QUILTT_MOCK_ADMIN_TOKEN is not an error.
    delete options.adminToken
  }
  if (options.baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.baseUrl)) {
    throw new VerifyInputError(`--base-url must be an http(s) URL such as http://127.0.0.1:4000, got "${options.baseUrl}"`)
  }
  if (options.sources.length === 0 && !options.brokerUrl) {
    throw new VerifyInputError('Name at least one pact file, folder or URL, or a Pact Broker with --broker-url.')
  }
  if (options.publish && !options.providerVersion) throw new VerifyInputError('--publish needs --provider-version')
  if (options.publish && !options.brokerUrl) throw new VerifyInputError('--publish needs --broker-url')
  if (options.report !== undefined && options.noQuilttCheck) throw new VerifyInputError('--report writes the Quiltt contract check\'s findings: it cannot go with --no-quiltt-check')
  if (options.report !== undefined) checkReportPath(options.report)
  return options
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s)

/** Fails now, before a replay, if the report could not be written later. */
function checkReportPath (path: string): void {
  const file = resolve(path)
  let isDirectory = false
  try {
    isDirectory = statSync(file).isDirectory()
  } catch {
    // A new file: its folder must exist and be writable.
  }
  if (isDirectory) throw new VerifyInputError(`--report ${path} is a folder; name a file`)
  try {
    // As `> out/dir/r.json` would not, but every report option of a test tool does: the folder is made.
    mkdirSync(dirname(file), { recursive: true })
    accessSync(dirname(file), constants.W_OK)
  } catch (err) {
    throw new VerifyInputError(`--report ${path} cannot be written: ${(err as Error).message}`)
  }
}

/** Checks one pact file: throws a VerifyInputError naming every problem, else gives its provider name, size and content. */
export function checkPactFile (path: string): { provider: string | undefined, interactions: number, pact: unknown } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new VerifyInputError(`Cannot read ${path}: ${(err as Error).message}`)
  }
  let pact: unknown
  try {
    pact = JSON.parse(text)
  } catch (err) {
    throw new VerifyInputError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
  const doc = pact as { provider?: { name?: unknown }, interactions?: unknown }
  if (typeof pact !== 'object' || pact === null || !Array.isArray(doc.interactions)) {
    throw new VerifyInputError(`${path} is not a pact: it has no "interactions" array.`)
  }
  const routes = loadSpec().operations.map(o => ({
    method: o.method,
    path: o.path,
    pattern: new RegExp(`^${o.url.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`)
  }))
  const problems: string[] = []
  doc.interactions.forEach((raw, i) => {
    const it = raw as { description?: unknown, type?: unknown, request?: { method?: unknown, path?: unknown } }
    const name = typeof it.description === 'string' ? `"${it.description}"` : `#${i + 1}`
    if (it.type !== undefined && it.type !== 'Synchronous/HTTP') {
      problems.push(`interaction ${name} is a ${String(it.type)} interaction; quiltt-mock serves HTTP only`)
      return
    }
    const method = typeof it.request?.method === 'string' ? it.request.method.toUpperCase() : undefined
    const reqPath = typeof it.request?.path === 'string' ? it.request.path.split('?')[0]! : undefined
    if (!method || reqPath === undefined) { problems.push(`interaction ${name} has no request method and path`); return }
    const samePath = routes.filter(r => r.pattern.test(reqPath))
    if (samePath.length === 0) problems.push(`interaction ${name} requests ${method} ${reqPath}, which is not a path of Quiltt's API`)
    else if (!samePath.some(r => r.method === method)) {
      problems.push(`interaction ${name} requests ${method} ${reqPath}; that path takes ${samePath.map(r => r.method).join(', ')}`)
    }
  })
  if (problems.length > 0) {
    const known = [...new Set(routes.filter(r => !r.path.startsWith('/emulator/')).map(r => `${r.method} ${r.path}`))]
    throw new VerifyInputError(`${path} is not a pact for Quiltt's API:\n  - ${problems.join('\n  - ')}\nquiltt-mock serves: ${known.join(', ')}`)
  }
  const provider = typeof doc.provider?.name === 'string' ? doc.provider.name : undefined
  return { provider, interactions: doc.interactions.length, pact }
}

/** Files, folders (their *.json files) and URLs, each checked; what the Verifier is given, and the files' pacts. */
export function resolveSources (sources: string[]): { pactUrls: string[], provider: string | undefined, interactions: number, pacts: Map<string, unknown> } {
  const pactUrls: string[] = []
  const pacts = new Map<string, unknown>()
  let provider: string | undefined
  let interactions = 0
  const add = (file: string): void => {
    const checked = checkPactFile(file)
    provider ??= checked.provider
    interactions += checked.interactions
    pactUrls.push(file)
    pacts.set(file, checked.pact)
  }
  for (const source of sources) {
    if (isUrl(source)) { pactUrls.push(source); continue }
    const path = resolve(source)
    let stat
    try {
      stat = statSync(path)
    } catch {
      throw new VerifyInputError(`No such pact file or folder: ${source}`)
    }
    if (stat.isDirectory()) {
      const files = readdirSync(path).filter(f => f.endsWith('.json')).sort()
      if (files.length === 0) throw new VerifyInputError(`The folder ${source} holds no pact files (*.json).`)
      for (const f of files) add(join(path, f))
    } else {
      add(path)
    }
  }
  return { pactUrls, provider, interactions, pacts }
}

/** The Verifier's JSON result: what it printed, and one entry per failed interaction. */
export interface VerifierResult {
  result: boolean
  errors?: Array<{ interaction: string, mismatch?: { mismatches?: Array<{ mismatch?: string }>, message?: string } }>
  interactionResults?: Array<{ description: string, result: string }>
}

/**
 * Runs the Pact Verifier against an emulator at `baseUrl`. Resolves with the Verifier's result when
 * every interaction passes; rejects with an Error whose message is that JSON result otherwise.
 */
export async function verifyPacts (baseUrl: string, pactUrls: string[], options: Omit<VerifyOptions, 'sources' | 'baseUrl' | 'fixtures'> & { stateSetupUrl?: string } = {}): Promise<VerifierResult> {
  const base = baseUrl.replace(/\/+$/, '')
  const verifier = new Verifier({
    provider: options.provider ?? 'quiltt',
    providerBaseUrl: base,
    providerStatesSetupUrl: options.stateSetupUrl ?? `${base}${PROVIDER_STATES_PATH}`,
    // Quiet by default: pact-js warns that providerStatesSetupUrl is "deprecated" in favour of
    // in-process state handlers, which a separate emulator process cannot have.
    logLevel: options.logLevel ?? 'error',
    ...(pactUrls.length > 0 ? { pactUrls } : {}),
    ...(options.brokerUrl ? { pactBrokerUrl: options.brokerUrl } : {}),
    ...(options.brokerToken ? { pactBrokerToken: options.brokerToken } : {}),
    ...(options.brokerUsername ? { pactBrokerUsername: options.brokerUsername } : {}),
    ...(options.brokerPassword ? { pactBrokerPassword: options.brokerPassword } : {}),
    ...(options.providerVersion ? { providerVersion: options.providerVersion } : {}),
    ...(options.providerBranch ? { providerVersionBranch: options.providerBranch } : {}),
    ...(options.consumerVersionSelectors ? { consumerVersionSelectors: options.consumerVersionSelectors } : {}),
    ...(options.enablePending ? { enablePending: true } : {}),
    ...(options.publish ? { publishVerificationResult: true } : {})
  })
  const output = await verifier.verifyProvider()
  return parseResult(output)
}

function parseResult (text: unknown): VerifierResult {
  try {
    return JSON.parse(String(text)) as VerifierResult
  } catch {
    return { result: true }
  }
}

export interface Io { out: (text: string) => void, err: (text: string) => void }

/**
 * How long `--base-url` waits for an emulator that refuses connections: long enough for one started
 * in the background on the line before (`quiltt-mock ... & quiltt-mock verify --base-url ...`).
 */
export const REACHABLE_WITHIN_MS = 15_000

/** The `verify` subcommand: returns the exit code. */
export async function runVerify (
  argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env, { reachableWithinMs = REACHABLE_WITHIN_MS } = {}
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { io.out(verifyHelpText()); return 0 }
  let app: FastifyInstance | undefined
  let relay: Server | undefined
  try {
    const options = parseVerifyArgs(argv, env)
    const { pactUrls, provider, pacts } = resolveSources(options.sources)
    await fetchPactUrls(pactUrls, pacts)
    checkProviderStates(pacts)
    let baseUrl = options.baseUrl
    let stateSetupUrl: string | undefined
    if (baseUrl === undefined) {
      const fixtures = options.fixtures ? fixturesArgument(options.fixtures) : EMAIL_AND_PHONE_FIXTURES_PATH
      app = await buildApp({ db: ':memory:', fixtures: options.sessionFormat ? inFormat(typeof fixtures === 'string' ? fixturesArgument(fixtures) : fixtures, options.sessionFormat) : fixtures })
      baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    } else {
      await checkReachable(baseUrl, reachableWithinMs)
      await checkAdminToken(baseUrl, options.adminToken)
      if (options.adminToken !== undefined) {
        relay = await startStateRelay(baseUrl, options.adminToken)
        stateSetupUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}${PROVIDER_STATES_PATH}`
      }
    }
    io.out(`quiltt-mock verify: verifying ${pactUrls.length > 0 ? pactUrls.join(', ') : 'pacts from the broker'} against ${baseUrl}\n`)
    const providerName = options.provider ?? provider
    let replay: NonNullable<QuilttReport['replay']> = { passed: true, failedInteractions: 0 }
    try {
      await verifyPacts(baseUrl, pactUrls, { ...options, ...(providerName ? { provider: providerName } : {}), ...(stateSetupUrl ? { stateSetupUrl } : {}) })
      io.out('quiltt-mock verify: every interaction passed\n')
    } catch (err) {
      const result = parseResult((err as Error).message)
      const failed = result.errors?.length
      replay = { passed: false, failedInteractions: failed ?? null }
      io.err(`quiltt-mock verify: ${failed ? `${failed} interaction${failed === 1 ? '' : 's'} failed` : `verification did not run: ${(err as Error).message}`}\n`)
    }
    if (options.noQuilttCheck) return replay.passed ? 0 : 1
    const report = await quilttCheck(options, pactUrls, pacts, replay, io)
    return replay.passed && report.summary.conflicts === 0 ? 0 : 1
  } catch (err) {
    if (err instanceof VerifyInputError) { io.err(`quiltt-mock verify: ${err.message}\n`); return 2 }
    throw err
  } finally {
    await app?.close()
    if (relay) await new Promise(resolve => relay!.close(resolve))
  }
}

/** Pacts named by URL, read now: their provider states are checked before the replay. */
async function fetchPactUrls (pactUrls: string[], pacts: Map<string, unknown>): Promise<void> {
  for (const source of pactUrls) {
    if (!isUrl(source) || pacts.has(source)) continue
    try {
      const res = await fetch(source)
      if (!res.ok) throw new Error(`it answered ${res.status}`)
      pacts.set(source, await res.json())
    } catch (err) {
      throw new VerifyInputError(`Cannot read ${source}: ${(err as Error).message}`)
    }
  }
}

/**
 * Every provider state the pacts name, checked before the replay: a misspelt state or param would
 * otherwise pass silently or end in Pact's bare "400".
 */
export function checkProviderStates (pacts: Map<string, unknown>): void {
  const problems: string[] = []
  for (const [source, pact] of pacts) {
    const interactions = (pact as { interactions?: unknown }).interactions
    if (!Array.isArray(interactions)) continue
    interactions.forEach((raw, i) => {
      const it = (typeof raw === 'object' && raw !== null ? raw : {}) as { description?: unknown, providerState?: unknown, provider_state?: unknown, providerStates?: unknown }
      const name = typeof it.description === 'string' ? `"${it.description}"` : `#${i + 1}`
      // Pact v2 names one state as a string; v3 and v4 list {name, params}.
      const states: Array<{ name?: unknown, params?: unknown }> = Array.isArray(it.providerStates)
        ? it.providerStates as Array<{ name?: unknown, params?: unknown }>
        : typeof (it.providerState ?? it.provider_state) === 'string' ? [{ name: it.providerState ?? it.provider_state }] : []
      for (const state of states) {
        const found = typeof state?.name === 'string' ? providerStateProblems(state.name, state.params) : ['a provider state without a name']
        for (const p of found) problems.push(`${relativeToCwd(source)}, interaction ${name}: ${p}`)
      }
    })
  }
  if (problems.length > 0) {
    throw new VerifyInputError(`the pacts name provider states quiltt-mock does not have:\n  - ${problems.join('\n  - ')}\nKnown states: ${Object.keys(PROVIDER_STATES).map(k => `"${k}"`).join(', ')}`)
  }
}

/** An emulator started with --admin-token answers 401 to provider states without it: said now, not as Pact's bare 401. */
async function checkAdminToken (baseUrl: string, token: string | undefined): Promise<void> {
  const url = `${baseUrl.replace(/\/+$/, '')}/emulator/v1/environments`
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
  await res.arrayBuffer()
  if (res.status === 401) {
    throw new VerifyInputError(token === undefined
      ? `${baseUrl} was started with --admin-token: pass the same token with --admin-token or QUILTT_MOCK_ADMIN_TOKEN`
      : `${baseUrl} refused the admin token given (--admin-token or QUILTT_MOCK_ADMIN_TOKEN): it was started with another one`)
  }
}

/**
 * The Pact Verifier cannot add a header to its provider-state calls alone, so they go through this
 * relay on a free local port, which adds `Authorization: Bearer <admin token>` and passes the answer back.
 */
async function startStateRelay (baseUrl: string, token: string): Promise<Server> {
  const target = `${baseUrl.replace(/\/+$/, '')}${PROVIDER_STATES_PATH}`
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      fetch(target, {
        method: req.method ?? 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: `Bearer ${token}` },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) })
      }).then(async answer => {
        const body = Buffer.from(await answer.arrayBuffer())
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
        res.end(body)
      }, (err: Error) => {
        res.writeHead(502, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ message: 'Bad Gateway', instruction: `quiltt-mock verify could not reach ${target}: ${err.message}` }))
      })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return server
}

/**
 * The fixture document with every environment in one session format. In the fixtures themselves, so
 * that the reset after each interaction (provider-state teardown) keeps it.
 */
function inFormat (doc: Record<string, unknown>, sessionFormat: 'current' | 'legacy'): Record<string, unknown> {
  if (!Array.isArray(doc.environments)) return doc
  return { ...doc, environments: doc.environments.map((e: unknown) => typeof e === 'object' && e !== null ? { ...e, sessionFormat } : e) }
}

/**
 * The static check of every pact against Quiltt's published document, after the replay: printed,
 * and written to `--report` as JSON. Pacts from a broker are not checked (their files are not
 * here); URLs are fetched again.
 */
async function quilttCheck (options: VerifyOptions, pactUrls: string[], files: Map<string, unknown>, replay: NonNullable<QuilttReport['replay']>, io: Io): Promise<QuilttReport> {
  const facts = loadQuilttFacts()
  const checked: CheckedPact[] = []
  for (const source of pactUrls) {
    const pact = files.get(source)
    try {
      checked.push({ source: isUrl(source) ? source : relativeToCwd(source), check: checkPact(pact, facts) })
    } catch (err) {
      throw new VerifyInputError(`${source}: ${(err as Error).message}`)
    }
  }
  const report = buildReport(documentId(facts), checked, replay)
  if (options.brokerUrl) io.out('quiltt-mock verify: pacts from the Pact Broker are not checked against Quiltt\'s document; check their files with checkPactAgainstQuiltt\n')
  if (checked.length > 0) io.out(`\n${formatReport(report)}`)
  if (report.summary.conflicts > 0) {
    io.err(`quiltt-mock verify: ${report.summary.conflicts} conflict${report.summary.conflicts === 1 ? '' : 's'} with Quiltt's published contract: these pacts expect what Quiltt's document rules out (--no-quiltt-check skips the check)\n`)
  }
  if (options.report !== undefined) {
    try {
      writeFileSync(resolve(options.report), `${JSON.stringify(report, null, 2)}\n`)
    } catch (err) {
      throw new VerifyInputError(`--report ${options.report} cannot be written: ${(err as Error).message}`)
    }
    io.out(`quiltt-mock verify: report written to ${options.report}\n`)
  }
  return report
}

function relativeToCwd (file: string): string {
  const rel = relative(process.cwd(), file)
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel
}

function fixturesArgument (value: string): Record<string, unknown> {
  try {
    return readFixturesOption(value)
  } catch (err) {
    throw err instanceof FixtureFileError ? new VerifyInputError(`--fixtures ${err.message}`) : err
  }
}

async function checkReachable (baseUrl: string, withinMs: number): Promise<void> {
  const url = `${baseUrl.replace(/\/+$/, '')}/emulator/v1/health`
  const deadline = Date.now() + withinMs
  let status: number
  for (;;) {
    try {
      status = (await fetch(url)).status
      break
    } catch (err) {
      // Refused: nothing listens yet (an emulator still starting); any other failure will not pass by waiting.
      const cause = (err as Error).cause as NodeJS.ErrnoException | undefined
      const refused = cause?.code === 'ECONNREFUSED'
      if (!refused || Date.now() >= deadline) {
        const detail = `${cause?.message ?? (err as Error).message}${refused ? `, for ${Math.round(withinMs / 1000)} s` : ''}`
        throw new VerifyInputError(`Cannot reach quiltt-mock at ${baseUrl} (${detail}). Is it running?`)
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  if (status !== 200) throw new VerifyInputError(`${url} answered ${status}: is ${baseUrl} a quiltt-mock?`)
}
