// Keeps src/ small: no file over 600 lines, no function over 80 (scripts/check-size.ts).
// The offenders that remain are listed in KNOWN with their length today: the list may
// only shrink, and an entry goes away when its function or file is split.
import assert from 'node:assert/strict'
import { dirname, join, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { formatOffender, functionSpans, sizeOffenders } from '../scripts/check-size.ts'

// Works from the sources and from the compiled copy in .build/.
const here = dirname(fileURLToPath(import.meta.url))
const repo = here.includes(`${sep}.build${sep}`) ? resolve(here, '..', '..') : resolve(here, '..')

/** `file name` (name `file` for the file itself) → lines today. */
const KNOWN: Record<string, number> = {}

function spans(text: string): string[] {
  return functionSpans(text).map((f) => `${f.name}@${f.line}:${f.lines}`)
}

test('strings, templates, regexes and comments hide their braces', () => {
  const text = [
    'function a() {', // 1
    "  const s = '{' + \"}\" + '\\'{'",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text holds a template
    '  const t = `${`${ {x: 1}.x }`} } {`',
    '  const r = /[/{]\\/}/g.test(s) ? 1 / 2 : 3',
    '  // } {',
    '  /* } */ return `',
    '}`',
    '}', // 8
    'function b() { return 1 }',
  ].join('\n')
  assert.deepEqual(spans(text), ['a@1:8', 'b@9:1'])
})

test('blocks, objects, classes and types are not functions; their methods are', () => {
  const text = [
    'class A extends B<C> {', // 1
    '  get x(): { a: number } {',
    '    if (this.y) { return { a: 1 } }',
    '    for await (const z of w) { }',
    '    try { } catch (e) { } finally { }',
    '    return { a: 2 }',
    '  }', // 7
    '  async *m<T>(a: T): Promise<Map<string, T[]>> | undefined {',
    '    switch (a) { case 1: { break } }',
    '  }', // 10
    '}',
    'interface I { f(): void }',
    'type T = { a: (x: number) => void }',
  ].join('\n')
  // A function type counts as a one-line function: harmless, and the price of no parser.
  assert.deepEqual(spans(text), ['x@2:6', 'm@8:3', 'a@13:1'])
})

test('arrow functions and function expressions are named by where they go', () => {
  const text = [
    'const f = async (a: number): Promise<void> => {', // 1
    '}',
    'const o = { k: (x) => (', // 3
    '  x + 1',
    '), g: function () {', // 5
    '} }',
    'items.forEach((i) => {', // 7
    '  use(y => { })',
    '})',
    'const h = x => { return x / 2 }',
  ].join('\n')
  assert.deepEqual(spans(text), [
    'f@1:2',
    'k@3:3',
    'g@5:2',
    '(arrow in forEach)@7:3',
    '(arrow in use)@8:1',
    'h@10:1',
  ])
})

test('an arrow in a type or a return type is not the function body that follows', () => {
  const text = [
    'function on(hook: (r: string) => void): () => void {', // 1
    '  return () => {',
    '    off(hook)',
    '  }',
    '}', // 5
    'const ops: Record<string, () => unknown> = {',
    '  a: () => 1,',
    '}',
    'const handler = (fallback) => (req, res) =>', // 9
    '  fallback(req, res)',
    '    .then(() => done)',
  ].join('\n')
  assert.deepEqual(spans(text), [
    'hook@1:1',
    '(arrow)@1:1',
    'on@1:5',
    '(arrow)@2:3',
    '(arrow)@6:1',
    'a@7:1',
    'handler@9:3',
    '(arrow)@10:2',
    '(arrow in then)@11:1',
  ])
})

test('src/ has no file over 600 lines and no function over 80 beyond the known ones', () => {
  const found = new Set<string>()
  const over: string[] = []
  for (const o of sizeOffenders(join(repo, 'src'), repo)) {
    const base = `${o.file.split(sep).join('/')} ${o.name ?? 'file'}`
    let key = base
    for (let n = 2; found.has(key); n++) key = `${base}#${n}`
    found.add(key)
    const known = KNOWN[key]
    if (known === undefined || o.lines > known) over.push(formatOffender(o))
  }
  assert.deepEqual(over, [], 'split these (or, for a known one, bring it back to its length)')
  const gone = Object.keys(KNOWN).filter((key) => !found.has(key))
  assert.deepEqual(gone, [], 'now within the limits: remove these from KNOWN')
})
