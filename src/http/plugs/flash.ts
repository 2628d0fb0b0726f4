/**
 * Flash messages, as Phoenix's: `putFlash(conn, 'info', 'Saved')` shows in
 * this response's `conn.assigns.flash`, and, when the response redirects
 * (3xx), it is kept in the session for the next request, then dropped.
 * Stored under the session key `phoenix_flash`, as Phoenix does.
 */
import { CinderError } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { deleteSession, getSession, putSession } from './session.ts'

export type Flash = Record<string, string>

const SESSION_KEY = 'phoenix_flash'
const PRIVATE_KEY = 'cinderFlash'
const HOOKED_KEY = 'cinderFlashHooked'

/** Reads the flash left by the previous request (needs `fetchSession` first). */
export function fetchFlash(conn: Conn): Conn {
  const stored = getSession(conn, SESSION_KEY)
  const fromSession = isFlash(stored) ? stored : undefined
  const flash: Flash = { ...fromSession }
  conn.private[PRIVATE_KEY] = flash
  conn.assigns.flash = { ...flash }
  // Only a flash to drop or to keep needs a hook; most requests have neither.
  if (fromSession !== undefined) keepOrDropOnSend(conn, true)
  return conn
}

/** Adds a flash message of `kind` (`info`, `error`…). */
export function putFlash(conn: Conn, kind: string, message: string): Conn {
  const flash = flashOf(conn, 'putFlash')
  flash[kind] = message
  keepOrDropOnSend(conn, false)
  return conn.assign('flash', { ...flash })
}

/** Before sending: a redirect keeps the flash in the session; otherwise one read from it is dropped. */
function keepOrDropOnSend(conn: Conn, fromSession: boolean): void {
  if (conn.private[HOOKED_KEY] === true) return
  conn.private[HOOKED_KEY] = true
  conn.registerBeforeSend((sent) => {
    sent.private[HOOKED_KEY] = false
    const current = flashOf(sent, 'fetchFlash')
    const size = Object.keys(current).length
    const status = sent.status ?? 200
    if (size > 0 && status >= 300 && status <= 308) putSession(sent, SESSION_KEY, current)
    else if (fromSession) deleteSession(sent, SESSION_KEY)
  })
}

/** All flash messages, or the one of `kind`. */
export function getFlash(conn: Conn): Readonly<Flash>
export function getFlash(conn: Conn, kind: string): string | undefined
export function getFlash(conn: Conn, kind?: string): Readonly<Flash> | string | undefined {
  const flash = flashOf(conn, 'getFlash')
  return kind === undefined ? { ...flash } : flash[kind]
}

export function clearFlash(conn: Conn): Conn {
  const flash = flashOf(conn, 'clearFlash')
  for (const kind of Object.keys(flash)) delete flash[kind]
  return conn.assign('flash', {})
}

function flashOf(conn: Conn, action: string): Flash {
  const flash = conn.private[PRIVATE_KEY]
  if (!isFlash(flash)) {
    throw new CinderError(
      'CINDER_ERR_SESSION_NOT_FETCHED',
      `${action} needs the flash: add fetchSession and fetchFlash to the pipeline before it`,
    )
  }
  return flash
}

function isFlash(value: unknown): value is Flash {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
