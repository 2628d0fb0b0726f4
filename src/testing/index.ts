/**
 * Test helpers shipped as `cinder/testing` (Phoenix.LiveViewTest's and
 * Phoenix.ChannelTest's roles): mount a LiveView in process (`mountLive`)
 * or over a real connection to a running server (`connectLive`), then
 * render, click, change, submit, upload and assert on the HTML, without a
 * browser; join a channel in process (`joinChannel`) and assert on its
 * replies, pushes and broadcasts.
 */

/** Time by hand: `setClock(new TestClock())`, then `clock.advance(ms)` (docs/processes.md). */
export { setClock, TestClock } from '../process/index.ts'
export {
  ChannelTest,
  type JoinChannelOptions,
  joinChannel,
  type PayloadMatch,
} from './channel-test.ts'
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
