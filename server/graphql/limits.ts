import type { FragmentDefinitionNode, SelectionSetNode, ValidationRule } from 'graphql'
import { graphqlJs } from './schema.js'

// Bounds on what one request may ask, so a hostile or runaway query gets a clear GraphQL error
// instead of tying up the process. Generous for real apps: the introspection query GraphQL Codegen
// sends is 15 levels deep and under 200 tokens; Apollo batches at most 10 operations.
export const MAX_DEPTH = 20
export const MAX_TOKENS = 5_000
export const MAX_BATCH = 50
/**
 * What one HTTP request may ask in all, a batch's operations added up: the limits above are per
 * operation, and fifty operations each just under them tied the process up for seconds.
 */
export const MAX_REQUEST_TOKENS = 15_000

/**
 * The tokens of the requests' documents, counted until the total passes `budget` (then `budget + 1`):
 * cheap (the lexer only), and done before anything is parsed, validated or run.
 */
export function tokensOf (queries: string[], budget = MAX_REQUEST_TOKENS): number {
  const { Lexer, Source, TokenKind } = graphqlJs()
  let total = 0
  for (const query of queries) {
    const lexer = new Lexer(new Source(query))
    try {
      while (lexer.advance().kind !== TokenKind.EOF) if (++total > budget) return total
    } catch {
      // A syntax error: the parser reports it, with its place, for this operation alone.
    }
  }
  return total
}

/**
 * How deep the selections of a selection set nest (a field is one level, fragments add none), or
 * `limit + 1` as soon as it is known to be over `limit`. Fragments are measured once each; a
 * fragment cycle counts as nothing here (NoFragmentCyclesRule reports it).
 */
function depthOf (set: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | undefined,
  limit: number, memo: Map<string, number>): number {
  if (limit < 0) return 1 // already over: no need to look further down
  let max = 0
  for (const s of set.selections) {
    let d = 0
    if (s.kind === 'Field') d = s.selectionSet ? 1 + depthOf(s.selectionSet, fragment, limit - 1, memo) : 1
    else if (s.kind === 'InlineFragment') d = depthOf(s.selectionSet, fragment, limit, memo)
    else {
      const name = s.name.value
      if (!memo.has(name)) {
        const def = fragment(name)
        memo.set(name, 0) // in progress: a cycle back here adds nothing
        memo.set(name, def ? depthOf(def.selectionSet, fragment, limit, memo) : 0)
      }
      d = memo.get(name)!
    }
    if (d > max) max = d
    if (max > limit) return max
  }
  return max
}

/** A validation rule: an operation nested deeper than `limit` levels is refused with a GraphQL error. */
export function maxDepthRule (limit = MAX_DEPTH): ValidationRule {
  return context => ({
    OperationDefinition (node) {
      const depth = depthOf(node.selectionSet, name => context.getFragment(name) ?? undefined, limit, new Map())
      if (depth > limit) {
        context.reportError(new (graphqlJs().GraphQLError)(
          `${node.name ? `Operation "${node.name.value}" is` : 'The operation is'} nested more than ${limit} levels deep; quiltt-mock answers at most ${limit}.`,
          { nodes: [node] }))
      }
    }
  })
}
