/**
 * Origin checking for socket transports, as Phoenix's `check_origin` does it.
 *
 * A browser sends `Origin` with every WebSocket handshake and cross-origin
 * request, and a WebSocket is not protected by the same-origin policy, so a
 * page on any site could open a socket to us with the user's cookies. The
 * check closes that hole. A request without `Origin` (a non-browser client)
 * is allowed: it cannot carry a victim's ambient credentials.
 */
import { CinderError, describe } from '../errors.ts'

/**
 * Which origins may open a socket.
 *
 * - `true` (the default): the origin's host must equal the endpoint's host
 *   (`url.host`, default `localhost`); scheme and port are not compared.
 * - `false`: any origin (only for sockets that use no cookie or session).
 * - a list such as `['https://example.com', '//other.com:8080', '//*.example.org']`:
 *   each entry names a scheme, host and port; a part left out matches any,
 *   and a host `*.example.org` matches `example.org` and all its subdomains.
 * - `'conn'`: the origin must equal the request's own scheme, host and port.
 * - a function called with the parsed origin; it returns whether to allow it.
 */
export type CheckOrigin = boolean | 'conn' | readonly string[] | ((origin: URL) => boolean)

/** What the check needs of the request. */
export interface OriginRequest {
  /** The `Origin` header, if any. */
  readonly origin: string | undefined
  /** The request's own `Host` header (for `'conn'`). */
  readonly host: string | undefined
  /** The request's own scheme: `http` or `https` (for `'conn'`). */
  readonly scheme: 'http' | 'https'
}

/** One parsed entry of an allow list; `undefined` parts match anything. */
interface OriginPattern {
  readonly scheme: string | undefined
  readonly host: string | undefined
  readonly wildcard: boolean
  readonly port: string | undefined
}

/** A compiled origin check: returns whether the request may connect. */
export type OriginCheck = (request: OriginRequest) => boolean

/**
 * Compiles a `CheckOrigin` option once, at mount time, so a bad entry fails
 * at startup rather than on the first request.
 */
export function compileOriginCheck(option: CheckOrigin, endpointHost: string): OriginCheck {
  if (option === false) return () => true
  if (option === true) return allowIf((url) => url.hostname === endpointHost.toLowerCase())
  if (option === 'conn') return sameAsRequest
  if (typeof option === 'function') return allowIf(option)
  if (Array.isArray(option)) {
    const patterns = option.map(parsePattern)
    return allowIf((url) => patterns.some((pattern) => matches(pattern, url)))
  }
  throw new CinderError(
    'CINDER_ERR_SOCKET_OPTIONS',
    `checkOrigin must be true, false, 'conn', a list of origins or a function; got: ${describe(option)}`,
  )
}

function allowIf(test: (url: URL) => boolean): OriginCheck {
  return ({ origin }) => {
    if (origin === undefined) return true
    const url = parseOrigin(origin)
    return url !== undefined && test(url)
  }
}

function sameAsRequest({ origin, host, scheme }: OriginRequest): boolean {
  if (origin === undefined) return true
  const url = parseOrigin(origin)
  if (url === undefined || host === undefined) return false
  const own = parseOrigin(`${scheme}://${host}`)
  return own !== undefined && url.protocol === own.protocol && url.host === own.host
}

/** `null` (sandboxed frames, file URLs) and garbage parse to undefined: never allowed. */
function parseOrigin(origin: string): URL | undefined {
  try {
    const url = new URL(origin)
    return url.hostname === '' ? undefined : url
  } catch {
    return undefined
  }
}

function parsePattern(entry: string): OriginPattern {
  const match = /^(?:([a-z][a-z0-9+.-]*):)?\/\/(\*\.)?([^/:]*)(?::(\d+))?\/?$/i.exec(entry)
  if (typeof entry !== 'string' || match === null) {
    throw new CinderError(
      'CINDER_ERR_SOCKET_OPTIONS',
      `checkOrigin entries look like 'https://example.com', '//example.com:8080' or '//*.example.com'; got: ${describe(entry)}`,
    )
  }
  const [, scheme, wildcard, host, port] = match
  return {
    scheme: scheme?.toLowerCase(),
    host: host === '' || host === undefined ? undefined : host.toLowerCase(),
    wildcard: wildcard !== undefined,
    port,
  }
}

function matches(pattern: OriginPattern, url: URL): boolean {
  if (pattern.scheme !== undefined && `${pattern.scheme}:` !== url.protocol) return false
  if (pattern.port !== undefined && pattern.port !== effectivePort(url)) return false
  if (pattern.host === undefined) return true
  if (url.hostname === pattern.host) return true
  return pattern.wildcard && url.hostname.endsWith(`.${pattern.host}`)
}

function effectivePort(url: URL): string {
  if (url.port !== '') return url.port
  return url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80'
}
