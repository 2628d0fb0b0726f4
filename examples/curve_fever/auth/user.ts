/**
 * Who plays: a name and a colour chosen at sign-in, kept in the session cookie, and handed to
 * the game socket as a signed token (the page embeds it; the socket verifies it on connect).
 */
import { randomBytes } from 'node:crypto'
import { signToken, verifyToken } from 'cinder'
import { validatePlayerInit } from '../game/index.ts'
import { PALETTE } from '../rooms/palette.ts'
import type { User } from '../rooms/protocol.ts'

export type { User } from '../rooms/protocol.ts'

const SALT = 'curve fever user socket'
/** A socket token is good for a day; the page makes a new one on each visit. */
const MAX_AGE_S = 86_400

/** The colours offered at sign-in: the curves' palette (distinct for colour-blind eyes too). */
export const COLOURS = PALETTE

export type SignIn =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly message: string }

/** Checks a sign-in form: a name of 1–24 printable characters and one of the offered colours. */
export function signIn(name: unknown, colour: unknown): SignIn {
  const trimmed = typeof name === 'string' ? name.trim() : name
  const chosen =
    typeof colour === 'string' && (COLOURS as readonly string[]).includes(colour)
      ? colour
      : COLOURS[0]
  const id = `u-${randomBytes(6).toString('hex')}`
  const valid = validatePlayerInit({ id, name: trimmed as string, colour: chosen })
  if (!valid.ok) return { ok: false, message: valid.reason.replace(/^name/, 'Your name') }
  return { ok: true, user: { id, name: trimmed as string, colour: chosen } }
}

/** Reads a user back from session data (anything else is "not signed in"). */
export function userFrom(data: unknown): User | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const { id, name, colour } = data as Record<string, unknown>
  if (typeof id !== 'string' || typeof name !== 'string' || typeof colour !== 'string')
    return undefined
  return validatePlayerInit({ id, name, colour }).ok ? { id, name, colour } : undefined
}

export function userToken(secret: string, user: User): string {
  return signToken(
    secret,
    SALT,
    { id: user.id, name: user.name, colour: user.colour },
    { maxAge: MAX_AGE_S },
  )
}

export function verifyUserToken(secret: string, token: unknown): User | undefined {
  if (typeof token !== 'string') return undefined
  const result = verifyToken(secret, SALT, token, { maxAge: MAX_AGE_S })
  return result.ok ? userFrom(result.data) : undefined
}
