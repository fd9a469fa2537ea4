// The Fastify family's style: neostandard (standard's rules, for TypeScript too), over what git tracks.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', '.quiltt-mock/**', 'bench/profiles/**']
  }),
  {
    rules: {
      // Code lines stay readable side by side; a long message or pattern reads better unbroken than concatenated.
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      // `void promise` marks a promise deliberately not awaited (Fastify's reply.send in hooks, timers).
      'no-void': ['error', { allowAsStatement: true }]
    }
  },
  {
    // Pact's provider-state expressions are literally `${name}`, resolved by the Pact Verifier.
    files: ['contracts/**', 'test/contract/**'],
    rules: { 'no-template-curly-in-string': 'off' }
  }
]
