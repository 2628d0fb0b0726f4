/** The chat's records and the rules for names and messages. */
import { randomBytes } from 'node:crypto'

export interface User {
  readonly id: string
  readonly name: string
}

export interface Message {
  /** `<node>:<seq>` */
  readonly id: string
  readonly room: string
  /** ms since the epoch, on the node that took the message */
  readonly at: number
  /** The sending node's count of messages: orders those of the same millisecond. */
  readonly seq: number
  readonly user: User
  readonly body: string
}

export interface Room {
  readonly name: string
  readonly createdAt: number
  /** When the last message came (or the room was made). */
  readonly lastAt: number
}

/** The bounds of the chat: every node keeps to them. */
export const LIMITS = {
  /** Characters in a user's name. */
  userName: 24,
  /** Characters in a message. */
  message: 500,
  /** Messages kept per room; older ones are dropped. */
  messagesPerRoom: 200,
  /** Rooms on the server. */
  rooms: 100,
} as const

/** The room everyone starts in; it always exists. */
export const FIRST_ROOM = 'general'

const ROOM_NAME = /^[a-z0-9][a-z0-9-]{0,29}$/

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string }

/** A new user with a checked name (a fresh id: two people may share a name). */
export function signIn(name: unknown): Checked<User> {
  const text = typeof name === 'string' ? name.trim().replace(/\s+/g, ' ') : ''
  if (text === '') return { ok: false, message: 'Choose a name.' }
  if ([...text].length > LIMITS.userName)
    return { ok: false, message: `A name has at most ${LIMITS.userName} characters.` }
  return { ok: true, value: { id: randomBytes(9).toString('base64url'), name: text } }
}

/** The user in a session, if it holds a well-formed one. */
export function userFrom(value: unknown): User | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { id, name } = value as Record<string, unknown>
  return typeof id === 'string' && typeof name === 'string' ? { id, name } : undefined
}

export function checkRoomName(name: unknown): Checked<string> {
  const text = typeof name === 'string' ? name.trim().toLowerCase() : ''
  if (!ROOM_NAME.test(text))
    return { ok: false, message: 'A room name has 1 to 30 letters, digits or dashes.' }
  return { ok: true, value: text }
}

export function checkMessage(body: unknown): Checked<string> {
  const text = typeof body === 'string' ? body.trim() : ''
  if (text === '') return { ok: false, message: 'Write something first.' }
  if ([...text].length > LIMITS.message)
    return { ok: false, message: `A message has at most ${LIMITS.message} characters.` }
  return { ok: true, value: text }
}
