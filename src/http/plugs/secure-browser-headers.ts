/**
 * Phoenix 1.8's `put_secure_browser_headers`: headers that make browsers
 * refuse MIME sniffing, cross-domain policy files, leaking full referrers, and
 * (unless a content-security-policy is already set) foreign framing and
 * `<base>` hijacking.
 */
import type { Conn } from '../conn.ts'

export const DEFAULT_SECURE_HEADERS: Readonly<Record<string, string>> = {
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
  'x-permitted-cross-domain-policies': 'none',
}

const DEFAULT_CSP = "base-uri 'self'; frame-ancestors 'self';"

/**
 * @example
 * router.pipeline('browser', [putSecureBrowserHeaders({ 'strict-transport-security': 'max-age=31536000' })])
 */
export function putSecureBrowserHeaders(extra: Readonly<Record<string, string>> = {}) {
  const headers = { ...DEFAULT_SECURE_HEADERS, ...lowerCase(extra) }
  const ownCsp = headers['content-security-policy'] !== undefined
  // Names lower-cased once here, so each request only sets them.
  const entries = Object.entries(headers)
  return function secureBrowserHeaders(conn: Conn): Conn {
    if (!ownCsp && conn.getRespHeader('content-security-policy') === undefined) {
      conn.putRespHeader('content-security-policy', DEFAULT_CSP)
    }
    for (const [name, value] of entries) conn.putRespHeader(name, value)
    return conn
  }
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}
