/**
 * The central property: for any sequence of template trees, applying each diff
 * the renderer produces to the official client's cache (its `Rendered` class,
 * loaded from npm phoenix_live_view) yields exactly the HTML of a fresh full
 * render of that tree. With and without shared statics ("p").
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  type ComponentResolver,
  each,
  html,
  LiveRenderer,
  liveComponent,
  raw,
  renderToString,
  type Template,
} from '../../src/live/index.ts'
import { OfficialClient } from './support/official-client.ts'

type Model =
  | { t: 'text'; v: string }
  | { t: 'num'; v: number }
  | { t: 'raw'; v: string }
  | { t: 'box'; cls: string | null | boolean; title: string; kids: [Model, Model] }
  | { t: 'alt'; on: boolean; kid: Model }
  | { t: 'list'; items: { key: number; kid: Model }[] }
  | { t: 'plain'; items: Model[] }
  | { t: 'comp'; kid: Model }

const text = fc.string({ unit: fc.constantFrom('a', 'b', '<', '&', '"', "'", ' '), maxLength: 3 })

const { model } = fc.letrec<{ model: Model }>((tie) => ({
  model: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('text' as const), v: text }),
    fc.record({ t: fc.constant('num' as const), v: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant('raw' as const), v: fc.constantFrom('<em>x</em>', '', '&amp;') }),
    fc.record({
      t: fc.constant('box' as const),
      cls: fc.oneof(fc.constant(null), fc.boolean(), text),
      title: text,
      kids: fc.tuple(tie('model'), tie('model')),
    }),
    fc.record({ t: fc.constant('alt' as const), on: fc.boolean(), kid: tie('model') }),
    fc.record({
      t: fc.constant('list' as const),
      items: fc.uniqueArray(fc.record({ key: fc.integer({ min: 0, max: 5 }), kid: tie('model') }), {
        selector: (x) => x.key,
        maxLength: 4,
      }),
    }),
    fc.record({
      t: fc.constant('plain' as const),
      items: fc.array(tie('model'), { maxLength: 3 }),
    }),
    fc.record({ t: fc.constant('comp' as const), kid: tie('model') }),
  ),
}))

const Comp = { name: 'Comp' }
const compBody = (kid: unknown) => html`<section class="comp">${kid}</section>`
const box = (cls: unknown, title: string, a: unknown, b: unknown) =>
  html`<div class=${cls} title="t-${title}">${a}<hr>${b}</div>`
const on = (kid: unknown) => html`<b>${kid}</b>`
const off = (kid: unknown) => html`<i>${kid}</i>`
const li = (key: number, kid: unknown) => html`<li id=${`k${key}`}>${kid}</li>`
const page = (a: unknown) => html`<main>${a}</main>`

/** Builds the template tree; components get ids in pre-order, bodies go to `bodies`. */
function build(m: Model, bodies: Map<string, Template>, counter: { n: number }): unknown {
  switch (m.t) {
    case 'text':
    case 'num':
      return m.v
    case 'raw':
      return raw(m.v)
    case 'box':
      return box(
        m.cls,
        m.title,
        build(m.kids[0], bodies, counter),
        build(m.kids[1], bodies, counter),
      )
    case 'alt':
      return (m.on ? on : off)(build(m.kid, bodies, counter))
    case 'list':
      return each(
        m.items.map((item) => ({ key: item.key, kid: build(item.kid, bodies, counter) })),
        (item) => item.key,
        (item) => li(item.key, item.kid),
      )
    case 'plain':
      return m.items.map((item) => build(item, bodies, counter))
    case 'comp': {
      const id = `c${counter.n++}`
      bodies.set(id, compBody(build(m.kid, bodies, counter)))
      return liveComponent(Comp, { id })
    }
  }
}

function run(models: Model[], shareStatics: boolean): void {
  const cids = new Map<string, number>()
  let bodies = new Map<string, Template>()
  const resolveComponent: ComponentResolver = (call) => {
    const id = String(call.props.id)
    let cid = cids.get(id)
    if (cid === undefined) {
      cid = cids.size + 1
      cids.set(id, cid)
    }
    const template = bodies.get(id)
    assert.ok(template)
    return { cid, template }
  }
  const renderer = new LiveRenderer({ resolveComponent, shareStatics })
  let client: OfficialClient | undefined
  for (const m of models) {
    bodies = new Map()
    const view = page(build(m, bodies, { n: 0 }))
    const diff = renderer.render(view)
    if (client === undefined) client = new OfficialClient(diff)
    else client.apply(diff)
    assert.equal(client.html(), renderToString(view, { resolveComponent }))
  }
}

describe('diffs applied by the official client reproduce a full render', () => {
  for (const shareStatics of [true, false]) {
    it(`for random template trees (shareStatics: ${shareStatics})`, () => {
      fc.assert(
        fc.property(fc.array(model, { minLength: 1, maxLength: 6 }), (models) =>
          run(models, shareStatics),
        ),
        { numRuns: 300 },
      )
    })
  }

  it('for small edits of one tree (the common case: most of the page stays)', () => {
    // one shape, values change: exercises patches (no "s") rather than replacements
    const shape = (xs: { key: number; n: number; on: boolean }[], title: string) =>
      page(
        box(
          title.length > 1,
          title,
          each(
            xs,
            (x) => x.key,
            (x) => li(x.key, (x.on ? on : off)(x.n)),
          ),
          title,
        ),
      )
    const row = fc.record({
      key: fc.integer({ min: 0, max: 8 }),
      n: fc.integer({ min: 0, max: 2 }),
      on: fc.boolean(),
    })
    const state = fc.record({
      xs: fc.uniqueArray(row, { selector: (x) => x.key, maxLength: 6 }),
      title: text,
    })
    fc.assert(
      fc.property(fc.array(state, { minLength: 2, maxLength: 8 }), (states) => {
        const renderer = new LiveRenderer()
        let client: OfficialClient | undefined
        for (const { xs, title } of states) {
          const view = shape(xs, title)
          const diff = renderer.render(view)
          if (client === undefined) client = new OfficialClient(diff)
          else {
            assert.equal('s' in diff, false, 'the root statics are never resent')
            client.apply(diff)
          }
          assert.equal(client.html(), renderToString(view))
        }
      }),
      { numRuns: 300 },
    )
  })
})
