/**
 * Test helpers shipped as `cinder/testing` (Phoenix.LiveViewTest's role):
 * mount a LiveView in process (`mountLive`) or over a real connection to a
 * running server (`connectLive`), then render, click, change, submit and
 * assert on the HTML, without a browser.
 */

/** Time by hand: `setClock(new TestClock())`, then `clock.advance(ms)` (docs/processes.md). */
export { setClock, TestClock } from '../process/index.ts'
export { type ConnectOptions, connectLive } from './connect-live.ts'
export { type FoundElement, find, findAll } from './html-query.ts'
export {
  type LiveTransport,
  LiveViewTest,
  type PushReply,
  type Redirected,
} from './live-view-test.ts'
export { type MountOptions, mountLive } from './mount-live.ts'
export { RenderedModel } from './rendered-model.ts'
