// The JS command builder against the official client's own command table:
// every op it emits is an `exec_<op>` method of the client 1.2 (js.js), with
// argument names the client reads, and every command of the client has a
// builder method. A renamed op in either fails here, not in a browser.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { html, JS, type JsCommands } from '../../src/extend.ts'
import { renderToString } from '../../src/live/index.ts'

// The package's main entry is priv/static/…; its sources sit beside it, under assets/.
const clientDir = join(dirname(fileURLToPath(import.meta.resolve('phoenix_live_view'))), '..', '..')
const source = readFileSync(join(clientDir, 'assets/js/phoenix_live_view/js.js'), 'utf8')

/** The client's commands: `exec_<kind>(e, eventType, phxEvent, view, sourceEl, el, args)`, with the arg names it reads. */
function clientTable(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>()
  const method = /^ {2}exec_(\w+)\(([\s\S]*?)\)\s*\{([\s\S]*?)\n {2}\},?$/gm
  for (const [, kind = '', params = '', body = ''] of source.matchAll(method)) {
    const names = new Set<string>()
    const destructured = /\{([^}]*)\}\s*,?\s*$/.exec(params.trim())
    const fromBody = /const\s*\{([^}]*)\}\s*=\s*args/.exec(body)
    for (const list of [destructured?.[1], fromBody?.[1]]) {
      for (const item of (list ?? '').split(',')) {
        const name = item.trim().split(/[:\s=]/)[0]
        if (name) names.add(name)
      }
    }
    // every command takes `to` (filterToEls reads it before the command runs)
    names.add('to')
    table.set(kind, names)
  }
  return table
}

/** One of each builder method, with every option set. */
const everyCommand: JsCommands[] = [
  JS.push('save', { value: { id: 1 }, target: 3, loading: '#form', pageLoading: true }),
  JS.navigate('/items/1', { replace: true }),
  JS.patch('/items?page=2'),
  JS.show({ to: '#m', transition: 'fade-in', time: 100, blocking: false, display: 'flex' }),
  JS.hide({ to: { inner: '.x' }, transition: ['ease-out', 'opacity-100', 'opacity-0'] }),
  JS.toggle({
    to: '#m',
    in: 'fade-in',
    out: 'fade-out',
    display: 'grid',
    time: 50,
    blocking: false,
  }),
  JS.addClass('a b', { to: '#m', transition: 'pulse', time: 10 }),
  JS.removeClass(['a'], { to: { closest: 'li' } }),
  JS.toggleClass('open'),
  JS.transition('shake', { to: '#m', time: 300, blocking: false }),
  JS.setAttribute('aria-expanded', 'true', { to: '#m' }),
  JS.removeAttribute('disabled'),
  JS.toggleAttribute('aria-expanded', 'true', 'false', { to: '#m' }),
  JS.ignoreAttributes(['open'], { to: 'details' }),
  JS.dispatch('copy', { to: '#m', detail: { text: 'x' }, bubbles: false, blocking: true }),
  JS.exec('data-cancel', { to: '#modal' }),
  JS.focus({ to: '#input' }),
  JS.focusFirst({ to: '#m' }),
  JS.pushFocus(),
  JS.popFocus(),
]

test("the client's command table was read (a sanity check of the parser)", () => {
  const table = clientTable()
  assert.ok(table.size >= 18, `read ${table.size} commands`)
  assert.deepEqual([...(table.get('push') ?? [])].sort(), [
    'callback',
    'data',
    'dispatcher',
    'event',
    'loading',
    'page_loading',
    'target',
    'to',
    'value',
  ])
})

test('every op the builder emits is a command of the client, with arguments it reads', () => {
  const table = clientTable()
  for (const commands of everyCommand) {
    for (const [kind, args] of commands.ops) {
      const known = table.get(kind)
      assert.ok(known !== undefined, `the client has no exec_${kind}`)
      for (const key of Object.keys(args)) {
        assert.ok(known.has(key), `exec_${kind} does not read "${key}" (it reads ${[...known]})`)
      }
    }
  }
})

test('every command of the client has a builder method', () => {
  const emitted = new Set(everyCommand.flatMap((c) => c.ops.map(([kind]) => kind)))
  assert.deepEqual(
    [...clientTable().keys()].filter((kind) => !emitted.has(kind)),
    [],
  )
})

test('commands chain immutably and render as the JSON the client parses', () => {
  const base = JS.push('delete', { value: { id: 7 } })
  const chained = base.hide({ to: '#row-7', transition: 'fade-out' })
  assert.equal(base.ops.length, 1)
  assert.deepEqual(JSON.parse(chained.toAttribute()), [
    ['push', { event: 'delete', value: { id: 7 } }],
    ['hide', { to: '#row-7', transition: [['fade-out'], [], []], time: 200 }],
  ])
  assert.equal(
    renderToString(html`<button phx-click=${JS.toggleClass('on')}>x</button>`),
    '<button phx-click="[[&quot;toggle_class&quot;,{&quot;names&quot;:[&quot;on&quot;],&quot;time&quot;:200}]]">x</button>',
  )
  assert.throws(() => JS.push(''), /JS.push expects a non-empty string/)
  assert.throws(() => JS.addClass(''), /JS.addClass expects names/)
})
