// Runs the built CLI as a user would: the paths of the build, and commands and servers in their own processes.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../server/paths.js'

/** What `npm ci` (prepare) and `npm test` (pretest) build, and what users run. */
export const BIN = join(ROOT, 'bin', 'quiltt-mock.cjs')
export const BUILT = [join(ROOT, 'dist', 'quiltt-mock.cjs'), ...['index.js', 'drop-in/register.js'].map(f => join(ROOT, 'dist', 'server', f))]

export function assertBuilt (): void {
  const missing = BUILT.filter(f => !existsSync(f))
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}. Run \`npm run build\` (npm test does it first).`)
}

export interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs a command to its end, with a clean environment plus `env`. */
export function run (command: string, args: string[], options: { env?: Record<string, string>, cwd?: string, timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => { stdout += String(d) })
    child.stderr.on('data', d => { stderr += String(d) })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command} ${args.join(' ')} did not finish; stderr: ${stderr}`)) }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

export interface Server { url: string, port: number, child: ChildProcess, output: () => string, stop: () => Promise<Run> }

/** Starts the CLI (or any command printing the banner) and resolves once the banner shows the URL. */
export function startServer (command: string, args: string[], options: { env?: Record<string, string>, cwd?: string } = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const done = new Promise<Run>(resolve => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no banner within 20 s; stdout: ${stdout} stderr: ${stderr}`)) }, 20_000)
    child.stdout.on('data', d => {
      stdout += String(d)
      const m = /listening on (http:\/\/\S+:(\d+))/.exec(stdout)
      if (m) {
        clearTimeout(timer)
        resolve({
          url: m[1]!,
          port: Number(m[2]),
          child,
          output: () => stdout,
          stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); return done }
        })
      }
    })
    child.stderr.on('data', d => { stderr += String(d) })
    child.on('close', code => { clearTimeout(timer); reject(new Error(`exited ${code} before listening; stdout: ${stdout} stderr: ${stderr}`)) })
  })
}

// The suite's own settings (PORT, QUILTT_MOCK_*, CI's TTY hints) must not leak into the process under test.
function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'PORT' || k === 'HOST' || k.startsWith('QUILTT_') || k.startsWith('NODE_OPTIONS') || k.startsWith('TAP') || k.startsWith('_TAPJS')) continue
    env[k] = v
  }
  return { ...env, ...extra }
}
