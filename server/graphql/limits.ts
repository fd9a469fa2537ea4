import type { FragmentDefinitionNode, SelectionSetNode, ValidationRule } from 'graphql'
import { graphqlJs } from './schema.js'

// Bounds on what one request may ask, so a hostile or runaway query gets a clear GraphQL error
// instead of tying up the process. Generous for real apps: the introspection query GraphQL Codegen
// sends is 15 levels deep and under 200 tokens; Apollo batches at most 10 operations.
export const MAX_DEPTH = 20
export const MAX_TOKENS = 5_000
export const MAX_BATCH = 50

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
