/**
 * Sessions in a cookie, as Plug.Session's cookie store: the session map is
 * serialized, then signed (HMAC, readable by the client) or, with an
 * `encryptionSalt`, encrypted (XChaCha20-Poly1305), with keys derived from the
 * secret key base by src/token. A forged or tampered cookie reads as an empty
 * session. Key rotation: cookies made with one of `oldSecretKeyBases` are
 * still read, and rewritten with the current key.
 *
 * `session(opts)` installs the store (once, e.g. in the Endpoint);
 * `fetchSession` reads the cookie (in pipelines that need it); the cookie is
 * written just before the response, and only when the session changed.
 */
import { CinderError, describe } from '../../errors.ts'
import {
  decodeTerm,
  decryptMessage,
  deriveKey,
  type EtfTerm,
  encodeTerm,
  encryptMessage,
  signMessage,
  verifyMessage,
} from '../../token/index.ts'
import type { Conn, CookieOptions } from '../conn.ts'

/** Session values: anything the serializer can carry (JSON-like data for the default). */
export type SessionData = Record<string, unknown>

/** Turns the session map into bytes and back (decode returns null for foreign bytes). */
export interface SessionSerializer {
  encode(data: SessionData): Uint8Array
  decode(bytes: Uint8Array): SessionData | null
}

/** Options of the cookie `session` plug: key, salts, secret, max age, cookie attributes. */
export interface SessionOptions {
  /** Cookie name, e.g. `_my_app_key`. */
  readonly key: string
  /** At least 64 bytes; a function is read per request (runtime config). */
  readonly secretKeyBase: string | (() => string)
  /** Salt of the signing key. */
  readonly signingSalt: string
  /** When given, the cookie is encrypted (key derived with this salt), not just signed. */
  readonly encryptionSalt?: string
  /** Previous secret key bases, still accepted when reading (key rotation). */
  readonly oldSecretKeyBases?: readonly string[]
  /** `'json'` (default), `'etf'` (Plug's default, to share cookies with a Phoenix app) or custom. */
  readonly serializer?: 'json' | 'etf' | SessionSerializer
  /** Cookie attributes; defaults: path `/`, HttpOnly, SameSite Lax, Secure on https. */
  readonly cookie?: CookieOptions
}

type Pending = 'none' | 'write' | 'drop'

interface SessionState {
  readonly store: CookieStore
  data: SessionData | undefined
  pending: Pending
  /** Whether the hook that writes the cookie is registered (only once the session has something to write). */
  hooked: boolean
}

const STATE_KEY = 'cinderSession'
const MAX_COOKIE_BYTES = 4096

/**
 * @example
 * pipeline([
 *   session({ key: '_app_key', secretKeyBase, signingSalt: 'x3Yd9Kq1', encryptionSalt: 'Vb2nP0aQ' }),
 *   fetchSession,
 * ])
 */
export function session(options: SessionOptions) {
  const store = new CookieStore(options)
  return function sessionPlug(conn: Conn): Conn {
    const state: SessionState = { store, data: undefined, pending: 'none', hooked: false }
    conn.private[STATE_KEY] = state
    return conn
  }
}

/** Reads the session cookie; later plugs can use getSession/putSession. */
export function fetchSession(conn: Conn): Conn {
  const state = stateOf(conn, 'fetchSession')
  if (state.data !== undefined) return conn
  const cookie = conn.reqCookies[state.store.key]
  const read = cookie === undefined ? undefined : state.store.read(cookie)
  state.data = read?.data ?? {}
  if (read?.stale === true) setPending(conn, state, 'write')
  return conn
}

/** The whole session, or one key of it (needs `fetchSession` first). */
export function getSession(conn: Conn): Readonly<SessionData>
export function getSession(conn: Conn, key: string): unknown
export function getSession(conn: Conn, key?: string): unknown {
  const data = fetched(conn, 'getSession')
  return key === undefined ? data : data[key]
}

/** Sets one session key; the cookie is written when the response is sent. */
export function putSession(conn: Conn, key: string, value: unknown): Conn {
  fetched(conn, 'putSession')[key] = value
  markChanged(conn)
  return conn
}

export function deleteSession(conn: Conn, key: string): Conn {
  delete fetched(conn, 'deleteSession')[key]
  markChanged(conn)
  return conn
}

/** Empties the session (the cookie is rewritten with an empty map). */
export function clearSession(conn: Conn): Conn {
  const state = stateOf(conn, 'clearSession')
  fetched(conn, 'clearSession')
  state.data = {}
  markChanged(conn)
  return conn
}

/**
 * `renew: true` rewrites the cookie even if unchanged (after login, to start a
 * fresh cookie); `drop: true` deletes the cookie and writes nothing.
 */
export function configureSession(conn: Conn, options: { renew?: boolean; drop?: boolean }): Conn {
  const state = stateOf(conn, 'configureSession')
  if (options.drop === true) setPending(conn, state, 'drop')
  else if (options.renew === true) setPending(conn, state, 'write')
  return conn
}

function markChanged(conn: Conn): void {
  const state = stateOf(conn, 'putSession')
  if (state.pending !== 'drop') setPending(conn, state, 'write')
}

/**
 * Marks the cookie to be written or dropped, and registers the hook that
 * does it: most requests only read the session and need none. A change made
 * by a later before-send hook registers it again, so the cookie always holds
 * the last change.
 */
function setPending(conn: Conn, state: SessionState, pending: Pending): void {
  state.pending = pending
  if (state.hooked) return
  state.hooked = true
  conn.registerBeforeSend((sent) => {
    state.hooked = false
    writeCookie(sent, state)
  })
}

function stateOf(conn: Conn, action: string): SessionState {
  const state = conn.private[STATE_KEY] as SessionState | undefined
  if (state === undefined) {
    throw new CinderError(
      'CINDER_ERR_SESSION_NOT_FETCHED',
      `${action} needs the session plug: add session({ key, secretKeyBase, signingSalt }) before it`,
    )
  }
  return state
}

function fetched(conn: Conn, action: string): SessionData {
  const state = stateOf(conn, action)
  if (state.data === undefined) {
    throw new CinderError(
      'CINDER_ERR_SESSION_NOT_FETCHED',
      `${action} needs a fetched session: add fetchSession to the pipeline before it`,
    )
  }
  return state.data
}

function writeCookie(conn: Conn, state: SessionState): void {
  const { store } = state
  if (state.pending === 'drop') {
    if (conn.reqCookies[store.key] !== undefined)
      conn.deleteRespCookie(store.key, store.cookieOptions)
    return
  }
  if (state.pending !== 'write' || state.data === undefined) return
  const value = store.write(state.data)
  const bytes = Buffer.byteLength(store.key) + Buffer.byteLength(value) + 1
  if (bytes > MAX_COOKIE_BYTES) {
    throw new CinderError(
      'CINDER_ERR_COOKIE_OVERFLOW',
      `the session cookie ${describe(store.key)} would be ${bytes} bytes, browsers keep at most ${MAX_COOKIE_BYTES}: store less in the session`,
    )
  }
  conn.putRespCookie(store.key, value, store.cookieOptions)
}

/** Slots of the opened-cookie cache (a power of two). */
const OPENED_SLOTS = 1024

interface OpenedCookie {
  readonly cookie: string
  readonly bytes: Buffer
  /**
   * The session, decoded once, when it holds only primitive values: a
   * shallow copy is then a fresh session the caller may change. Anything
   * nested is decoded afresh per request instead.
   */
  readonly flat: SessionData | undefined
  readonly stale: boolean
}

interface DerivedKeys {
  readonly sign: Buffer
  readonly encrypt: Buffer | undefined
}

class CookieStore {
  readonly key: string
  readonly cookieOptions: CookieOptions
  readonly #options: SessionOptions
  readonly #serializer: SessionSerializer
  readonly #keys = new Map<string, DerivedKeys>()
  /**
   * Cookies already verified (and decrypted) with the current secret: a
   * browser sends the same cookie on every request until it changes, and
   * checking its HMAC cost more than the rest of a small request. Only
   * authentic cookies enter; any change to the secret empties it.
   */
  readonly #opened: Array<OpenedCookie | undefined> = new Array(OPENED_SLOTS).fill(undefined)
  #openedWith: string | undefined

  constructor(options: SessionOptions) {
    checkOptions(options)
    this.#options = options
    this.key = options.key
    this.cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', ...options.cookie }
    this.#serializer = serializerOf(options.serializer ?? 'json')
  }

  write(data: SessionData): string {
    const bytes = this.#serializer.encode(data)
    const keys = this.#keysOf(this.#secret())
    if (keys.encrypt !== undefined) return encryptMessage(bytes, keys.encrypt)
    return signMessage(bytes, keys.sign)
  }

  /** The session in `cookie`, and whether it was made with an old key; undefined if not authentic. */
  read(cookie: string): { data: SessionData; stale: boolean } | undefined {
    const current = this.#secret()
    if (current !== this.#openedWith) {
      this.#opened.fill(undefined)
      this.#openedWith = current
    }
    const slot = slotOf(cookie)
    const cached = this.#opened[slot]
    const opened = cached?.cookie === cookie ? cached : this.#openAndRemember(cookie, current, slot)
    if (opened === null) return undefined
    if (opened.flat !== undefined) return { data: { ...opened.flat }, stale: opened.stale }
    // Decoded afresh each time: the caller owns (and may change) the data.
    const data = safeDecode(this.#serializer, opened.bytes)
    return data === null ? undefined : { data, stale: opened.stale }
  }

  #openAndRemember(cookie: string, current: string, slot: number): OpenedCookie | null {
    const opened = this.#openWithAnySecret(cookie, current)
    if (opened !== null) this.#opened[slot] = opened
    return opened
  }

  #openWithAnySecret(cookie: string, current: string): OpenedCookie | null {
    const secrets = [current, ...(this.#options.oldSecretKeyBases ?? [])]
    for (const [index, secret] of secrets.entries()) {
      const bytes = this.#open(cookie, secret)
      if (bytes !== null) {
        const data = safeDecode(this.#serializer, bytes)
        const flat = data !== null && isFlat(data) ? data : undefined
        return { cookie, bytes, flat, stale: index > 0 }
      }
    }
    return null
  }

  #open(cookie: string, secret: string): Buffer | null {
    const keys = this.#keysOf(secret)
    try {
      if (keys.encrypt === undefined) return verifyMessage(cookie, keys.sign)
      return decryptMessage(cookie, keys.encrypt, { signKey: keys.sign })
    } catch {
      return null
    }
  }

  /** The keys derived from `secret`, kept here: deriveKey's own cache costs a lookup by hex id. */
  #keysOf(secret: string): DerivedKeys {
    let keys = this.#keys.get(secret)
    if (keys === undefined) {
      const { encryptionSalt, signingSalt } = this.#options
      keys = {
        sign: deriveKey(secret, signingSalt),
        encrypt: encryptionSalt === undefined ? undefined : deriveKey(secret, encryptionSalt),
      }
      // Secrets are few (current and old ones); a function secret may rotate.
      if (this.#keys.size >= 16) this.#keys.clear()
      this.#keys.set(secret, keys)
    }
    return keys
  }

  #secret(): string {
    const { secretKeyBase } = this.#options
    if (typeof secretKeyBase === 'string') return secretKeyBase // checked once, in the constructor
    const secret = secretKeyBase()
    checkSecret(secret)
    return secret
  }
}

/**
 * The cache slot of a cookie, from its last characters: the end of its MAC,
 * so spread evenly, and found without hashing the whole cookie as a Map key
 * would (a fresh string of a hundred-odd characters per request). Two
 * cookies in one slot just take turns.
 */
function slotOf(cookie: string): number {
  const n = cookie.length
  const mixed =
    cookie.charCodeAt(n - 1) * 961 + cookie.charCodeAt(n - 2) * 31 + cookie.charCodeAt(n - 3)
  return mixed & (OPENED_SLOTS - 1)
}

/** Whether every value of the session is a primitive (nothing a caller could change inside). */
function isFlat(data: SessionData): boolean {
  for (const key in data) {
    const value = data[key]
    if (typeof value === 'object' && value !== null) return false
  }
  return true
}

function safeDecode(serializer: SessionSerializer, bytes: Uint8Array): SessionData | null {
  try {
    const data = serializer.decode(bytes)
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? data : null
  } catch {
    return null
  }
}

function serializerOf(choice: 'json' | 'etf' | SessionSerializer): SessionSerializer {
  if (choice === 'json') {
    return {
      encode: (data) => Buffer.from(JSON.stringify(data)),
      // Read through a view: no copy of the bytes before decoding them.
      decode: (bytes) =>
        JSON.parse(
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
        ) as SessionData,
    }
  }
  if (choice === 'etf') {
    return {
      encode: (data) => encodeTerm(data as EtfTerm),
      decode: (bytes) => decodeTerm(bytes) as SessionData,
    }
  }
  return choice
}

function checkOptions(options: SessionOptions): void {
  for (const name of ['key', 'signingSalt'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new CinderError(
        'CINDER_ERR_PLUG_OPTIONS',
        `session needs ${name} (a non-empty string), got: ${describe(options[name])}`,
      )
    }
  }
  if (typeof options.secretKeyBase === 'string') checkSecret(options.secretKeyBase)
}

function checkSecret(secret: unknown): void {
  if (typeof secret !== 'string' || Buffer.byteLength(secret) < 64) {
    throw new CinderError(
      'CINDER_ERR_PLUG_OPTIONS',
      `session needs a secretKeyBase of at least 64 bytes (e.g. crypto.randomBytes(48).toString('base64')), got: ${typeof secret === 'string' ? `${Buffer.byteLength(secret)} bytes` : describe(secret)}`,
    )
  }
}
