// The parsing half of `npm run check:docs` (scripts/docs-blocks.ts): which blocks it finds and what
// their markers say. Running the blocks is check:docs itself (CI runs it after the tests).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { docFiles, extractBlocks, parseDirective } from '../scripts/docs-blocks.js'

t.test('markers: flags, values, quoted values with spaces and quotes of the other kind', async t => {
  t.strictSame(parseDirective(' output ', 'x'), { output: true })
  t.strictSame(parseDirective(' skip="needs a Pact Broker" ', 'x'), { skip: 'needs a Pact Broker' })
  t.strictSame(parseDirective(' skip ', 'x'), { skip: 'not run' })
  const d = parseDirective(' file=test/a.test.mts install="tap vitest" run="npx tap \'a b\'" emulator=email-and-phone background forbid=deprecated timeout=60 ', 'x')
  t.strictSame({ ...d, forbid: d.forbid?.source }, {
    file: 'test/a.test.mts', install: ['tap', 'vitest'], run: "npx tap 'a b'", emulator: 'email-and-phone', background: true, forbid: 'deprecated', timeout: 60
  })
  t.ok(d.forbid?.test('DEPRECATED'), 'forbid ignores case')
  t.throws(() => parseDirective(' fiel=a.js ', 'README.md:3'), { message: 'README.md:3: unknown check-docs key "fiel" (see docs/check-docs.md)' })
  t.throws(() => parseDirective(' emulator=phone ', 'README.md:3'), { message: /emulator must be none, default or email-and-phone, got "phone"/ })
  t.throws(() => parseDirective(' file= ', 'README.md:3'), { message: 'README.md:3: check-docs file needs a value' })
})

t.test('blocks: the fence line, the language, the text, and the marker above (blank lines allowed)', async t => {
  const md = [
    '# Title', // 1
    '', // 2
    '```sh', // 3
    'echo one', // 4
    '```', // 5
    '<!-- check-docs output -->', // 6
    '', // 7
    '```json', // 8
    '{"a": 1}', // 9
    '```', // 10
    'Some text', // 11
    '````md', // 12
    '```js', // 13: inside a longer fence, not a block of its own
    '````', // 14
    '1. a list item:', // 15
    '   <!-- check-docs file=x.mjs run="node x.mjs" -->', // 16
    '   ```JS', // 17
    '   console.log(1)', // 18
    '   ```' // 19
  ].join('\n')
  const blocks = extractBlocks(md, 'doc.md')
  t.strictSame(blocks.map(b => [b.line, b.info, b.text]), [
    [3, 'sh', 'echo one\n'],
    [8, 'json', '{"a": 1}\n'],
    [12, 'md', '```js\n'],
    [17, 'js', 'console.log(1)\n']
  ])
  t.equal(blocks[0]!.directive, undefined, 'no marker')
  t.strictSame(blocks[1]!.directive, { output: true })
  t.equal(blocks[2]!.directive, undefined, 'a marker above other text does not count')
  t.strictSame(blocks[3]!.directive, { file: 'x.mjs', run: 'node x.mjs' })
})

t.test('files: docs/install.md first (it makes the project), then README.md, contracts/README.md and the other docs', async t => {
  const root = t.testdir({})
  mkdirSync(join(root, 'docs'))
  mkdirSync(join(root, 'contracts'))
  for (const f of ['README.md', 'contracts/README.md', 'docs/install.md', 'docs/b.md', 'docs/a.md', 'docs/notes.txt']) writeFileSync(join(root, f), '')
  t.strictSame(docFiles(root), ['docs/install.md', 'README.md', 'contracts/README.md', 'docs/a.md', 'docs/b.md'])
})
