/**
 * `handleParams` and `pushPatch`: a view runs `handleParams` on the URL it
 * is mounted or patched at, and a `pushPatch` from there runs it again on
 * the new URL, which the same view must serve.
 */
import { CinderError, describe } from '../../errors.ts'
import { liveHandleParams } from '../../telemetry/index.ts'
import { hooksOf, runHooks } from '../hooks.ts'
import type { ResolvedRoute } from '../live-route.ts'
import { type Navigation, settle } from '../live-view.ts'
import type { LiveProcess } from './live-process.ts'
import type { LiveRuntime } from './runtime.ts'

/** How many `pushPatch` in a row one callback chain may make before it is a loop. */
const MAX_PATCHES = 20

/** The last `pushPatch` followed, and the navigation to another view asked for, if any. */
export interface ParamsResult {
  readonly patch: Navigation | undefined
  readonly other: Navigation | undefined
}

/** Runs `handleParams` (when routed), then follows `pushPatch`es; returns the last patch. */
export async function runParams(
  rt: LiveRuntime,
  proc: LiveProcess,
  route: ResolvedRoute,
): Promise<ParamsResult> {
  let current = route
  let patch: Navigation | undefined
  for (let i = 0; i <= MAX_PATCHES; i++) {
    proc.socket.uri = current.uri.href
    const { handleParams } = proc.view
    const hooks = hooksOf(proc.socket, 'handleParams')
    const args = [current.params, current.uri.href]
    const halted =
      hooks !== undefined && (await runHooks(hooks, 'handleParams', proc.socket, args)).halted
    if (handleParams !== undefined && !halted) {
      const { params, uri } = current
      const run = () => handleParams.call(proc.view, params, uri.href, proc.socket)
      const result = liveHandleParams.hasSubscribers
        ? liveHandleParams.trace(
            { view: proc.name, params, uri: uri.href, id: proc.socket.id },
            async () => await run(),
          )
        : run()
      settle(`${proc.name}.handleParams`, await result, proc.socket, false)
    }
    const next = proc.takeNavigation()
    if (next?.kind !== 'patch') return { patch, other: next }
    patch = next
    current = patchTarget(rt, proc, next)
  }
  throw new CinderError(
    'CINDER_ERR_LIVE_BAD_ARG',
    `${proc.name} called pushPatch from handleParams more than ${MAX_PATCHES} times in a row (a patch loop)`,
  )
}

/**
 * After mount: a `pushPatch` from mount is followed (and is the patch the
 * join reports), or else `handleParams` runs on the joined route.
 */
export async function paramsAfterMount(
  rt: LiveRuntime,
  proc: LiveProcess,
  route: ResolvedRoute,
): Promise<ParamsResult> {
  const navigation = proc.takeNavigation()
  if (navigation === undefined) return runParams(rt, proc, route)
  if (navigation.kind !== 'patch') return { patch: undefined, other: navigation }
  const { other } = await runParams(rt, proc, patchTarget(rt, proc, navigation))
  return { patch: navigation, other }
}

/** The route a `pushPatch` goes to: this view's own, or the call was a mistake. */
export function patchTarget(
  rt: LiveRuntime,
  proc: LiveProcess,
  navigation: Navigation,
): ResolvedRoute {
  const url = new URL(navigation.to, proc.socket.uri ?? 'http://localhost/')
  const route = rt.resolveUrl(url)
  if (route === undefined || route.entry.view !== proc.view) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `${proc.name} called pushPatch(${describe(navigation.to)}), which this view does not serve; use pushNavigate to go to another view`,
    )
  }
  return route
}
