/**
 * Who owns a tracked presence: a process (`Pid`), or a channel join given by the socket its
 * callbacks receive (the join's process owns it). The Tracker keys presences by the owner's
 * pid and untracks them all when that process stops, as Phoenix.Tracker does by linking to
 * the tracked pid: a channel that is left, crashes or loses its connection leaves. The other
 * half of Phoenix's link holds too: when a shard crashes, the owners of what it held get an
 * exit signal (see tracker/shard.ts).
 */

import { ChannelSocket, channelLink } from '../channel/channel-socket.ts'
import { CinderError, describe } from '../errors.ts'
import { Pid } from '../process/index.ts'

/** What `track` accepts as the owner of a presence. */
export type TrackOwner = Pid | ChannelSocket<object>

/** The process behind an owner; throws CINDER_ERR_PRESENCE_BAD_ARG for anything else. */
export function ownerPid(owner: unknown): Pid {
  if (owner instanceof Pid) return owner
  if (owner instanceof ChannelSocket) {
    const pid = channelLink(owner).pid
    if (pid !== undefined) return pid
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected the socket of a running channel join as the presence owner, got one of ${describe(owner.topic)} with no process`,
    )
  }
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_ARG',
    `expected a Pid or the socket a channel callback received as the presence owner, got ${describe(owner)}`,
  )
}

/** Owner ids by pid: a pid's string is built once, not on every track and untrack. */
const ids = new WeakMap<Pid, string>()

/** The id the tracker state knows a pid by (its string form). */
export function pidId(pid: Pid): string {
  let id = ids.get(pid)
  if (id === undefined) {
    id = pid.toString()
    ids.set(pid, id)
  }
  return id
}

/** The owner id of a pid or a channel socket (for untrack and update). */
export function ownerId(owner: unknown): string {
  return pidId(ownerPid(owner))
}
