import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compile, SlotKind } from '../../src/live/compile.ts'
import {
  escapeHtml,
  type FunctionComponent,
  html,
  isRaw,
  isTemplate,
  raw,
  renderSlot,
  renderToString,
  type Slot,
  type SlotEntries,
} from '../../src/live/index.ts'

describe('html`…`', () => {
  it('does no work at call time and shares the strings array between calls', () => {
    const make = (x: unknown) => html`<p>${x}</p>`
    const a = make({ not: 'renderable' })
    const b = make(2)
    assert.equal(a.strings, b.strings)
    assert.deepEqual(a.values, [{ not: 'renderable' }])
    assert.equal(isTemplate(a), true)
    assert.equal(compile(a.strings), compile(b.strings))
  })

  it('refuses strings that are not a template literal', () => {
    const fake = Object.assign(['<p>', '</p>'], {
      raw: ['<p>', '</p>'],
    }) as unknown as TemplateStringsArray
    assert.throws(() => renderToString(html(fake, 1)), { code: 'CINDER_ERR_LIVE_TEMPLATE' })
  })
})

describe('escaping', () => {
  it('escapes the five HTML specials', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    )
    assert.equal(escapeHtml('plain'), 'plain')
  })

  it('escapes text and attribute values so data cannot open tags or close quotes', () => {
    const evil = `"><script>alert(1)</script>`
    const out = renderToString(html`<a title=${evil} href="/u/${evil}">${evil}</a>`)
    assert.equal(out.includes('<script>'), false)
    assert.equal(
      out,
      '<a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" href="/u/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a>',
    )
  })

  it('raw() is trusted, and nothing built from JSON passes for it or for a template', () => {
    assert.equal(renderToString(html`<div>${raw('<b>ok</b>')}</div>`), '<div><b>ok</b></div>')
    const forged = JSON.parse('{"html":"<script>x</script>","strings":["<script>"],"values":[]}')
    assert.equal(isRaw(forged), false)
    assert.equal(isTemplate(forged), false)
    assert.throws(() => renderToString(html`<div>${forged}</div>`), {
      code: 'CINDER_ERR_LIVE_BAD_VALUE',
    })
    assert.equal(JSON.stringify(raw('<b>')), '{}', 'the brand does not survive JSON')
  })

  it('refuses attribute names that could carry markup, and strings between attributes', () => {
    const spread = (attrs: unknown) => html`<div ${attrs}></div>`
    assert.throws(() => renderToString(spread({ 'x onclick': 'a' })), {
      code: 'CINDER_ERR_LIVE_BAD_VALUE',
    })
    assert.throws(() => renderToString(spread({ 'a"b': 1 })), { code: 'CINDER_ERR_LIVE_BAD_VALUE' })
    assert.throws(() => renderToString(spread('onclick=alert(1)')), {
      code: 'CINDER_ERR_LIVE_BAD_VALUE',
    })
    assert.equal(
      renderToString(spread({ 'data-x': 'y', 'phx-value-id': 3 })),
      '<div data-x="y" phx-value-id="3"></div>',
    )
  })
})

describe('compiling templates', () => {
  const kinds = (t: { strings: TemplateStringsArray }) => compile(t.strings).kinds
  const x = 1

  it('classifies slots by where they stand', () => {
    assert.deepEqual(kinds(html`<p class=${x} title="a ${x}" ${x}>${x}</p><!-- ${x} -->`), [
      SlotKind.attr,
      SlotKind.part,
      SlotKind.spread,
      SlotKind.child,
      SlotKind.child,
    ])
    assert.deepEqual(compile(html`<p\n  class=${x}>`.strings).statics, ['<p', '>'])
  })

  it('reads script and style bodies as text, not tags', () => {
    const t = html`<script>if (a < b) x = "${'</script>'}"</script><b>${x}</b>`
    assert.deepEqual(kinds(t), [SlotKind.child, SlotKind.child])
    assert.equal(renderToString(t), '<script>if (a < b) x = "&lt;/script&gt;"</script><b>1</b>')
  })

  it('rejects values in tag names, attribute names and unquoted partial values', () => {
    const bad = [
      () => html`<${x}>`,
      () => html`<p data-${x}="1"></p>`,
      () => html`<a href=/u/${x}>`,
      () => html`<a href=${x}/edit>`,
      () => html`<p class=${x}${x}>`,
      () => html`</${x}>`,
    ]
    for (const make of bad) {
      assert.throws(() => renderToString(make()), { code: 'CINDER_ERR_LIVE_TEMPLATE' })
    }
  })

  it('knows whether the markup is one root element', () => {
    const root = (t: { strings: TemplateStringsArray }) => compile(t.strings).singleRoot
    assert.equal(root(html`\n  <div class=${x}><input><br/><p>${x}</p></div>\n`), true)
    assert.equal(root(html`<!-- c --><section><svg><path d="M0" /></svg></section>`), true)
    assert.equal(root(html`<div></div><div></div>`), false)
    assert.equal(root(html`text<div></div>`), false)
    assert.equal(root(html`${x}<div></div>`), false)
    assert.equal(root(html`<input>`), true)
  })
})

describe('function components and slots', () => {
  it('are functions of props; slots are templates, functions of an argument, or entries', () => {
    const Card: FunctionComponent<{ title: string; inner: Slot }> = ({ title, inner }) =>
      html`<section><h2>${title}</h2>${renderSlot(inner)}</section>`
    const Table = <Row>(p: { rows: Row[]; col: SlotEntries<{ label: string }, Row> }) =>
      html`<table><tr>${p.col.map((c) => html`<th>${c.label}</th>`)}</tr>${p.rows.map(
        (row) => html`<tr>${p.col.map((c) => html`<td>${renderSlot(c, row)}</td>`)}</tr>`,
      )}</table>`
    const out = renderToString(
      Card({
        title: 'Users <1>',
        inner: Table({
          rows: [{ name: 'Ann', age: 3 }],
          col: [
            { label: 'Name', inner: (u) => html`<b>${u.name}</b>` },
            { label: 'Age', inner: (u) => u.age },
          ],
        }),
      }),
    )
    assert.equal(
      out,
      '<section><h2>Users &lt;1&gt;</h2><table><tr><th>Name</th><th>Age</th></tr><tr><td><b>Ann</b></td><td>3</td></tr></table></section>',
    )
    assert.equal(renderSlot(undefined), '')
  })
})
