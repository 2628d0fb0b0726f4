/**
 * CSRF protection, as Plug.CSRFProtection. The session holds one secret token
 * (18 random bytes, base64url); every token handed to a page is that secret
 * XOR-masked with a fresh one-time pad, pad appended, base64url. So tokens
 * differ on every render (nothing for BREACH-style compression attacks to
 * learn) while each one still proves knowledge of the session's secret.
 *
 * POST, PUT, PATCH and DELETE must carry a valid token in the `_csrf_token`
 * param or the `x-csrf-token` header; otherwise a 403 that says what was wrong.
 * GET responses with JavaScript are refused to cross-origin `<script>` loads.
 */
import { timingSafeEqual } from 'node:crypto'
import { CinderError } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { fillRandom, pooledRandomId } from '../random-pool.ts'
import { clearSession, deleteSession, getSession, putSession } from './session.ts'

const SESSION_KEY = '_csrf_token'
const MASKED_KEY = 'cinderCsrfMasked'
/** Set `conn.private[SKIP_CSRF_KEY] = true` to skip the check for one request (e.g. webhooks). */
export const SKIP_CSRF_KEY = 'cinderSkipCsrfProtection'
const TOKEN_BYTES = 18
const TOKEN_LENGTH = 24 // base64url of 18 bytes
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])
const SCRIPT_TYPE = /^(text|application)\/javascript\b/

export interface CsrfOptions {
  /** `exception` (default): a 403. `clearSession`: empty the session and go on, unauthenticated. */
  readonly with?: 'exception' | 'clearSession'
}

/**
 * @example
 * router.pipeline('browser', [fetchSession, fetchFlash, protectFromForgery(), putSecureBrowserHeaders()])
 */
export function protectFromForgery({ with: onFailure = 'exception' }: CsrfOptions = {}) {
  return function csrfProtection(conn: Conn): Conn {
    if (conn.private[SKIP_CSRF_KEY] === true) return conn
    if (!SAFE.has(conn.method)) {
      const problem = findProblem(conn)
      if (problem !== undefined) {
        if (onFailure === 'clearSession') clearSession(conn)
        else throw invalid(problem)
      }
    }
    return conn.registerBeforeSend(refuseCrossOriginScript)
  }
}

/** A masked token for forms (`<input name="_csrf_token">`) or the `x-csrf-token` header. */
export function getCsrfToken(conn: Conn): string {
  const cached = conn.private[MASKED_KEY]
  if (typeof cached === 'string') return cached
  let secret = getSession(conn, SESSION_KEY)
  if (!isToken(secret)) {
    secret = pooledRandomId(TOKEN_BYTES)
    putSession(conn, SESSION_KEY, secret)
  }
  const masked = mask(secret as string)
  conn.private[MASKED_KEY] = masked
  return masked
}

/** Forgets the session's CSRF secret (e.g. on logout); the next getCsrfToken makes a new one. */
export function deleteCsrfToken(conn: Conn): Conn {
  delete conn.private[MASKED_KEY]
  return deleteSession(conn, SESSION_KEY)
}

function findProblem(conn: Conn): string | undefined {
  const secret = getSession(conn, SESSION_KEY)
  const param = conn.bodyParams._csrf_token
  const sent = typeof param === 'string' ? param : conn.getReqHeader('x-csrf-token')
  if (sent === undefined || sent === '') {
    return 'the request carries no CSRF token: send it in the _csrf_token param or the x-csrf-token header (from getCsrfToken)'
  }
  if (!isToken(secret)) {
    return 'the session has no CSRF token (it expired, or the page was rendered without a session): reload the form'
  }
  if (!validMasked(sent, secret))
    return 'the CSRF token does not match this session (stale page or forged request)'
  return undefined
}

/** Where tokens are masked: reused, since each is encoded to a string before the next. */
const MASKED = Buffer.alloc(TOKEN_LENGTH * 2)

/**
 * The secret XOR a fresh pad of random bytes, then the pad. Phoenix pads with
 * base64 text; any bytes unmask the same way, in its check and in ours.
 */
function mask(secret: string): string {
  fillRandom(MASKED, TOKEN_LENGTH, TOKEN_LENGTH)
  for (let i = 0; i < TOKEN_LENGTH; i++) {
    MASKED[i] = secret.charCodeAt(i) ^ (MASKED[TOKEN_LENGTH + i] as number)
  }
  return MASKED.toString('base64url')
}

/**
 * Checks a masked token (from a form, a header or a LiveView's connect params)
 * against the session's secret, as `protectFromForgery` does. Never throws.
 */
export function validCsrfToken(masked: unknown, sessionSecret: unknown): boolean {
  return typeof masked === 'string' && isToken(sessionSecret) && validMasked(masked, sessionSecret)
}

function validMasked(sent: string, secret: string): boolean {
  const raw = Buffer.from(sent, 'base64url')
  if (raw.length !== TOKEN_LENGTH * 2) return false
  const unmasked = xor(raw.subarray(0, TOKEN_LENGTH), raw.subarray(TOKEN_LENGTH))
  return timingSafeEqual(unmasked, Buffer.from(secret))
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0)
  return out
}

/** A session secret as getCsrfToken makes them: 24 characters, all ASCII (one byte each). */
function isToken(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== TOKEN_LENGTH) return false
  for (let i = 0; i < TOKEN_LENGTH; i++) if (value.charCodeAt(i) > 0x7f) return false
  return true
}

/** A page on another origin could `<script src>` our JS and read its data: refuse unless XHR. */
function refuseCrossOriginScript(conn: Conn): void {
  if (conn.method !== 'GET') return
  const type = conn.getRespHeader('content-type')
  if (type === undefined || !SCRIPT_TYPE.test(type)) return
  if (conn.getReqHeader('x-requested-with') === 'XMLHttpRequest') return
  throw invalid(
    'a JavaScript response to a GET without x-requested-with: XMLHttpRequest could be read cross-origin through a <script> tag',
  )
}

function invalid(problem: string): CinderError {
  return new CinderError(
    'CINDER_ERR_INVALID_CSRF',
    `invalid CSRF (Cross Site Request Forgery) token: ${problem}`,
  )
}
