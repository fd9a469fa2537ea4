/**
 * The Quiltt contract check's report: for people (what `quiltt-mock verify` prints) and for
 * machines (what `--report FILE` writes).
 */
import type { CheckSummary, InteractionCheck, QuilttContractCheck } from './check.js'
import type { DocumentId } from './facts.js'

export interface CheckedPact {
  /** The pact's file or URL. */
  source: string
  check: QuilttContractCheck
}

export interface QuilttReport {
  /** The document every pact was checked against. */
  document: DocumentId
  /** Quiltt's GraphQL schema, when interactions with /v1/graphql were checked against it. */
  graphqlDocument?: DocumentId
  summary: CheckSummary & { pacts: number }
  /** The replay against the emulator, when the report comes from `quiltt-mock verify`. */
  replay?: { passed: boolean, failedInteractions: number | null }
  pacts: Array<{ source: string, consumer?: string, provider?: string, specification: string, summary: CheckSummary, interactions: InteractionCheck[] }>
}

export function buildReport (document: DocumentId, pacts: CheckedPact[], replay?: QuilttReport['replay']): QuilttReport {
  const total = (key: keyof CheckSummary): number => pacts.reduce((n, p) => n + p.check.summary[key], 0)
  const graphqlDocument = pacts.find(p => p.check.graphqlDocument)?.check.graphqlDocument
  return {
    document,
    ...(graphqlDocument ? { graphqlDocument } : {}),
    summary: {
      pacts: pacts.length,
      interactions: total('interactions'),
      checked: total('checked'),
      notChecked: total('notChecked'),
      conflicts: total('conflicts'),
      undocumented: total('undocumented'),
      undecided: total('undecided')
    },
    ...(replay ? { replay } : {}),
    pacts: pacts.map(({ source, check }) => ({
      source,
      ...(check.consumer !== undefined ? { consumer: check.consumer } : {}),
      ...(check.provider !== undefined ? { provider: check.provider } : {}),
      specification: check.specification,
      summary: check.summary,
      interactions: check.interactions
    }))
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export const documentName = (d: DocumentId): string => `${d.source} (Quiltt API version ${d.apiVersion})`
const documentNames = (report: QuilttReport): string =>
  report.graphqlDocument ? `${documentName(report.document)} and ${documentName(report.graphqlDocument)}` : documentName(report.document)

export function summaryLine (report: QuilttReport): string {
  const s = report.summary
  return `Quiltt contract check: ${plural(s.conflicts, 'conflict')}, ${s.undocumented} undocumented, ${s.undecided} undecided` +
    ` in ${plural(s.checked, 'checked interaction')}${s.notChecked > 0 ? ` (${s.notChecked} not checked: operations Quiltt's document does not describe)` : ''}` +
    `, against ${documentNames(report)}`
}

/** The report as `quiltt-mock verify` prints it: findings per interaction, what was not checked, a summary line. */
export function formatReport (report: QuilttReport): string {
  const lines: string[] = [`Quiltt contract check against ${documentNames(report)}`]
  for (const pact of report.pacts) {
    const names = pact.consumer || pact.provider ? ` (${pact.consumer ?? '?'} -> ${pact.provider ?? '?'})` : ''
    lines.push('', `${pact.source}${names}`)
    for (const it of pact.interactions) {
      if (it.findings.length === 0) continue
      lines.push(`  "${it.description}" (${it.method} ${it.path} -> ${it.status ?? 200}${it.providerStates.length > 0 ? `, given ${it.providerStates.join(', ')}` : ''})`)
      for (const f of it.findings) {
        lines.push(`    ${f.kind} at ${f.at} ${f.path}`, `      pact expects:      ${f.expected}`, `      Quiltt's document: ${f.documented}`)
      }
    }
    const clean = pact.interactions.filter(i => i.checked && i.findings.length === 0).length
    if (clean > 0) lines.push(`  ${plural(clean, 'checked interaction')} with nothing to report`)
    const skipped = new Map<string, { count: number, reason: string }>()
    for (const it of pact.interactions.filter(i => !i.checked)) {
      const key = `${it.method} ${it.path}`
      const entry = skipped.get(key) ?? { count: 0, reason: it.reason ?? '' }
      entry.count++
      skipped.set(key, entry)
    }
    for (const [key, { count, reason }] of skipped) lines.push(`  not checked: ${key} (${plural(count, 'interaction')}): ${reason}`)
  }
  lines.push('', summaryLine(report), '')
  return lines.join('\n')
}
