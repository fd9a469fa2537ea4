// The code blocks of the docs and their check-docs markers (docs/check-docs.md): what
// scripts/check-docs.ts runs. Kept apart so that test/check-docs.test.ts can test the parsing.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export interface Directive {
  output?: true
  skip?: string
  file?: string
  run?: string
  install?: string[]
  emulator?: 'none' | 'default' | 'email-and-phone'
  background?: true
  forbid?: RegExp
  timeout?: number
}

export interface Block { doc: string, line: number, info: string, text: string, directive: Directive | undefined }

/** Info strings of blocks that are run as they are, with bash. */
export const SHELLS = new Set(['sh', 'bash', 'shell'])
const MARKER = /^\s*<!--\s*check-docs\b(.*?)-->\s*$/

/** Parses `key`, `key=value` and `key="value with spaces"` pairs of a marker. */
export function parseDirective (source: string, where: string): Directive {
  const d: Directive = {}
  for (const m of source.matchAll(/([a-z][\w-]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/g)) {
    const [, key, ...values] = m
    const value = values.find(v => v !== undefined)
    const need = (): string => { if (value === undefined || value === '') throw new Error(`${where}: check-docs ${key} needs a value`); return value }
    switch (key) {
      case 'output': d.output = true; break
      case 'skip': d.skip = value ?? 'not run'; break
      case 'file': d.file = need(); break
      case 'run': d.run = need(); break
      case 'install': d.install = need().split(/[\s,]+/).filter(Boolean); break
      case 'background': d.background = true; break
      case 'forbid': d.forbid = new RegExp(need(), 'i'); break
      case 'timeout': d.timeout = Number(need()); break
      case 'emulator': {
        const v = need()
        if (v !== 'none' && v !== 'default' && v !== 'email-and-phone') throw new Error(`${where}: check-docs emulator must be none, default or email-and-phone, got "${v}"`)
        d.emulator = v
        break
      }
      default: throw new Error(`${where}: unknown check-docs key "${key}" (see docs/check-docs.md)`)
    }
  }
  return d
}

/** The fenced code blocks of a Markdown text, each with the marker on the line before it (blank lines between allowed). */
export function extractBlocks (markdown: string, doc: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]!)
    if (!open) continue
    const [, indent, fence, info] = open
    const body: string[] = []
    let j = i + 1
    while (j < lines.length && !new RegExp(`^\\s*${fence![0]}{${fence!.length},}\\s*$`).test(lines[j]!)) body.push(lines[j++]!.slice(indent!.length))
    let k = i - 1
    while (k >= 0 && lines[k]!.trim() === '') k--
    const marker = k >= 0 ? MARKER.exec(lines[k]!) : null
    blocks.push({ doc, line: i + 1, info: info!.toLowerCase(), text: body.join('\n') + '\n', directive: marker ? parseDirective(marker[1]!, `${doc}:${k + 1}`) : undefined })
    i = j
  }
  return blocks
}

/** The files checked, in the order a newcomer reads them: install first (it makes the project). */
export function docFiles (root: string): string[] {
  const docs = existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => join('docs', f)) : []
  return [join('docs', 'install.md'), 'README.md', join('contracts', 'README.md'), ...docs.filter(f => f !== join('docs', 'install.md'))]
    .filter(f => existsSync(join(root, f)))
}
