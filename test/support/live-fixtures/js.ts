/**
 * `/lv/js`: JS commands run by the official client.
 *
 * - `#modal` starts hidden; `#open` shows it, `#close` hides it,
 *   `#toggle` toggles `#panel`.
 * - `#box`: `#add-class` / `#remove-class` (`big`), `#toggle-class` (`on`),
 *   `#set-attr` / `#remove-attr` (`aria-expanded="true"`), `#toggle-attr`
 *   (`data-state` open ↔ closed), `#transition` (`flash` for 300 ms),
 *   `#exec` runs the box's own `data-grow` (adds `grown`), `#dispatch`
 *   dispatches `cinder:ping` on it with `{n: 1}`.
 * - `#push-hide`: pushes `inc` with `{step: 5}` and hides `#modal`; `#count`.
 * - `#patch` patches to `?tab=2` (`#tab`); `#navigate` goes to `/lv/counter`.
 * - `#focus` focuses `#field`; `#focus-first` the first input of `#fields`;
 *   `#push-focus` remembers `#field2`, `#pop-focus` focuses it back.
 * - `#details` keeps its `open` across server patches (ignoreAttributes).
 */
import { html, JS, type LiveView } from '../../../src/extend.ts'

type Assigns = { count: number; tab: string; pageTitle: string }

export const JsLive: LiveView<Assigns> = {
  name: 'JsLive',
  mount(_params, _session, socket) {
    socket.assign({ count: 0, tab: '1', pageTitle: 'JS' })
  },
  handleParams(params, _uri, socket) {
    socket.assign({ tab: String(params.tab ?? '1') })
  },
  handleEvent(event, value, socket) {
    if (event !== 'inc') throw new Error(`JsLive has no event ${event}`)
    socket.update('count', (n) => n + Number(value.step ?? 1))
  },
  render: ({ count, tab }) => html`<div id="js">
  <div id="modal" style="display: none">modal</div>
  <button id="open" phx-click=${JS.show({ to: '#modal' })}>open</button>
  <button id="close" phx-click=${JS.hide({ to: '#modal' })}>close</button>
  <div id="panel">panel</div>
  <button id="toggle" phx-click=${JS.toggle({ to: '#panel' })}>toggle</button>
  <div id="box" data-grow=${JS.addClass('grown')}>box</div>
  <button id="add-class" phx-click=${JS.addClass('big', { to: '#box' })}>add</button>
  <button id="remove-class" phx-click=${JS.removeClass('big', { to: '#box' })}>remove</button>
  <button id="toggle-class" phx-click=${JS.toggleClass('on', { to: '#box' })}>toggle class</button>
  <button id="set-attr" phx-click=${JS.setAttribute('aria-expanded', 'true', { to: '#box' })}>set</button>
  <button id="remove-attr" phx-click=${JS.removeAttribute('aria-expanded', { to: '#box' })}>unset</button>
  <button id="toggle-attr" phx-click=${JS.toggleAttribute('data-state', 'open', 'closed', { to: '#box' })}>toggle attr</button>
  <button id="transition" phx-click=${JS.transition('flash', { to: '#box', time: 300 })}>transition</button>
  <button id="exec" phx-click=${JS.exec('data-grow', { to: '#box' })}>exec</button>
  <button id="dispatch" phx-click=${JS.dispatch('cinder:ping', { to: '#box', detail: { n: 1 } })}>dispatch</button>
  <span id="count">${count}</span>
  <button id="push-hide" phx-click=${JS.push('inc', { value: { step: 5 } }).hide({ to: '#modal' })}>push</button>
  <span id="tab">${tab}</span>
  <button id="patch" phx-click=${JS.patch('/lv/js?tab=2')}>patch</button>
  <button id="navigate" phx-click=${JS.navigate('/lv/counter')}>navigate</button>
  <input id="field" name="field">
  <div id="fields"><span>x</span><input id="first" name="first"><input id="second" name="second"></div>
  <input id="field2" name="field2">
  <button id="focus" phx-click=${JS.focus({ to: '#field' })}>focus</button>
  <button id="focus-first" phx-click=${JS.focusFirst({ to: '#fields' })}>focus first</button>
  <button id="push-focus" phx-click=${JS.pushFocus({ to: '#field2' })}>push focus</button>
  <button id="pop-focus" phx-click=${JS.popFocus()}>pop focus</button>
  <details id="details" phx-mounted=${JS.ignoreAttributes('open')}><summary id="summary">more</summary>${count}</details>
</div>`,
}
