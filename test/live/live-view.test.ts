import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  assign,
  html,
  LiveSocket,
  type LiveView,
  liveLink,
  noreply,
  renderToString,
  reply,
  usedInput,
} from '../../src/extend.ts'
import { decodeEvent } from '../../src/live/live-event.ts'
import { LiveTokens } from '../../src/live/live-session.ts'
import { kLive, settle } from '../../src/live/live-view.ts'

const View: LiveView<{ count: number; name: string }> = { render: () => html`` }

function socket() {
  return new LiveSocket({ id: 'phx-x', view: View, connected: true, uri: undefined })
}

test('assign tracks the keys whose value changed, whichever way it is called', () => {
  const s = socket()
  s[kLive].changed.clear()
  s.assign({ count: 1, name: 'a' })
  assert.deepEqual([...s[kLive].changed].sort(), ['count', 'name'])
  s[kLive].changed.clear()
  s.assign('count', 1).update('name', (n) => n)
  assert.equal(s.changed(), false, 'same values are not changes')
  assign(s, { count: 2 })
  assert.equal(s.changed('count'), true)
  assert.equal(s.changed('name'), false)
  s.assignNew('count', () => 99)
  assert.equal(s.assigns.count, 2)
})

test('flash, events and navigation are queued on the socket', () => {
  const s = socket()
  s.putFlash('info', 'hi').putFlash('error', 'no').clearFlash('error')
  assert.deepEqual(s.assigns.flash, { info: 'hi' })
  s.pushEvent('a', { x: 1 }).pushEvent('b', {}, { before: true })
  assert.deepEqual(s[kLive].events, [
    ['a', { x: 1 }],
    ['b', {}, true],
  ])
  s.pushPatch('/x?y=1', { replace: true })
  assert.deepEqual(s[kLive].navigation, { kind: 'patch', to: '/x?y=1', replace: true })
  assert.throws(() => s.pushNavigate('https://evil.example/'), { code: 'CINDER_ERR_LIVE_BAD_ARG' })
  s.redirect({ external: 'https://example.com/' })
  assert.deepEqual(s[kLive].navigation, {
    kind: 'redirect',
    to: 'https://example.com/',
    external: true,
  })
})

test('operations that need the process refuse to run in the dead render', () => {
  const s = new LiveSocket({ id: 'phx-x', view: View, connected: false, uri: undefined })
  assert.throws(() => s.sendSelf('tick'), { code: 'CINDER_ERR_LIVE_NOT_CONNECTED' })
  s.subscribe('topic') // a no-op when disconnected
})

test('settle accepts the documented results and explains the rest', () => {
  const s = socket()
  assert.equal(settle('x', undefined, s, true).reply, undefined)
  assert.equal(settle('x', s, s, true).reply, undefined)
  assert.equal(settle('x', noreply(s), s, true).reply, undefined)
  assert.deepEqual(settle('x', reply({ ok: 1 }, s), s, true).reply, { ok: 1 })
  assert.throws(() => settle('View.mount', reply({}, s), s, false), /View.mount must return/)
  assert.throws(() => settle('View.mount', { ok: true }, s, false), {
    code: 'CINDER_ERR_BAD_RETURN',
  })
})

test('tokens verify, reject tampering and expire', () => {
  let now = 1_700_000_000_000
  const tokens = new LiveTokens(
    () => 'k'.repeat(64),
    'salt-1234',
    () => now,
  )
  const claims = { id: 'phx-a', view: 'V', route: '/v', liveSession: 's', session: { user: 1 } }
  const token = tokens.signSession(claims)
  assert.deepEqual(tokens.verifySession(token), claims)
  assert.equal(tokens.verifySession(`${token}x`), undefined)
  assert.equal(tokens.verifySession(tokens.signStatic({ id: 'phx-a', flash: {} })), undefined)
  assert.equal(new LiveTokens(() => 'j'.repeat(64), 'salt-1234').verifySession(token), undefined)
  const flash = tokens.signFlash({ info: 'x' })
  now += 61_000
  assert.deepEqual(tokens.verifyFlash(flash), {})
  now += 1_209_600_000
  assert.equal(tokens.verifySession(token), undefined)
})

test('form events decode the Plug way with meta and a _target path', () => {
  const event = decodeEvent(
    {
      type: 'form',
      event: 'validate',
      value:
        'user%5Bname%5D=Jo&user%5B_unused_email%5D=&user%5Bemail%5D=&tags%5B%5D=a&tags%5B%5D=b',
      meta: { _target: 'user[name]', extra: 'x' },
      uploads: {},
    },
    1000,
  )
  assert.deepEqual(event.value, {
    user: { name: 'Jo', _unused_email: '', email: '' },
    tags: ['a', 'b'],
    _target: ['user', 'name'],
    extra: 'x',
  })
  assert.equal(usedInput(event.value.user, 'name'), true)
  assert.equal(usedInput(event.value.user, 'email'), false)
  assert.deepEqual(decodeEvent({ type: 'hook', event: 'h', value: [1, 2] }, 10).value, {
    value: [1, 2],
  })
  assert.deepEqual(decodeEvent({ type: 'click', event: 'c', value: { v: '1' }, cid: 3 }, 10).cid, 3)
  assert.throws(() => decodeEvent({ type: 'form', event: 'v', value: 'a=12345' }, 3), {
    code: 'CINDER_ERR_LIVE_BAD_EVENT',
  })
  assert.throws(() => decodeEvent({ event: '' }, 3), { code: 'CINDER_ERR_LIVE_BAD_EVENT' })
})

test('liveLink renders the attributes the client intercepts', () => {
  assert.equal(
    renderToString(liveLink({ patch: '/a?x=1&y=2', id: 'n' }, 'next')),
    '<a href="/a?x=1&amp;y=2" id="n" data-phx-link="patch" data-phx-link-state="push">next</a>',
  )
  assert.equal(
    renderToString(liveLink({ navigate: '/b', replace: true }, 'b')),
    '<a href="/b" data-phx-link="redirect" data-phx-link-state="replace">b</a>',
  )
  assert.equal(renderToString(liveLink({ href: '/c' }, 'c')), '<a href="/c">c</a>')
})
