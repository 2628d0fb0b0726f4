import assert from 'node:assert/strict'
import { test } from 'node:test'
import { html, type LiveView, startPubSub } from '../../src/index.ts'
import { mountLive } from '../../src/testing/index.ts'
import { ChatLive } from '../support/live-fixtures/chat.ts'
import { CounterLive } from '../support/live-fixtures/counter.ts'
import { FormLive } from '../support/live-fixtures/form.ts'
import { ListLive } from '../support/live-fixtures/list.ts'
import { NavLive } from '../support/live-fixtures/nav.ts'

test("mountLive renders the view, and click sends the element's phx-click with its values", async () => {
  const view = await mountLive(CounterLive, { route: '/lv/counter' })
  assert.equal(view.text('#count'), '0')
  await view.click('#inc')
  await view.click('#inc')
  assert.equal(view.text('#count'), '2')
  await view.click('#dec')
  assert.equal(view.text('#count'), '1')
  assert.equal(view.state, 'joined')
  await view.close()
})

test('hook replies and pushed events come back', async () => {
  const view = await mountLive(CounterLive)
  assert.deepEqual(await view.hook('ping', { at: 'test' }), { pong: 0, at: 'test' })
  await view.click('#highlight-btn')
  assert.deepEqual(view.events, [['highlight', { count: 0 }]])
  await view.close()
})

test('a crash rejects the push and marks the view crashed', async () => {
  const view = await mountLive(CounterLive)
  await assert.rejects(view.click('#crash'), /crash requested/)
  assert.equal(view.state, 'crashed')
  await assert.rejects(view.click('#inc'), /stopped/)
  await view.close()
})

test('change and submit decode the form the Plug way, with _target and _unused_', async () => {
  const view = await mountLive(FormLive)
  await view.change('#user-form', { user: { name: '', _unused_name: '' } }, 'user[name]')
  assert.equal(view.has('#name-error'), false, 'no error for an unused field')
  await view.change('#user-form', { user: { name: 'Jo' } }, 'user[name]')
  assert.equal(view.text('#name-error'), 'must be at least 3 characters')
  await view.change('#user-form', { user: { name: 'Joe' } }, 'user[name]')
  assert.equal(view.has('#name-error'), false)
  await view.submit('#user-form', { user: { name: 'Joe' } })
  assert.equal(view.text('#saved'), 'Joe')
  assert.equal(view.find('input[name="user[name]"]')?.attributes.value, 'Joe')
  await view.close()
})

test('patches run handleParams and keep the mount; server patches are reported', async () => {
  const view = await mountLive(NavLive, { route: '/lv/nav', path: '/lv/nav?page=3' })
  assert.equal(view.text('#page'), '3')
  assert.equal(view.title, 'Page 3')
  const mount = view.text('#mount-id')
  await view.patch('/lv/nav?page=4')
  assert.equal(view.text('#page'), '4')
  assert.equal(view.title, 'Page 4')
  assert.equal(view.text('#mount-id'), mount)
  await view.click('#server-patch')
  assert.deepEqual(view.redirected, { kind: 'live_patch', to: '/lv/nav?page=7' })
  assert.equal(view.text('#page'), '7')
  await view.click('#push-navigate')
  assert.equal(view.redirected?.kind, 'live_redirect')
  assert.equal(view.redirected?.to, '/lv/counter')
  assert.equal(typeof view.redirected?.flash, 'string')
  assert.equal(view.state, 'closed')
  await view.close()
})

test('streams: two chat views share messages through one PubSub', async () => {
  const pubsub = await startPubSub({ name: 'mount-live-chat' })
  const a = await mountLive(ChatLive, { pubsub })
  const b = await mountLive(ChatLive, { pubsub })
  const before = a.findAll('li').length
  await a.submit('#chat-form', { body: 'hello there' })
  await waitFor(() => b.findAll('li').some((li) => li.text === 'hello there'))
  await waitFor(() => a.findAll('li').some((li) => li.text === 'hello there'))
  assert.equal(a.findAll('li').length, before + 1)
  assert.equal(a.find('#chat-body')?.attributes.value, '')
  await a.close()
  await b.close()
  await pubsub.stop()
})

test('a keyed list sends one entry when one row changes', async () => {
  const view = await mountLive(ListLive, { path: '/?n=50' })
  assert.equal(view.findAll('li').length, 50)
  await view.click('#bump')
  assert.equal(view.text('#row-0'), 'Row 0 · 1')
  assert.equal(view.text('#row-1'), 'Row 1 · 0')
  await view.close()
})

test('mount receives the HTTP session; events with no handler crash the view', async () => {
  const Whoami: LiveView<{ user: string }> = {
    name: 'Whoami',
    mount(_params, session, socket) {
      socket.assign({ user: String(session.user) })
    },
    render: ({ user }) => html`<p id="user">${user}</p><button id="go" phx-click="go">go</button>`,
  }
  const view = await mountLive(Whoami, { session: { user: 'ada' } })
  assert.equal(view.text('#user'), 'ada')
  await assert.rejects(view.click('#go'), /has no handleEvent/)
  await view.close()
})

async function waitFor(check: () => boolean, timeout = 2000): Promise<void> {
  const until = Date.now() + timeout
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
