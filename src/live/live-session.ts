/**
 * The tokens a LiveView page carries, signed with src/token (Phoenix.Token's
 * format), and the CSRF check of the live socket.
 *
 * - `data-phx-session`: who may join which container, as what: the container
 *   id (the topic is `lv:<id>`), the view, its route and live_session, and the
 *   HTTP session as it was at the dead render. Valid two weeks.
 * - `data-phx-static`: what only the dead render knows: the container id and
 *   the flash shown on that page.
 * - flash tokens travel in redirects (`__phoenix_flash__` cookie) and live
 *   navigation (`flash` in the join); valid 60 s.
 *
 * The client never reads these: any tamper-proof format works, as long as it
 * is safe inside an attribute and a cookie (base64url). A token that does not
 * verify, or names another container, makes the join answer `stale`, and the
 * client reloads the page, which mints fresh tokens.
 */
import { randomBytes } from 'node:crypto'
import type { EtfTerm } from '../token/index.ts'
import { signToken, verifyToken } from '../token/index.ts'

/** Bumped when the claims change shape: older tokens then read as stale. */
const TOKEN_VERSION = 1
const SESSION_MAX_AGE = 1_209_600
const FLASH_MAX_AGE = 60

export type Flash = Record<string, string>

/** What `data-phx-session` proves. */
export interface SessionClaims {
  readonly id: string
  /** The view's key in the view registry (its name, or its route's path). */
  readonly view: string
  /** The route pattern the view was rendered from. */
  readonly route: string
  /** The live_session name, or null for a route declared outside any. */
  readonly liveSession: string | null
  /** The HTTP session at the dead render (JSON data), or the session `liveRender` gave. */
  readonly session: Record<string, unknown>
  /**
   * For a view placed with `liveRender`: the parent's container id, or null
   * for a sticky one. Undefined for a routed view.
   */
  readonly parent?: string | null
}

/** What `data-phx-static` carries. */
export interface StaticClaims {
  readonly id: string
  readonly flash: Flash
}

/** What a snapshot of a view's persisted state proves (snapshots.ts). */
export interface SnapshotClaims {
  /** The container id: the view it was taken of. */
  readonly id: string
  /** The view's name (or route), as in its session token. */
  readonly view: string
  /** A digest of the session token the view was joined with. */
  readonly session: string
  /** The view's `persistVersion`. */
  readonly version: string
  /** What `persist` returned, as JSON. */
  readonly state: string
}

/** Signs and verifies the tokens of one live configuration (secret + salt). */
export class LiveTokens {
  readonly #secret: () => string
  readonly #salt: string
  readonly #flashSalt: string
  readonly #snapshotSalt: string
  readonly #now: () => number

  constructor(secret: () => string, signingSalt: string, now: () => number = Date.now) {
    this.#secret = secret
    this.#salt = `live_view:${signingSalt}`
    this.#flashSalt = `flash:${signingSalt}`
    this.#snapshotSalt = `live_snapshot:${signingSalt}`
    this.#now = now
  }

  signSession(claims: SessionClaims): string {
    return this.#sign(this.#salt, {
      v: TOKEN_VERSION,
      k: 'session',
      id: claims.id,
      view: claims.view,
      route: claims.route,
      ls: claims.liveSession,
      session: jsonTerm(claims.session),
      ...(claims.parent === undefined ? {} : { p: claims.parent ?? '' }),
    })
  }

  /** The claims, or undefined when the token is forged, expired, outdated or not a session token. */
  verifySession(token: unknown): SessionClaims | undefined {
    const data = this.#verify(this.#salt, token, SESSION_MAX_AGE)
    if (data === undefined || data.k !== 'session') return undefined
    const { id, view, route, ls, session } = data
    if (typeof id !== 'string' || typeof view !== 'string' || typeof route !== 'string') {
      return undefined
    }
    if (ls !== null && typeof ls !== 'string') return undefined
    if (!isRecord(session)) return undefined
    const claims = { id, view, route, liveSession: ls, session }
    if (data.p === undefined) return claims
    // '' is a sticky view's "no parent"
    return typeof data.p === 'string'
      ? { ...claims, parent: data.p === '' ? null : data.p }
      : undefined
  }

  signStatic(claims: StaticClaims): string {
    return this.#sign(this.#salt, {
      v: TOKEN_VERSION,
      k: 'static',
      id: claims.id,
      flash: claims.flash,
    })
  }

  verifyStatic(token: unknown): StaticClaims | undefined {
    const data = this.#verify(this.#salt, token, SESSION_MAX_AGE)
    if (data === undefined || data.k !== 'static' || typeof data.id !== 'string') return undefined
    return { id: data.id, flash: flashOf(data.flash) }
  }

  signFlash(flash: Flash): string {
    return this.#sign(this.#flashSalt, { v: TOKEN_VERSION, flash }, FLASH_MAX_AGE)
  }

  /** The flash in a token; an empty flash for anything that does not verify. */
  verifyFlash(token: unknown): Flash {
    const data = this.#verify(this.#flashSalt, token, FLASH_MAX_AGE)
    return data === undefined ? {} : flashOf(data.flash)
  }

  signSnapshot(claims: SnapshotClaims, maxAge: number): string {
    const { id, view, session, version, state } = claims
    return this.#sign(
      this.#snapshotSalt,
      { v: TOKEN_VERSION, id, view, session, version, state },
      maxAge,
    )
  }

  /** The claims, or undefined when forged, expired (`maxAge` s) or not a snapshot. */
  verifySnapshot(token: string, maxAge: number): SnapshotClaims | undefined {
    const data = this.#verify(this.#snapshotSalt, token, maxAge, Number.POSITIVE_INFINITY)
    if (data === undefined) return undefined
    const { id, view, session, version, state } = data
    const strings = [id, view, session, version, state]
    if (!strings.every((value): value is string => typeof value === 'string')) return undefined
    return { id, view, session, version, state } as SnapshotClaims
  }

  #sign(salt: string, data: Record<string, EtfTerm>, maxAge = SESSION_MAX_AGE): string {
    return signToken(this.#secret(), salt, data, { maxAge, now: this.#now })
  }

  #verify(
    salt: string,
    token: unknown,
    maxAge: number,
    maxLength = 16_384,
  ): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token === '' || token.length > maxLength) return undefined
    const result = verifyToken(this.#secret(), salt, token, { maxAge, now: this.#now })
    if (!result.ok || !isRecord(result.data)) return undefined
    return result.data.v === TOKEN_VERSION ? result.data : undefined
  }
}

/**
 * A fresh container id: `phx-` and 12 base64url characters (72 random bits).
 * Ids only need to be unique within a page (the token binds them), and the
 * topic rides in every frame, so it is kept shorter than Elixir's 16.
 */
export function containerId(): string {
  return `phx-${randomBytes(9).toString('base64url')}`
}

/** Session data as a token can carry it: JSON values only (dates become strings, undefined goes). */
function jsonTerm(value: Record<string, unknown>): EtfTerm {
  return JSON.parse(JSON.stringify(value)) as EtfTerm
}

function flashOf(value: unknown): Flash {
  const flash: Flash = {}
  if (!isRecord(value)) return flash
  for (const [kind, message] of Object.entries(value)) {
    if (typeof message === 'string') flash[kind] = message
  }
  return flash
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  )
}
