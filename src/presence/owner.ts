/**
 * Who owns a tracked presence: a process (`Pid`) or a channel join (`ChannelSocket`). The
 * Tracker keys presences by the owner's id and untracks them all when the owner stops, as
 * Phoenix.Tracker does by linking to the tracked pid.
 *
 * A process is watched with the runtime's `onExit`. A channel is watched through its `pid`
 * when the channel layer gives it one; until then, through the channel's `terminate`, which
 * the channel server runs on every way a joined channel stops (leave, socket closed, stop,
 * crash, duplicate join): the hook wraps it on that one channel instance only.
 */

import { kLink } from '../channel/channel-socket.ts'
import { ChannelSocket } from '../channel/index.ts'
import { CinderError, describe } from '../errors.ts'
import { onExit, Pid } from '../process/index.ts'

/** What `track` accepts as the owner of a presence. */
export type TrackOwner = Pid | ChannelSocket<object>

/** An owner, resolved: its id in the tracker state and how to learn that it stopped. */
export interface ResolvedOwner {
  readonly id: string
  /** Calls `hook` once when the owner stops; returns a function that cancels the watch. */
  watch(hook: () => void): () => void
}

/** Whether `value` can own presences. */
export function isOwner(value: unknown): value is TrackOwner {
  return value instanceof Pid || value instanceof ChannelSocket
}

/** Resolves an owner; throws CINDER_ERR_PRESENCE_BAD_ARG for anything else. */
export function resolveOwner(owner: unknown): ResolvedOwner {
  if (owner instanceof Pid) return processOwner(owner)
  if (owner instanceof ChannelSocket) {
    const pid = (owner as { pid?: unknown }).pid
    return pid instanceof Pid ? processOwner(pid) : channelOwner(owner)
  }
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_ARG',
    `expected a Pid or the socket a channel callback received as the presence owner, got ${describe(owner)}`,
  )
}

/** The owner id of a pid or a channel socket, without watching it (for untrack and update). */
export function ownerId(owner: unknown): string {
  return resolveOwner(owner).id
}

function processOwner(pid: Pid): ResolvedOwner {
  return { id: pid.toString(), watch: (hook) => onExit(pid, () => hook()) }
}

// --- Channels without a pid --------------------------------------------------------------

interface ChannelServerLike {
  channel: { terminate?: (this: unknown, reason: unknown, socket: unknown) => unknown }
}

interface ChannelWatch {
  readonly id: string
  readonly hooks: Set<() => void>
}

const channelWatches = new WeakMap<object, ChannelWatch>()
let channelIds = 0

function channelOwner(socket: ChannelSocket<object>): ResolvedOwner {
  const server = socket[kLink] as unknown as ChannelServerLike
  let watch = channelWatches.get(server)
  if (watch === undefined) {
    watch = { id: `<channel.${++channelIds}>`, hooks: new Set() }
    channelWatches.set(server, watch)
    wrapTerminate(server, watch)
  }
  const { id, hooks } = watch
  return {
    id,
    watch(hook) {
      const once = () => hook()
      hooks.add(once)
      return () => hooks.delete(once)
    },
  }
}

/** Runs the watch hooks before the channel's own terminate, on this channel instance only. */
function wrapTerminate(server: ChannelServerLike, watch: ChannelWatch): void {
  const channel = server.channel
  const wrapped = Object.create(channel) as ChannelServerLike['channel']
  wrapped.terminate = function terminate(reason, socket) {
    const hooks = [...watch.hooks]
    watch.hooks.clear()
    for (const hook of hooks) hook()
    return channel.terminate?.call(this, reason, socket)
  }
  server.channel = wrapped
}
