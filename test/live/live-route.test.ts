// The socket resolves a join's URL from the router alone: plain live routes
// and live_session routes, on a node that never rendered the page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  createLive,
  html,
  inject,
  type LiveLayout,
  type LiveView,
  liveSession,
  Router,
} from '../../src/extend.ts'
import { resolveLiveRoute } from '../../src/live/live-route.ts'

const About: LiveView = { name: 'About', render: () => html`<p>about</p>` }
const Show: LiveView = { name: 'Show', render: () => html`<p>show</p>` }
const Index: LiveView = { name: 'Index', render: () => html`<p>index</p>` }

test('plain and live_session routes resolve without a dead render, params and query merged', () => {
  const router = new Router()
  router.scope('/app', {}, (r) => {
    r.live('/about', About, { action: 'about' })
    liveSession(r, 'items', (live) => {
      live('/items', Index)
      live('/items/:id', Show, { action: 'show' })
    })
  })
  const about = resolveLiveRoute(router, new URL('http://x/app/about?tab=2'))
  assert.equal(about?.entry.view, About)
  assert.equal(about?.entry.liveSession, null)
  assert.equal(about?.entry.action, 'about')
  assert.deepEqual(about?.params, { tab: '2' })
  const show = resolveLiveRoute(router, new URL('http://x/app/items/7?id=ignored'))
  assert.equal(show?.entry.view, Show)
  assert.equal(show?.entry.liveSession, 'items')
  assert.deepEqual(show?.params, { id: '7' })
  assert.equal(resolveLiveRoute(router, new URL('http://x/app/items'))?.entry.view, Index)
  assert.equal(resolveLiveRoute(router, new URL('http://x/app/nope')), undefined)
  assert.equal(resolveLiveRoute(router, new URL('http://x/app/items/%E0%A4%A')), undefined)
})

test('routes added later are seen; the most specific route wins', () => {
  const router = new Router()
  router.live('/items/:id', Show)
  assert.equal(resolveLiveRoute(router, new URL('http://x/items/new'))?.entry.view, Show)
  router.live('/items/new', Index)
  assert.equal(resolveLiveRoute(router, new URL('http://x/items/new'))?.entry.view, Index)
  assert.equal(resolveLiveRoute(router, new URL('http://x/items/3'))?.entry.view, Show)
  assert.deepEqual(
    router.liveRoutes.map((r) => r.path),
    ['/items/:id', '/items/new'],
  )
})

test("a route's own root layout (metadata `layout`) replaces the configuration's", async () => {
  const live = createLive({ secretKeyBase: 'k'.repeat(64), signingSalt: 'layout-salt' })
  const own: LiveLayout = ({ inner }) => html`<!DOCTYPE html><main id="own">${inner}</main>`
  const router = new Router()
    .pipeline('browser', [live.plug])
    .scope('/', { pipeThrough: ['browser'] }, (r) => {
      r.live('/default', About)
      r.live('/own', Show, { metadata: { layout: own } })
    })
  const { text: mine } = await inject(router.plug, '/own')
  assert.match(mine, /^<!DOCTYPE html><main id="own"><div id="phx-[^"]+" data-phx-main/)
  assert.match(mine, /<p>show<\/p>/)
  const { text: theirs } = await inject(router.plug, '/default')
  assert.doesNotMatch(theirs, /id="own"/)
  assert.match(theirs, /<p>about<\/p>/)
})
