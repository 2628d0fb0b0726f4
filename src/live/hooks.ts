/**
 * Lifecycle hooks (Phoenix's `on_mount` and `attach_hook`).
 *
 * `onMount` hooks run before a view's `mount`, on the dead render and on the
 * join: those of its live_session first (`liveSession(router, name,
 * { onMount }, …)`), then the view's own (`onMount: [...]`). Each may assign
 * shared state (the current user…) or halt the mount: `'halt'` after a
 * `redirect` or `pushNavigate` (the dead render then answers an HTTP
 * redirect, the join is refused with where to go).
 *
 * ```ts
 * const requireUser: OnMount = (_params, session, socket) => {
 *   if (typeof session.userId !== 'string') {
 *     socket.redirect('/login')
 *     return 'halt'
 *   }
 *   socket.assign({ userId: session.userId })
 *   return 'cont'
 * }
 * ```
 *
 * `socket.attachHook(name, stage, fn)` runs `fn` before the view's own
 * `handleEvent`, `handleParams`, `handleInfo` or `handleAsync`, in the
 * order attached; `'halt'` stops there (the view's callback does not run),
 * and a `handleEvent` hook may halt with `reply(value, socket)`.
 */
import { CinderError, describe } from '../errors.ts'
import type { Params } from '../http/query.ts'
import { type MaybePromise, Outcome } from '../process/behaviour.ts'
import type { AsyncOutcome } from './async.ts'
import {
  type EventValue,
  kLive,
  type LiveOutcome,
  type LiveSessionData,
  type LiveSocket,
} from './live-view.ts'

/** What a hook returns: continue (nothing, `'cont'`, the socket) or `'halt'`. */
export type HookResult =
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook may simply not return
  | void
  | 'cont'
  | 'halt'
  // biome-ignore lint/suspicious/noExplicitAny: the socket of any view
  | LiveSocket<any>

/**
 * An `onMount` hook, of a live_session or of a view. (Declared as a method,
 * so that a view's assigns type stays covariant: `LiveView<{n: number}>` is
 * still a `LiveView<object>`.)
 */
export type OnMount<A extends object = Record<string, unknown>> = {
  hook(params: Params, session: LiveSessionData, socket: LiveSocket<A>): MaybePromise<HookResult>
}['hook']

/** The stages `attachHook` takes, with the arguments of each. */
export interface HookStages<A extends object> {
  handleEvent: (
    event: string,
    value: EventValue,
    socket: LiveSocket<A>,
  ) => MaybePromise<HookResult | LiveOutcome<A>>
  handleParams: (params: Params, uri: string, socket: LiveSocket<A>) => MaybePromise<HookResult>
  handleInfo: (message: unknown, socket: LiveSocket<A>) => MaybePromise<HookResult>
  handleAsync: (
    name: string,
    outcome: AsyncOutcome,
    socket: LiveSocket<A>,
  ) => MaybePromise<HookResult>
}

export type HookStage = keyof HookStages<object>

/** @internal One attached hook. */
export interface AttachedHook {
  readonly name: string
  readonly fn: (...args: never[]) => unknown
}

const STAGES: ReadonlySet<string> = new Set([
  'handleEvent',
  'handleParams',
  'handleInfo',
  'handleAsync',
])

/** `socket.attachHook`: a second hook of one name on one stage is an error, as in Phoenix. */
export function attachHook(
  socket: LiveSocket<object>,
  name: string,
  stage: HookStage,
  fn: unknown,
): void {
  if (typeof name !== 'string' || name === '' || !STAGES.has(stage) || typeof fn !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `attachHook(name, stage, fn) takes a name, one of ${[...STAGES].join(', ')} and a function; got ${describe(name)}, ${describe(stage)}, ${describe(fn)}`,
    )
  }
  const live = socket[kLive]
  live.ext ??= {}
  live.ext.hooks ??= new Map()
  const list = live.ext.hooks.get(stage) ?? []
  if (list.some((hook) => hook.name === name)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `a ${stage} hook named ${describe(name)} is already attached; detachHook it first`,
    )
  }
  live.ext.hooks.set(stage, [...list, { name, fn: fn as AttachedHook['fn'] }])
}

export function detachHook(socket: LiveSocket<object>, name: string, stage: HookStage): void {
  const hooks = socket[kLive].ext?.hooks
  const list = hooks?.get(stage)
  if (hooks === undefined || list === undefined) return
  const rest = list.filter((hook) => hook.name !== name)
  if (rest.length === 0) hooks.delete(stage)
  else hooks.set(stage, rest)
}

/** The hooks of `stage`, if any (the caller skips all work when there are none). */
export function hooksOf(
  socket: LiveSocket<object>,
  stage: HookStage,
): readonly AttachedHook[] | undefined {
  return socket[kLive].ext?.hooks?.get(stage)
}

/** What running hooks came to: halted or not, and a hook reply if one halted with it. */
export interface Hooked {
  readonly halted: boolean
  readonly reply: unknown
}

const GOING_ON: Hooked = { halted: false, reply: undefined }

/** Runs `hooks` in order with `args` (the socket last); stops at the first halt. */
export async function runHooks(
  hooks: readonly AttachedHook[],
  stage: HookStage,
  socket: LiveSocket<object>,
  args: readonly unknown[],
): Promise<Hooked> {
  for (const hook of hooks) {
    const result = await (hook.fn as (...a: unknown[]) => unknown)(...args, socket)
    const outcome = hookOutcome(result, socket, `${stage} hook ${describe(hook.name)}`, true)
    if (outcome.halted) return outcome
  }
  return GOING_ON
}

/** Runs the `onMount` hooks; true when one halted (after a navigation, or it is an error). */
export async function runOnMount(
  hooks: readonly OnMount<object>[],
  params: Params,
  session: LiveSessionData,
  socket: LiveSocket<object>,
  where: string,
): Promise<boolean> {
  for (const hook of hooks) {
    const result = await hook(params, session, socket)
    const { halted } = hookOutcome(result, socket, `${where} onMount hook`, false)
    if (!halted) continue
    if (socket[kLive].navigation === undefined) {
      throw new CinderError(
        'CINDER_ERR_BAD_RETURN',
        `${where} onMount hook halted without redirect or pushNavigate: a halted mount must say where the browser goes`,
      )
    }
    return true
  }
  return false
}

function hookOutcome(
  result: unknown,
  socket: LiveSocket<object>,
  where: string,
  replies: boolean,
): Hooked {
  if (result === undefined || result === 'cont' || result === socket) return GOING_ON
  if (result === 'halt') return { halted: true, reply: undefined }
  if (replies && result instanceof Outcome && result.kind === 'reply' && result.state === socket) {
    return { halted: true, reply: result.value ?? null }
  }
  throw new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `${where} must return nothing, 'cont' or 'halt'${replies ? ' (a handleEvent hook: or reply(value, socket))' : ''}, got: ${describe(result)}`,
  )
}
