// onMount hooks (of a live_session and of a view) and attachHook, in a mounted view.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { html, type LiveView, type OnMount, reply } from '../../src/extend.ts'
import { mountLive } from '../../src/testing/index.ts'

type Assigns = { user: string; greeting: string; count: number; seen: string[] }

const assignUser: OnMount = (_params, session, socket) => {
  socket.assign({ user: String(session.user ?? 'nobody') })
}

const Greeter: LiveView<Assigns> = {
  name: 'Greeter',
  onMount: [
    (_params, _session, socket) => {
      // the session's hook ran first: the user is there
      socket.assign({ greeting: `hello ${socket.assigns.user}` })
    },
  ],
  mount(_params, session, socket) {
    socket.assign({ count: 0, seen: [], greeting: `${socket.assigns.greeting} (${session.team})` })
    if (!socket.connected) return
    socket.attachHook('audit', 'handleEvent', (event, _value, s) => {
      s.update('seen', (list) => [...list, event])
      if (event === 'blocked') return 'halt'
      if (event === 'ask') return reply({ answered: 'by the hook' }, s)
      return 'cont'
    })
    socket.attachHook('info', 'handleInfo', (message, s) => {
      if (message === 'hooked') {
        s.update('count', (n) => n + 100)
        return 'halt'
      }
      return 'cont'
    })
  },
  handleEvent(event, _value, socket) {
    if (event === 'inc') socket.update('count', (n) => n + 1)
    if (event === 'blocked') throw new Error('the hook halts before the view sees this')
    if (event === 'detach') socket.detachHook('audit', 'handleEvent')
    if (event === 'self') socket.sendSelf('hooked')
  },
  handleInfo() {
    throw new Error('the hook halts before the view sees this')
  },
  render: ({ user, greeting, count, seen }) => html`<p id="user">${user}</p>
<p id="greeting">${greeting}</p><p id="count">${count}</p><p id="seen">${seen.join(',')}</p>
<button id="inc" phx-click="inc">+</button><button id="blocked" phx-click="blocked">x</button>
<button id="detach" phx-click="detach">d</button><button id="self" phx-click="self">s</button>`,
}

const liveSession = { onMount: [assignUser], session: { team: 'core' } }

test("the live_session's onMount hooks, then the view's, run before mount, with its session", async () => {
  const view = await mountLive(Greeter, { session: { user: 'ann' }, liveSession })
  assert.equal(view.text('#user'), 'ann')
  assert.equal(view.text('#greeting'), 'hello ann (core)')
  await view.close()
})

test('attachHook sees events first, halts them, replies; detachHook removes it', async () => {
  const view = await mountLive(Greeter, { liveSession })
  await view.click('#inc')
  await view.click('#blocked')
  assert.equal(view.text('#count'), '1')
  assert.equal(view.text('#seen'), 'inc,blocked')
  assert.deepEqual(await view.hook('ask', {}), { answered: 'by the hook' })
  await view.click('#detach')
  await view.click('#inc')
  assert.equal(view.text('#seen'), 'inc,blocked,ask,detach')
  await view.click('#self')
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(view.text('#count'), '102', 'the handleInfo hook halted the message')
  assert.equal(view.state, 'joined')
  await view.close()
})

test('an onMount hook that halts redirects the dead render, and refuses the join', async () => {
  const deny: OnMount = (_params, session, socket) => {
    if (session.user !== 'admin') {
      socket.putFlash('error', 'admins only')
      socket.redirect('/login')
      return 'halt'
    }
    return 'cont'
  }
  await assert.rejects(mountLive(Greeter, { liveSession: { onMount: [deny] } }), /answered 302/)
  const late: OnMount = (_params, _session, socket) => {
    if (!socket.connected) return
    socket.pushNavigate('/elsewhere')
    return 'halt'
  }
  await assert.rejects(
    mountLive(Greeter, { liveSession: { onMount: [late] } }),
    /refused: \{"live_redirect":\{"to":"\/elsewhere","kind":"push"/,
  )
})

test('a hook that halts without saying where to go is an error; a bad stage is refused', async () => {
  const halt: OnMount = () => 'halt'
  await assert.rejects(
    mountLive(Greeter, { liveSession: { onMount: [halt] } }),
    /halted without redirect/,
  )
  const Bad: LiveView = {
    mount(_params, _session, socket) {
      socket.attachHook('x', 'handleNothing' as 'handleEvent', () => {})
    },
    render: () => html`<p></p>`,
  }
  await assert.rejects(mountLive(Bad), /attachHook\(name, stage, fn\)/)
})
