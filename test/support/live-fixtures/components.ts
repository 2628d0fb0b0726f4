/**
 * `/lv/components`: stateful live components. Three `LikesComponent`s
 * (`#likes-a`, `#likes-b`, `#likes-c`), each with its own count (`#count-<id>`)
 * and a `#like-<id>` button targeted at itself (`phx-target={myself}`), and a
 * note form (`#note-form-<id>`, `phx-change` targeted at itself) echoed in
 * `#note-<id>`. The view around them: `#renders` counts the view's renders,
 * `#remove-<id>` takes a component off the page (the client then sends
 * `cids_destroyed`), `#restore` puts every one back, `#bonus` adds 10 to
 * `a` through `sendUpdate`, and `#like-b-from-parent` targets `#likes-b` by
 * selector, which the client resolves to b's cid.
 */
import { html, type LiveComponent, type LiveView, liveComponent } from '../../../src/index.ts'

type LikesAssigns = { likes: number; note: string; label: string }

export const LikesComponent: LiveComponent<LikesAssigns> = {
  name: 'LikesComponent',
  mount(socket) {
    socket.assign({ likes: 0, note: '' })
  },
  update(props, socket) {
    if (typeof props.label === 'string') socket.assign('label', props.label)
    if (typeof props.bonus === 'number') socket.update('likes', (n) => n + Number(props.bonus))
  },
  handleEvent(event, value, socket) {
    if (event === 'like') socket.update('likes', (n) => n + 1)
    else if (event === 'note') socket.assign('note', String(value.note ?? ''))
    else throw new Error(`LikesComponent has no event ${event}`)
  },
  render: ({ id, myself, likes, note, label }) => html`<div id=${`likes-${id}`} class="likes">
  <span class="label">${label}</span>
  <span id=${`count-${id}`}>${likes}</span>
  <button id=${`like-${id}`} phx-click="like" phx-target=${myself}>like</button>
  <form id=${`note-form-${id}`} phx-change="note" phx-target=${myself}>
    <input name="note" value=${note} />
  </form>
  <span id=${`note-${id}`}>${note}</span>
</div>`,
}

type Assigns = { ids: string[]; pageTitle: string }

const ALL = ['a', 'b', 'c']

export const ComponentsLive: LiveView<Assigns> = {
  name: 'ComponentsLive',
  mount(_params, _session, socket) {
    socket.assign({ ids: ALL, pageTitle: 'Components' })
  },
  handleEvent(event, value, socket) {
    switch (event) {
      case 'remove':
        socket.update('ids', (ids) => ids.filter((id) => id !== value.id))
        return
      case 'restore':
        socket.assign('ids', ALL)
        return
      case 'bonus':
        socket.sendUpdate(LikesComponent, 'a', { bonus: 10 })
        return
      default:
        throw new Error(`ComponentsLive has no event ${event}`)
    }
  },
  render: ({ ids }) => html`<div id="components">
  ${ids.map((id) => liveComponent(LikesComponent, { id, label: `Item ${id.toUpperCase()}` }))}
  ${ids.map((id) => html`<button id=${`remove-${id}`} phx-click="remove" phx-value-id=${id}>remove ${id}</button>`)}
  <button id="restore" phx-click="restore">restore</button>
  <button id="bonus" phx-click="bonus">bonus</button>
  <button id="like-b-from-parent" phx-click="like" phx-target="#likes-b">like b</button>
</div>`,
}
