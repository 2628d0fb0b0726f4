import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type ComponentResolver,
  each,
  html,
  isEmptyDiff,
  LiveRenderer,
  LiveStream,
  liveComponent,
  raw,
  renderToString,
  type Template,
} from '../../src/live/index.ts'
import { OfficialClient } from './support/official-client.ts'

const literal = () => new LiveRenderer({ shareStatics: false })

/** Renders each template in turn; the client must always show what a full render shows. */
function replay(renderer: LiveRenderer, templates: Template[], resolve?: ComponentResolver) {
  const diffs = templates.map((t) => renderer.render(t))
  const client = new OfficialClient(diffs[0])
  const opts = resolve ? { resolveComponent: resolve } : {}
  assert.equal(client.html(), renderToString(templates[0] as Template, opts))
  for (let i = 1; i < templates.length; i++) {
    client.apply(diffs[i])
    assert.equal(client.html(), renderToString(templates[i] as Template, opts))
  }
  return diffs
}

describe('static and dynamic parts', () => {
  it('a template with no values is its statics only', () => {
    const r = literal()
    assert.deepEqual(r.render(html`<p>hello</p>`), { s: ['<p>hello</p>'] })
  })

  it('numbers each dynamic and escapes text', () => {
    const view = (n: number, who: string) => html`<div><span id="count">${n}</span>${who}</div>`
    const r = literal()
    assert.deepEqual(r.render(view(0, '<b>')), {
      0: '0',
      1: '&lt;b&gt;',
      s: ['<div><span id="count">', '</span>', '</div>'],
    })
    assert.deepEqual(r.render(view(1, '<b>')), { 0: '1' })
    assert.deepEqual(r.render(view(1, '<b>')), {})
  })

  it('puts the statics in a root "p" table by default, as LiveView 1.1+ does', () => {
    const r = new LiveRenderer()
    const row = (x: string) => html`<li>${x}</li>`
    const diff = r.render(html`<ul>${row('a')}${row('b')}</ul>`)
    assert.deepEqual(diff, {
      0: { 0: 'a', s: 1 },
      1: { 0: 'b', s: 1 },
      s: 0,
      p: { 0: ['<ul>', '', '</ul>'], 1: ['<li>', '</li>'] },
    })
    assert.equal(new OfficialClient(diff).html(), '<ul><li>a</li><li>b</li></ul>')
  })

  it('never resends statics: an unchanged nested template sends nothing, a changed one only its slot', () => {
    const view = (a: string, b: string) =>
      html`<main>${html`<h1>${a}</h1>`}${html`<h2>${b}</h2>`}</main>`
    const r = literal()
    r.render(view('x', 'y'))
    assert.deepEqual(r.render(view('x', 'y')), {})
    assert.deepEqual(r.render(view('x', 'z')), { 1: { 0: 'z' } })
  })

  it('sends a complete node with "s" when the template at a position changes', () => {
    const view = (on: boolean) => html`<div>${on ? html`<b>${'on'}</b>` : html`<i>off</i>`}</div>`
    const diffs = replay(literal(), [view(true), view(false), view(true)])
    assert.deepEqual(diffs[1], { 0: { s: ['<i>off</i>'] } })
    assert.deepEqual(diffs[2], { 0: { 0: 'on', s: ['<b>', '</b>'] } })
  })

  it('renders null, undefined and booleans as nothing', () => {
    const r = literal()
    const d = r.render(html`<p>${null}${undefined}${false}${true}${0}</p>`)
    assert.deepEqual(d, { 0: '', 1: '', 2: '', 3: '', 4: '0', s: ['<p>', '', '', '', '', '</p>'] })
  })

  it('skips a sub-tree whose Template object is the one rendered last time', () => {
    const memo = html`<aside>${'expensive'}</aside>`
    const view = (n: number) => html`<div>${memo}${n}</div>`
    const r = literal()
    r.render(view(1))
    assert.deepEqual(r.render(view(2)), { 1: '2' })
  })

  it('a changed root template is a complete render again', () => {
    const r = literal()
    r.render(html`<p>${1}</p>`)
    assert.deepEqual(r.render(html`<section>${2}</section>`), {
      0: '2',
      s: ['<section>', '</section>'],
    })
  })

  it('reset() makes the next render complete (a rejoin)', () => {
    const r = literal()
    const view = (n: number) => html`<p>${n}</p>`
    r.render(view(1))
    r.reset()
    assert.equal(r.isFresh, true)
    assert.deepEqual(r.render(view(1)), { 0: '1', s: ['<p>', '</p>'] })
  })
})

describe('attributes', () => {
  it('renders a whole dynamic attribute with its name, as HEEx does', () => {
    const view = (cls: unknown) => html`<div class=${cls}>x</div>`
    const r = literal()
    assert.deepEqual(r.render(view('a"b')), { 0: ' class="a&quot;b"', s: ['<div', '>x</div>'] })
    assert.deepEqual(r.render(view(null)), { 0: '' })
    assert.deepEqual(r.render(view(['btn', false, 'big'])), { 0: ' class="btn big"' })
  })

  it('renders boolean attributes bare or not at all', () => {
    const view = (on: boolean) => html`<input type="checkbox" checked=${on} />`
    assert.equal(renderToString(view(true)), '<input type="checkbox" checked />')
    assert.equal(renderToString(view(false)), '<input type="checkbox" />')
  })

  it('escapes parts of quoted values and spreads objects of attributes', () => {
    const t = html`<a href="/u/${'1"2'}" ${{ 'phx-click': 'go', hidden: true, title: null }}>x</a>`
    assert.equal(renderToString(t), '<a href="/u/1&quot;2" phx-click="go" hidden>x</a>')
  })
})

describe('comprehensions', () => {
  const ul = (items: readonly string[]) =>
    html`<ul>${each(
      items,
      (x) => x,
      (x) => html`<li>${x}</li>`,
    )}</ul>`

  it('renders a keyed list with "k" and "kc"', () => {
    const r = literal()
    assert.deepEqual(r.render(ul(['a', 'b', 'c'])), {
      0: { s: ['<li>', '</li>'], k: { 0: { 0: 'a' }, 1: { 0: 'b' }, 2: { 0: 'c' }, kc: 3 } },
      s: ['<ul>', '</ul>'],
    })
  })

  it('sends moves as old indexes with "km", new entries complete, and truncation by "kc"', () => {
    const diffs = replay(literal(), [
      ul(['a', 'b', 'c']),
      ul(['c', 'a', 'b']),
      ul(['c', 'a', 'b', 'd']),
      ul(['c', 'a']),
      ul(['c', 'a']),
      ul([]),
    ])
    assert.deepEqual(diffs[1], { 0: { k: { 0: 2, 1: 0, 2: 1, kc: 3, km: true } } })
    assert.deepEqual(diffs[2], { 0: { k: { 3: { 0: 'd' }, kc: 4 } } })
    assert.deepEqual(diffs[3], { 0: { k: { kc: 2 } } })
    assert.deepEqual(diffs[4], {})
    assert.deepEqual(diffs[5], { 0: { k: { kc: 0 } } })
  })

  it('sends a moved entry that also changed as [old, patch]', () => {
    const view = (rows: [string, number][]) =>
      html`<ol>${each(
        rows,
        ([id]) => id,
        ([id, n]) => html`<li id=${id}>${n}</li>`,
      )}</ol>`
    const diffs = replay(literal(), [
      view([
        ['a', 1],
        ['b', 2],
      ]),
      view([
        ['b', 3],
        ['a', 1],
      ]),
    ])
    assert.deepEqual(diffs[1], { 0: { k: { 0: [1, { 1: '3' }], 1: 0, kc: 2, km: true } } })
  })

  it('one changed row of 300 costs a few bytes', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, label: `row ${i}` }))
    const view = (list: typeof rows) =>
      html`<table>${each(
        list,
        (r) => r.id,
        (r) => html`<tr id="row-${r.id}"><td>${r.label}</td></tr>`,
      )}</table>`
    const r = new LiveRenderer()
    r.render(view(rows))
    const next = rows.map((row) => (row.id === 0 ? { ...row, label: 'bumped' } : row))
    const diff = r.render(view(next))
    assert.deepEqual(diff, { 0: { k: { 0: { 1: 'bumped' }, kc: 300 } } })
    assert.ok(JSON.stringify(diff).length < 60)
  })

  it('renders an empty list never rendered as "", then a complete comprehension', () => {
    const r = literal()
    assert.deepEqual(r.render(ul([])), { 0: '', s: ['<ul>', '</ul>'] })
    assert.deepEqual(r.render(ul(['a'])), {
      0: { s: ['<li>', '</li>'], k: { 0: { 0: 'a' }, kc: 1 } },
    })
  })

  it('wraps lists of mixed values, one dynamic per entry', () => {
    const view = (xs: unknown[]) => html`<p>${xs}</p>`
    const b = (n: number) => html`<b>${n}</b>`
    const diffs = replay(literal(), [view(['a', b(1)]), view(['a', b(2)])])
    assert.deepEqual(diffs[0], {
      0: { s: ['', ''], k: { 0: { 0: 'a' }, 1: { 0: { 0: '1', s: ['<b>', '</b>'] } }, kc: 2 } },
      s: ['<p>', '</p>'],
    })
    assert.deepEqual(diffs[1], { 0: { k: { 1: { 0: { 0: '2' } }, kc: 2 } } })
  })

  it('shares nested statics of every entry through "p"', () => {
    const view = (xs: string[]) =>
      html`<ul>${xs.map((x) => html`<li>${html`<i>${x}</i>`}</li>`)}</ul>`
    const diff = new LiveRenderer().render(view(['a', 'b']))
    assert.deepEqual(diff, {
      0: { s: 1, k: { 0: { 0: { 0: 'a', s: 2 } }, 1: { 0: { 0: 'b', s: 2 } }, kc: 2 } },
      s: 0,
      p: { 0: ['<ul>', '</ul>'], 1: ['<li>', '</li>'], 2: ['<i>', '</i>'] },
    })
    assert.equal(new OfficialClient(diff).html(), '<ul><li><i>a</i></li><li><i>b</i></li></ul>')
  })

  it('rejects duplicate keys', () => {
    assert.throws(() => literal().render(ul(['a', 'a'])), { code: 'CINDER_ERR_LIVE_DUPLICATE_KEY' })
  })
})

describe('title, events and replies', () => {
  it('sends "t" when the title changes, "e" events and the "r" reply at the top level', () => {
    const r = literal()
    const view = html`<p>hi</p>`
    assert.deepEqual(r.render(view, { title: 'Count 0' }), { s: ['<p>hi</p>'], t: 'Count 0' })
    assert.deepEqual(r.render(view, { title: 'Count 0' }), {})
    const d = r.render(view, {
      title: 'Count 1',
      events: [
        ['highlight', { id: 1 }],
        ['scroll', {}, true],
      ],
      reply: { pong: true },
    })
    assert.deepEqual(d, {
      t: 'Count 1',
      e: [
        ['highlight', { id: 1 }],
        ['scroll', {}, true],
      ],
      r: { pong: true },
    })
    const client = new OfficialClient({ s: ['<p>hi</p>'] })
    client.apply(d)
    assert.equal(client.title, 'Count 1')
    assert.deepEqual(client.reply, { pong: true })
    assert.equal(client.html(), '<p>hi</p>')
  })

  it('isEmptyDiff tells a {} reply from a {diff} one', () => {
    assert.equal(isEmptyDiff({}), true)
    assert.equal(isEmptyDiff({ 0: 'x' }), false)
  })
})

describe('live components', () => {
  const Counter = { name: 'Counter' }
  const card = (label: string, n: number) =>
    html`<div class="card"><span>${label}</span><b>${n}</b></div>`

  function host(state: Map<string | number, { label: string; n: number }>) {
    const cids = new Map<string | number, number>()
    const resolve: ComponentResolver = (call) => {
      const id = call.props.id
      let cid = cids.get(id)
      if (cid === undefined) {
        cid = cids.size + 1
        cids.set(id, cid)
      }
      const s = state.get(id) ?? { label: '?', n: 0 }
      return { cid, template: card(s.label, s.n) }
    }
    return resolve
  }

  it('places cids in slots and renders components in "c" with "r":1 and shared statics', () => {
    const state = new Map([
      ['a', { label: 'A', n: 0 }],
      ['b', { label: 'B', n: 0 }],
    ])
    const resolve = host(state)
    const r = new LiveRenderer({ resolveComponent: resolve, shareStatics: false })
    const view = () =>
      html`<main>${liveComponent(Counter, { id: 'a' })}${liveComponent(Counter, { id: 'b' })}</main>`
    const join = r.render(view())
    assert.deepEqual(join, {
      0: 1,
      1: 2,
      s: ['<main>', '', '</main>'],
      c: {
        1: { 0: 'A', 1: '0', s: ['<div class="card"><span>', '</span><b>', '</b></div>'], r: 1 },
        2: { 0: 'B', 1: '0', s: 1, r: 1 },
      },
    })
    const client = new OfficialClient(join)
    assert.equal(
      client.rawHtml(),
      '<main><div data-phx-id="c1-phx-test" data-phx-component="1" data-phx-view="phx-test" class="card"><span>A</span><b>0</b></div>' +
        '<div data-phx-id="c2-phx-test" data-phx-component="2" data-phx-view="phx-test" class="card"><span>B</span><b>0</b></div></main>',
    )
    // a component-only change is a patch in "c"; the parent is untouched
    state.set('b', { label: 'B', n: 1 })
    const d = r.render(view())
    assert.deepEqual(d, { c: { 2: { 1: '1' } } })
    client.apply(d)
    assert.equal(client.html(), renderToString(view(), { resolveComponent: resolve }))
    // send_update: a component-only diff
    assert.deepEqual(r.renderComponents([[1, card('A', 5)]]), { c: { 1: { 1: '5' } } })
  })

  it('shares statics with a component the client already has ("s": -cid)', () => {
    const state = new Map([['a', { label: 'A', n: 0 }]])
    const resolve = host(state)
    const r = new LiveRenderer({ resolveComponent: resolve })
    const view = (ids: string[]) =>
      html`<main>${ids.map((id) => liveComponent(Counter, { id }))}</main>`
    const diffs = replay(r, [view(['a']), view(['a', 'b'])], resolve)
    assert.deepEqual(diffs[1], {
      0: { k: { 1: { 0: 2 }, kc: 2 } },
      c: { 2: { 0: '?', 1: '0', s: -1, r: 1 } },
    })
  })

  it('re-sends a reset component complete', () => {
    const state = new Map([['a', { label: 'A', n: 0 }]])
    const r = new LiveRenderer({ resolveComponent: host(state), shareStatics: false })
    const view = () => html`<main>${liveComponent(Counter, { id: 'a' })}</main>`
    r.render(view())
    r.resetComponent(1)
    assert.deepEqual(r.render(view()), {
      c: {
        1: { 0: 'A', 1: '0', s: ['<div class="card"><span>', '</span><b>', '</b></div>'], r: 1 },
      },
    })
  })

  it('refuses a component that is not one root element', () => {
    const r = new LiveRenderer({
      resolveComponent: () => ({ cid: 1, template: html`<a></a><b></b>` }),
    })
    assert.throws(() => r.render(html`<p>${liveComponent(Counter, { id: 1 })}</p>`), {
      code: 'CINDER_ERR_LIVE_COMPONENT',
    })
  })
})

describe('streams', () => {
  it('sends inserts, deletes and resets with the "stream" annotation, entries not kept', () => {
    const msgs = new LiveStream<{ id: number; body: string }>('0', { domId: (m) => `msgs-${m.id}` })
    const view = () =>
      html`<ul id="msgs" phx-update="stream">${each(msgs, (m, id) => html`<li id=${id}>${m.body}</li>`)}</ul>`
    const r = literal()
    msgs.insertMany([
      { id: 1, body: 'hello' },
      { id: 2, body: 'world' },
    ])
    assert.deepEqual(r.render(view()), {
      0: {
        s: ['<li', '>', '</li>'],
        k: { 0: { 0: ' id="msgs-1"', 1: 'hello' }, 1: { 0: ' id="msgs-2"', 1: 'world' }, kc: 2 },
        stream: [
          '0',
          [
            ['msgs-1', -1, null, null],
            ['msgs-2', -1, null, null],
          ],
          [],
        ],
      },
      s: ['<ul id="msgs" phx-update="stream">', '</ul>'],
    })
    msgs.prune()
    assert.deepEqual(r.render(view()), {})
    msgs.insert({ id: 0, body: 'first' }, { at: 0 })
    assert.deepEqual(r.render(view()), {
      0: {
        k: { 0: { 0: ' id="msgs-0"', 1: 'first' }, kc: 1 },
        stream: ['0', [['msgs-0', 0, null, false]], []],
      },
    })
    msgs.prune()
    msgs.delete('msgs-2')
    assert.deepEqual(r.render(view()), { 0: { k: { kc: 0 }, stream: ['0', [], ['msgs-2']] } })
    msgs.prune()
    msgs.reset([{ id: 9, body: 'only' }])
    const d = r.render(view())
    assert.deepEqual(d, {
      0: {
        k: { 0: { 0: ' id="msgs-9"', 1: 'only' }, kc: 1 },
        stream: ['0', [['msgs-9', -1, null, null]], [], true],
      },
    })
  })

  it('hands the client its stream operations', () => {
    const s = new LiveStream<string>('1', { domId: (x) => `s-${x}` })
    s.insert('a', { limit: -50 })
    const r = literal()
    const client = new OfficialClient(
      r.render(
        html`<div id="s" phx-update="stream">${each(s, (x, id) => html`<p id=${id}>${x}</p>`)}</div>`,
      ),
    )
    assert.equal(client.html(), '<div id="s" phx-update="stream"><p id="s-a">a</p></div>')
    assert.deepEqual(client.streams, [['1', [['s-a', -1, -50, false]], []]])
  })
})

describe('raw HTML', () => {
  it('passes raw() through and escapes everything else, including forged lookalikes', () => {
    const forged = JSON.parse('{"strings":["<script>alert(1)</script>"],"values":[]}')
    assert.throws(() => renderToString(html`<p>${forged}</p>`), {
      code: 'CINDER_ERR_LIVE_BAD_VALUE',
    })
    const r = literal()
    assert.deepEqual(r.render(html`<p>${raw('<em>ok</em>')}${'<em>no</em>'}</p>`), {
      0: '<em>ok</em>',
      1: '&lt;em&gt;no&lt;/em&gt;',
      s: ['<p>', '', '</p>'],
    })
  })
})
