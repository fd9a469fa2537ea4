// "Did you mean": the known name nearest a misspelt one.

/** Levenshtein distance, case-insensitive. */
function distance (a: string, b: string): number {
  a = a.toLowerCase(); b = b.toLowerCase()
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

/** The known name nearest `given`, if it is near enough to be a typo (a third of its length at most). */
export function nearest (given: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const k of known) {
    const d = distance(given, k)
    if (d < bestDistance) { best = k; bestDistance = d }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(best.length / 3)) ? best : undefined
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean (given: string, known: readonly string[]): string {
  const near = nearest(given, known)
  return near === undefined ? '' : ` (did you mean "${near}"?)`
}
