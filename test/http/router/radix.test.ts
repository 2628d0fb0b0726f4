import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { LinearMatcher } from '../../../src/http/router/linear.ts'
import { parsePattern, shapeOf, type Token } from '../../../src/http/router/pattern.ts'
import { RadixTree } from '../../../src/http/router/radix.ts'

const SEGMENTS = ['a', 'b', 'c', 'd']

const segmentToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'c').map((s) => s) },
  { weight: 2, arbitrary: fc.constant(':p') },
)
const pattern = fc
  .tuple(fc.array(segmentToken, { maxLength: 4 }), fc.boolean())
  .map(([segments, glob]) => `/${[...segments, ...(glob ? ['*rest'] : [])].join('/')}`)
const route = fc.record({ method: fc.constantFrom('GET', 'POST', 'HEAD', '*'), path: pattern })

function build(routes: ReadonlyArray<{ method: string; path: string }>) {
  const tree = new RadixTree<number>()
  const linear = new LinearMatcher<number>()
  const taken = new Set<string>()
  routes.forEach(({ method, path }, id) => {
    const tokens: Token[] = parsePattern(path.replaceAll(':p', () => `:p${id}`))
    const key = `${method} ${shapeOf(tokens)}`
    if (taken.has(key)) return
    taken.add(key)
    tree.insert(method, tokens, id, path)
    linear.insert(method, tokens, id)
  })
  return { tree, linear }
}

test('property: the radix tree matches exactly like the naive linear matcher', () => {
  fc.assert(
    fc.property(
      fc.array(route, { maxLength: 25 }),
      fc.array(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
          segments: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 5 }),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      (routes, requests) => {
        const { tree, linear } = build(routes)
        for (const { method, segments } of requests) {
          assert.deepEqual(tree.match(method, segments), linear.match(method, segments))
        }
      },
    ),
    { numRuns: 500 },
  )
})

test('edges split where static runs diverge, and backtracking finds the param branch', () => {
  const tree = new RadixTree<string>()
  tree.insert('GET', parsePattern('/a/b/c/d'), 'long', 'long')
  tree.insert('GET', parsePattern('/a/b/x'), 'split', 'split')
  tree.insert('GET', parsePattern('/a/:p/c'), 'param', 'param')
  assert.equal(tree.match('GET', ['a', 'b', 'c', 'd'])?.value, 'long')
  assert.equal(tree.match('GET', ['a', 'b', 'x'])?.value, 'split')
  assert.deepEqual(tree.match('GET', ['a', 'b', 'c']), {
    value: 'param',
    captures: ['b'],
    glob: undefined,
  })
  assert.equal(tree.match('GET', ['a', 'b']), undefined)
})

test('the same verb and shape twice is refused', () => {
  const tree = new RadixTree<string>()
  tree.insert('GET', parsePattern('/u/:id'), 'one', 'GET /u/:id')
  assert.throws(
    () => tree.insert('GET', parsePattern('/u/:other'), 'two', 'GET /u/:other'),
    /declared twice/,
  )
})
