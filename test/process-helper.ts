// Runs the built CLI in its own process, for tests of what a process does (crashes, races).
import { type ChildProcess, spawn } from 'node:child_process'
import type { Test } from 'tap'
import { ROOT } from '../server/paths.js'
import { assertBuilt, BIN } from './built.js'

export interface EmulatorProcess {
  url: string
  child: ChildProcess
  /** Everything read from stderr so far (all of it once kill() has resolved). */
  stderr: () => string
  /** Sends the signal and resolves once the process is gone and its output read. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
}

/**
 * Runs the CLI as users run it (the build: `npm test` builds first when a source changed) as its own
 * process, and resolves once it prints `listening on <url>`. The process is SIGKILLed when the test
 * ends, if still alive. The bundle starts in a fifth of the CPU that compiling the sources took
 * (about 0.3 s against 1.3 s a start; docs/performance.md).
 */
export function startCli (t: Test, args: string[]): Promise<EmulatorProcess> {
  assertBuilt()
  const child = spawn(process.execPath, [BIN, '--port', '0', '--log-level', 'warn', ...args],
    // No coverage from these processes: the bundle is not the suite's sources (.taprc leaves dist/ out).
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' } })
  // 'close' comes after 'exit' and after stdout and stderr are drained.
  const gone = new Promise<void>(resolve => child.once('close', () => resolve()))
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await gone })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString() })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" after 20 s:\n${stdout}\n${stderr}`)), 20_000)
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`exited (${code}) before listening:\n${stdout}\n${stderr}`)) })
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString()
      const m = /listening on (http:\/\/\S+)/.exec(stdout)
      if (!m) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        url: m[1]!,
        child,
        stderr: () => stderr,
        kill: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await gone
        }
      })
    })
  })
}
