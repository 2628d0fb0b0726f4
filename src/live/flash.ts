/**
 * Flash across LiveView navigation (Phoenix's `fetch_live_flash`).
 *
 * A view that redirects with a flash hands the client a signed flash token;
 * the client writes it to the `__phoenix_flash__` cookie (max-age 60 s) and
 * loads the next page. The live plug reads that cookie on the next request,
 * merges the flash into the conn's (so the dead render shows it) and deletes
 * the cookie. Live navigation carries the token in the join instead.
 */
import type { Conn } from '../http/conn.ts'
import { putFlash } from '../http/plugs/flash.ts'
import type { Flash, LiveTokens } from './live-session.ts'
import { isRecord } from './live-session.ts'

export const FLASH_COOKIE = '__phoenix_flash__'
/** Where the flash from the cookie waits when the pipeline has no `fetchFlash`. */
const PRIVATE_FLASH = 'cinderLiveFlash'
/** Where `fetchFlash` keeps the conn's flash (src/http/plugs/flash.ts). */
const HTTP_FLASH = 'cinderFlash'

/** Moves the flash of the `__phoenix_flash__` cookie into the conn's flash and deletes the cookie. */
export function fetchLiveFlash(conn: Conn, tokens: LiveTokens): Conn {
  const cookie = conn.reqCookies[FLASH_COOKIE]
  if (cookie === undefined) return conn
  conn.deleteRespCookie(FLASH_COOKIE, { path: '/' })
  const flash = tokens.verifyFlash(cookie)
  if (isRecord(conn.private[HTTP_FLASH])) {
    for (const [kind, message] of Object.entries(flash)) putFlash(conn, kind, message)
  } else {
    conn.putPrivate(PRIVATE_FLASH, flash)
  }
  return conn
}

/** The flash the dead render shows: the conn's (`fetchFlash`) and the live cookie's. */
export function connFlash(conn: Conn): Flash {
  const flash: Flash = {}
  for (const source of [conn.assigns.flash, conn.private[PRIVATE_FLASH]]) {
    if (!isRecord(source)) continue
    for (const [kind, message] of Object.entries(source)) {
      if (typeof message === 'string') flash[kind] = message
    }
  }
  return flash
}

/** Carries a redirecting dead render's flash to the next request (needs `fetchFlash`). */
export function keepFlash(conn: Conn, flash: Flash): Conn {
  if (!isRecord(conn.private[HTTP_FLASH])) return conn
  for (const [kind, message] of Object.entries(flash)) putFlash(conn, kind, message)
  return conn
}

/** The flash token of a redirect, or undefined when there is no flash. */
export function flashToken(tokens: LiveTokens, flash: Flash): string | undefined {
  return Object.keys(flash).length === 0 ? undefined : tokens.signFlash(flash)
}
