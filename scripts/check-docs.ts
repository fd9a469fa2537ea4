// `npm run check:docs`: runs every code block a user would paste from docs/install.md, README.md,
// contracts/README.md and the other docs/*.md, in that order, in one scratch project made as
// docs/install.md says (npm init -y, the packed package installed beside @quiltt/core). Blocks that
// are output, or not meant to be run, carry a marker; the convention is in docs/check-docs.md.
//
//   npm run check:docs                      every file
//   npm run check:docs -- README.md         one file (docs/install.md still runs first: it makes the project)
//   npm run check:docs -- --keep            keep the scratch folder (its path is printed)
//   npm run check:docs -- --compile         let better-sqlite3 compile, as a user's install does
//   npm run check:docs -- --docs DIR        read the Markdown files from DIR (same names) instead
//
// Prints one TAP line per block and a closing "# { total, pass, fail, skip }" (.ci/run adds it up);
// exits 1 when a block fails.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, relative, resolve } from 'node:path'
import { ROOT } from '../server/paths.js'
import { docFiles, extractBlocks, SHELLS } from './docs-blocks.js'

interface Outcome { ok: boolean, output: string, why?: string }

/** The environment of a terminal: none of npm run's variables, the checkout's node_modules/.bin or the suite's settings. */
function userEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|QUILTT_|PORT$|HOST$|NODE_OPTIONS$|NODE_V8_COVERAGE$|TAP|_TAPJS)/.test(k)) continue
    env[k] = v
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter(p => !/node_modules[\\/]\.bin|node-gyp-bin/.test(p)).join(delimiter)
  return { ...env, ...extra }
}

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)) })
  })
}

/** Ends a process group: a block's shell and whatever it left in the background (SIGTERM, then SIGKILL after 3 s). */
async function stopGroup (child: ChildProcess): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  const alive = (): boolean => { try { process.kill(-pid, 0); return true } catch { return false } }
  if (!alive()) return
  process.kill(-pid, 'SIGTERM')
  for (let i = 0; i < 30 && alive(); i++) await new Promise(resolve => setTimeout(resolve, 100))
  if (alive()) process.kill(-pid, 'SIGKILL')
}

function runShell (script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Outcome> {
  return new Promise(resolve => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', d => { output += String(d) })
    child.stderr!.on('data', d => { output += String(d) })
    const timer = setTimeout(() => { void stopGroup(child) }, timeoutMs)
    // The shell's exit ends the block; what it started in the background (holding the output pipes
    // open, so 'close' would wait for it) is ended with it.
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      void stopGroup(child).then(() => resolve(code === 0 ? { ok: true, output } : { ok: false, output, why: signal ? `stopped after ${timeoutMs / 1000} s` : `exit ${code}` }))
    })
  })
}

interface Background { child: ChildProcess, output: () => string, own?: string }

function startBackground (script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ bg?: Background, outcome: Outcome }> {
  return new Promise(resolve => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let settled = false
    const settle = (r: { bg?: Background, outcome: Outcome }): void => { if (!settled) { settled = true; clearTimeout(timer); resolve(r) } }
    const timer = setTimeout(() => { void stopGroup(child); settle({ outcome: { ok: false, output, why: `no "listening on" within ${timeoutMs / 1000} s` } }) }, timeoutMs)
    const onData = (d: Buffer): void => {
      output += String(d)
      if (/listening on http:\/\/\S+/.test(output)) settle({ bg: { child, output: () => output }, outcome: { ok: true, output } })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('close', code => settle({ outcome: { ok: false, output, why: `exited (${code}) before listening` } }))
  })
}

function tail (text: string, lines = 40): string {
  const all = text.trimEnd().split('\n')
  return (all.length > lines ? ['...', ...all.slice(-lines)] : all).map(l => `    ${l}`).join('\n')
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep')
  const compile = args.includes('--compile')
  const docsAt = args.indexOf('--docs')
  const docsRoot = docsAt >= 0 ? resolve(args[docsAt + 1] ?? '.') : ROOT
  const only = args.filter((a, i) => !a.startsWith('--') && (docsAt < 0 || i !== docsAt + 1))
  const started = Date.now()
  const files = docFiles(docsRoot).filter(f => only.length === 0 || f === join('docs', 'install.md') || only.some(o => f === o || f.endsWith(o)))

  // The package as a user gets it: the tarball `npm pack` makes (built first only if stale).
  const scratch = mkdtempSync(join(tmpdir(), 'quiltt-mock-check-docs-'))
  const project = join(scratch, 'my-app')
  const packs = join(scratch, 'quiltt-mock')
  mkdirSync(project)
  mkdirSync(packs)
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.cjs')], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('the build failed')
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' })
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`)
  const tarball = (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename

  // better-sqlite3 compiles for ~75 s when its prebuilt binary cannot be downloaded (no GitHub
  // here). The checkout's build of the same version, for the same Node, is offered to it as a
  // local prebuild (prebuild-install's own option), unless --compile.
  const extra: Record<string, string> = {}
  const bs3 = join(ROOT, 'node_modules', 'better-sqlite3')
  if (!compile && existsSync(join(bs3, 'build', 'Release', 'better_sqlite3.node'))) {
    const version = (JSON.parse(readFileSync(join(bs3, 'package.json'), 'utf8')) as { version: string }).version
    const prebuilds = join(scratch, 'prebuilds')
    mkdirSync(prebuilds)
    spawnSync('tar', ['-czf', join(prebuilds, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`), '-C', bs3, 'build/Release/better_sqlite3.node'])
    extra.npm_config_better_sqlite3_local_prebuilds = prebuilds
  }
  // The samples' port 4000, written (replaced in the text) or implied (the CLI's default, which PORT sets).
  const port = await freePort()
  const env = userEnv({ ...extra, PORT: String(port) })
  console.log(`# check:docs: ${files.join(', ')}; project ${project}; ${tarball} in ${packs}; port 4000 of the samples is ${port}`)

  let n = 0
  let pass = 0
  let fail = 0
  let skip = 0
  let bg: Background | undefined
  const stopBackground = async (): Promise<void> => { if (bg) { await stopGroup(bg.child); bg = undefined } }
  const sub = (s: string): string => s.replace(/\b4000\b/g, String(port))

  try {
    for (const doc of files) {
      for (const block of extractBlocks(readFileSync(join(docsRoot, doc), 'utf8'), doc)) {
        const d = block.directive ?? {}
        const shell = SHELLS.has(block.info)
        const name = `${doc}:${block.line} ${block.info || '(no language)'}${d.file ? ` ${d.file}` : ''}`
        n++
        if (d.output || d.skip !== undefined) {
          skip++
          console.log(`ok ${n} - ${name} # SKIP ${d.output ? 'output' : d.skip}`)
          continue
        }
        if (!shell && d.file === undefined) {
          fail++
          console.log(`not ok ${n} - ${name}: not marked. Mark it <!-- check-docs output -->, skip="why", or file=NAME (with run="command"): docs/check-docs.md`)
          continue
        }
        const t0 = Date.now()
        const timeoutMs = (d.timeout ?? 600) * 1000
        let outcome: Outcome = { ok: true, output: '' }
        if (d.emulator === 'none' || d.background) await stopBackground()
        if (d.emulator === 'default' || d.emulator === 'email-and-phone') {
          if (bg?.own !== d.emulator) {
            await stopBackground()
            const fixtures = d.emulator === 'default' ? '' : ' --fixtures email-and-phone'
            const started = await startBackground(`npx quiltt-mock --port ${port} --db :memory:${fixtures}`, project, env, 60_000)
            if (started.bg) bg = { ...started.bg, own: d.emulator }
            else outcome = { ...started.outcome, why: `starting the emulator: ${started.outcome.why}` }
          }
        }
        if (outcome.ok && d.install) {
          const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies?: object, devDependencies?: object }
          const missing = d.install.filter(p => !Object.hasOwn({ ...pkg.dependencies, ...pkg.devDependencies }, p.replace(/(?<=.)@.*$/, '')))
          if (missing.length > 0) outcome = await runShell(`npm install --save-dev ${missing.join(' ')}`, project, env, timeoutMs)
          if (!outcome.ok) outcome.why = `npm install --save-dev ${missing.join(' ')}: ${outcome.why}`
        }
        if (outcome.ok && d.file !== undefined) {
          const path = join(project, d.file)
          mkdirSync(dirname(path), { recursive: true })
          writeFileSync(path, sub(block.text))
        }
        if (outcome.ok) {
          const script = shell ? sub(block.text) : d.run === undefined ? undefined : sub(d.run)
          if (script !== undefined && d.background) {
            const started = await startBackground(script, project, env, timeoutMs)
            outcome = started.outcome
            bg = started.bg
          } else if (script !== undefined) {
            outcome = await runShell(script, project, env, timeoutMs)
          }
        }
        if (outcome.ok && d.forbid && d.forbid.test(outcome.output)) outcome = { ...outcome, ok: false, why: `its output matches /${d.forbid.source}/i` }
        const secs = ((Date.now() - t0) / 1000).toFixed(1)
        if (outcome.ok) {
          pass++
          console.log(`ok ${n} - ${name} # time=${secs}s`)
        } else {
          fail++
          console.log(`not ok ${n} - ${name}: ${outcome.why} (${secs} s)\n${tail(outcome.output)}`)
        }
      }
      await stopBackground()
    }
  } finally {
    await stopBackground()
    if (keep || fail > 0) console.log(`# the scratch project is kept: ${relative(process.cwd(), project) || project}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
  console.log(`# { total: ${n}, pass: ${pass}, fail: ${fail}, skip: ${skip} }`)
  console.log(`# check:docs: ${pass} passed, ${fail} failed, ${skip} not run (output or skipped), in ${Math.round((Date.now() - started) / 1000)} s`)
  process.exitCode = fail > 0 ? 1 : 0
}

main().catch((err: unknown) => { console.error(err); console.log('# { total: 1, pass: 0, fail: 1 }'); process.exitCode = 1 })
