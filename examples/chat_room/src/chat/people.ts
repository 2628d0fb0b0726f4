/**
 * Who is where, through Presence (replicated to every node). Each chat page tracks its user on
 * `chat:online` (meta: name, room) while it is open, and a room's page also on that room's
 * topic (meta: name, typing). A user with several pages open is one key with several metas.
 */
import type { Pid, Presence } from 'cinder'
import type { User } from './model.ts'

/** Every open chat page, and the room it shows (null for the lobby). */
export const ONLINE = 'chat:online'
/** The pages of one room. */
export const roomTopic = (room: string): string => `chat:room:${room}`

export interface Person {
  readonly id: string
  readonly name: string
  /** Typing in this room, on any of their pages (room topics only). */
  readonly typing: boolean
  /** The rooms their pages show (`chat:online` only). */
  readonly rooms: readonly string[]
}

/** The people on a topic, by name. */
export function people(presence: Presence, topic: string): Person[] {
  return Object.entries(presence.list(topic))
    .map(([id, { metas }]) => {
      const all = metas as readonly Record<string, unknown>[]
      const rooms = all.map((meta) => meta.room).filter((room) => typeof room === 'string')
      return {
        id,
        name: String(all[0]?.name ?? '?'),
        typing: all.some((meta) => meta.typing === true),
        rooms: [...new Set(rooms)].sort(),
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}

/** Lists a page's user as online (in `room`, or the lobby) while the page's process lives. */
export function trackPage(presence: Presence, pid: Pid, user: User, room: string | null): void {
  presence.track(pid, ONLINE, user.id, { name: user.name, room })
  if (room !== null)
    presence.track(pid, roomTopic(room), user.id, { name: user.name, typing: false })
}

export function setTyping(presence: Presence, pid: Pid, user: User, room: string, typing: boolean) {
  presence.update(pid, roomTopic(room), user.id, (meta) => ({ ...meta, typing }))
}

/** "Ada is typing…", "Ada and Bob are typing…", for everyone but `me`. */
export function typingLine(inRoom: readonly Person[], me: User): string {
  const names = inRoom.filter((p) => p.typing && p.id !== me.id).map((p) => p.name)
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`
}
