// Runs the TypeScript tests and sources under tap: `.taprc` loads this with `--import` in every test
// process. esbuild (already the bundle's compiler) strips the types; the output keeps one statement
// per line and an inline source map, so coverage and stack traces point at the .ts lines. Neither
// tap's ts-node plugin (it compiled every file of every test process with TypeScript: about 1.3 s
// of CPU per test file) nor tsx (it minifies whitespace, so coverage saw one statement per file)
// serves here; see docs/performance.md. Type checking is `npm run typecheck`'s job.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { register } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

// This file is both the --import entry (main thread: register the hooks) and the hooks module
// (Node runs the hooks on their own thread).
if (isMainThread) register(import.meta.url)

let esbuild
// What tsconfig.json's settings mean for the emitted JavaScript (target ES2022: class fields are defined).
const tsconfigRaw = { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: false } }

/** A TypeScript file imports another by its output's name, `./x.js` for `./x.ts` (NodeNext). */
export async function resolve (specifier, context, next) {
  try {
    return await next(specifier, context)
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !specifier.endsWith('.js') || !context.parentURL?.endsWith('.ts')) throw err
    return next(`${specifier.slice(0, -3)}.ts`, context)
  }
}

// Each test file is a process of its own that imports most of server/: every one of them used to
// start esbuild's service and transform the same files again (about 0.2 s of CPU a test file). The
// output is kept by the file's path and text, where tools keep caches (a new install clears it).
const CACHE = fileURLToPath(new URL('../node_modules/.cache/quiltt-mock/ts/', import.meta.url))

export async function load (url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context)
  const path = fileURLToPath(url)
  const text = await readFile(path, 'utf8')
  const cached = join(CACHE, `${createHash('sha1').update(`${path}\0${text}`).digest('hex')}.js`)
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true }
  } catch {}
  esbuild ??= await import('esbuild')
  const { code } = await esbuild.transform(text, {
    loader: 'ts', format: 'esm', target: 'node20', tsconfigRaw, sourcemap: 'inline', sourcefile: path, sourcesContent: false
  })
  // Written aside and renamed: test files run in parallel and may write the same entry.
  await mkdir(CACHE, { recursive: true })
  const aside = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
  await writeFile(aside, code)
  await rename(aside, cached)
  return { format: 'module', source: code, shortCircuit: true }
}
