// Stateful live components in a LiveView process: state per instance, events
// by cid, update/sendUpdate, what goes on the wire, bad definitions.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { html, type LiveComponent, type LiveView, liveComponent } from '../../src/index.ts'
import { mountLive } from '../../src/testing/index.ts'
import { ComponentsLive } from '../support/live-fixtures/components.ts'

test('each instance keeps its own state; an event targeted at one renders only that one', async () => {
  const view = await mountLive(ComponentsLive, { route: '/lv/components' })
  assert.equal(view.text('#count-a'), '0')
  assert.equal(view.text('#count-b'), '0')
  await view.click('#like-b')
  await view.click('#like-b')
  await view.click('#like-a')
  assert.equal(view.text('#count-a'), '1')
  assert.equal(view.text('#count-b'), '2')
  assert.equal(view.text('#count-c'), '0')
  // The last click changed component a only: the diff has its cid in "c" and nothing else.
  const diff = view.lastDiff ?? {}
  assert.deepEqual(Object.keys(diff), ['c'])
  const cids = Object.keys(diff.c as object)
  assert.equal(cids.length, 1)
  const myself = view.find('#like-a')?.attributes['phx-target']
  assert.equal(cids[0], myself)
  await view.close()
})

test('a targeted form change reaches the component with the decoded value', async () => {
  const view = await mountLive(ComponentsLive, { route: '/lv/components' })
  await view.change('#note-form-c', { note: 'hello <c>' }, 'note')
  assert.equal(view.text('#note-c'), 'hello <c>')
  assert.equal(view.text('#note-a'), '')
  await view.close()
})

test('sendUpdate runs update with the props; parent re-renders keep component state', async () => {
  const view = await mountLive(ComponentsLive, { route: '/lv/components' })
  await view.click('#like-a')
  await view.click('#bonus')
  assert.equal(view.text('#count-a'), '11')
  // Removing b re-renders the parent; a and c keep their state and cids.
  const cidA = view.find('#like-a')?.attributes['phx-target']
  await view.click('#remove-b')
  assert.equal(view.has('#likes-b'), false)
  assert.equal(view.text('#count-a'), '11')
  assert.equal(view.find('#like-a')?.attributes['phx-target'], cidA)
  await view.close()
})

test('an event for a cid the view does not have is ignored, not a crash', async () => {
  const view = await mountLive(ComponentsLive, { route: '/lv/components' })
  const before = view.html()
  await view.pushEvent('click', 'like', { value: '' }, { cid: 999 })
  assert.equal(view.state, 'joined')
  assert.equal(view.html(), before)
  await view.click('#like-c')
  assert.equal(view.text('#count-c'), '1')
  await view.close()
})

test('the dead render includes every component, mounted disconnected', async () => {
  const seen: boolean[] = []
  const Probe: LiveComponent<{ text: string }> = {
    mount(socket) {
      seen.push(socket.connected)
      socket.assign('text', socket.connected ? 'live' : 'dead')
    },
    render: ({ text, id }) => html`<p id=${`probe-${id}`}>${text}</p>`,
  }
  const Page: LiveView = {
    render: () =>
      html`<main>${liveComponent(Probe, { id: 1 })}${liveComponent(Probe, { id: 2 })}</main>`,
  }
  const view = await mountLive(Page)
  assert.equal(view.text('#probe-1'), 'live')
  assert.equal(view.text('#probe-2'), 'live')
  // two mounts per instance: the dead render's (false), then the connected one's (true)
  assert.deepEqual(seen, [false, false, true, true])
  await view.close()
})

test('what a component pushes (events, flash) goes out with its view', async () => {
  const Pusher: LiveComponent = {
    handleEvent(_event, _value, socket) {
      socket.pushEvent('saved', { by: socket.assigns.id }).putFlash('info', 'Saved by component')
    },
    render: ({ myself }) =>
      html`<button id="save" phx-click="save" phx-target=${myself}>save</button>`,
  }
  const Page: LiveView = {
    render: ({ flash }) =>
      html`<div><p id="flash">${flash.info ?? ''}</p>${liveComponent(Pusher, { id: 'p' })}</div>`,
  }
  const view = await mountLive(Page)
  await view.click('#save')
  assert.deepEqual(view.events, [['saved', { by: 'p' }]])
  assert.equal(view.text('#flash'), 'Saved by component')
  await view.close()
})

test('an async mount, a component without render, and a targeted event with no handler fail clearly', async () => {
  const AsyncMount = {
    mount: async (socket: unknown) => socket,
    render: () => html`<p>never</p>`,
  } as unknown as LiveComponent
  const Page: LiveView = { render: () => html`<div>${liveComponent(AsyncMount, { id: 1 })}</div>` }
  await assert.rejects(
    mountLive(Page),
    /returned a promise: mount and update run inside the render/,
  )

  const NoRender = { name: 'NoRender' }
  const Bad: LiveView = { render: () => html`<div>${liveComponent(NoRender, { id: 1 })}</div>` }
  await assert.rejects(mountLive(Bad), /needs a component with render/)

  const Silent: LiveComponent = {
    name: 'Silent',
    render: ({ myself }) => html`<button id="b" phx-click="x" phx-target=${myself}>b</button>`,
  }
  const Host: LiveView = { render: () => html`<div>${liveComponent(Silent, { id: 's' })}</div>` }
  const view = await mountLive(Host)
  await assert.rejects(
    view.click('#b'),
    /Silent\(s\) received the event "x" but has no handleEvent/,
  )
  await view.close()
})
