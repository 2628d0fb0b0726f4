/**
 * The live channel: the `lv:*` topics of the `/live` socket. Each join is a
 * LiveView's process, so a view's callbacks run one at a time and a crash
 * stops that view alone (`phx_error`; the client shows `phx-error` and
 * joins again, which mounts afresh).
 *
 * How this works (protocol notes §2, §4, §5), one file each under
 * live-channel/:
 * - join.ts: verify the tokens, route, mount, `handleParams`, reply
 *   `{rendered, liveview_version}`; nested-join.ts for `liveRender`'s views.
 * - events.ts: `event`, `live_patch`, uploads (allow-upload.ts), component
 *   cleanup; info.ts: messages (`sendSelf`, timers, PubSub) to `handleInfo`.
 * - outcome.ts: after each callback, `pushPatch` pushes `live_patch` before
 *   the reply (params.ts runs `handleParams`); leave.ts: `pushNavigate` and
 *   `redirect` reply (or push) `live_redirect` / `redirect` and stop the view
 *   (`phx_close`), and what a view releases when its channel stops.
 * - runtime.ts: what the callbacks share (config, router, mounted views);
 *   live-process.ts: one mounted view.
 */
import type { Channel } from '../channel/channel.ts'
import type { Params } from '../http/query.ts'
import type { Router } from '../http/router/router.ts'
import { handleIn } from './live-channel/events.ts'
import { handleInfo } from './live-channel/info.ts'
import { join } from './live-channel/join.ts'
import { terminate } from './live-channel/leave.ts'
import { LiveRuntime } from './live-channel/runtime.ts'
import type { LiveConfig } from './live-config.ts'

export { STALE_CONNECTION } from './live-channel/join.ts'
export { LIVEVIEW_VERSION } from './live-channel/mount.ts'

/** Builds the `lv:*` channel for one configuration and router. */
export function liveChannel(config: LiveConfig, router: Router): Channel<Record<string, unknown>> {
  const rt = new LiveRuntime(config, router)
  return {
    name: 'LiveChannel',
    join: (topic, params, socket) => join(rt, topic, params, socket),
    handleIn: (event, payload, socket) => handleIn(rt, event, payload, socket),
    handleInfo: (message, socket) => handleInfo(rt, message, socket),
    terminate: (reason, socket) => terminate(rt, reason, socket),
  }
}

export type { Params }
