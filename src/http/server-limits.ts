/**
 * The `node:http` server with limits on by default, so one slow, idle or
 * hostile client cannot hold a connection (and a file descriptor) for long.
 * Node has the knobs; its defaults are lenient (a silent connection lives 60
 * to 90 s, a request 300 s). Cinder's follow Cowboy, Phoenix's server:
 *
 * - `headersTimeout` (5 s): a new connection must have sent its first request
 *   head 5 s after it opened, a kept-alive one 5 s after the first byte of its
 *   next request (Cowboy's `request_timeout`). Past it: 408, closed.
 * - `keepAliveTimeout` (5 s): a kept-alive connection idle that long between
 *   requests is closed (Node waits 1 s more than it advertises).
 * - `requestTimeout` (60 s): the whole request, body included, must have
 *   arrived 60 s after its first byte. Past it: 408 (unless the response has
 *   begun), closed.
 * - `maxHeaderSize` (16 KB): request line and headers together. Past it: 431.
 * - `maxHeaders` (100, Cowboy's `max_headers`): past it, 431 and closed, not
 *   Node's silent truncation (which could drop a header a proxy appended).
 *   Upgrade requests are bounded by `maxHeaderSize` only.
 *
 * Node checks the two request timeouts every `connectionsCheckingInterval`
 * (1 s here, 30 s in Node), so a limit may be overrun by up to that much. An
 * upgraded connection (WebSocket) leaves every one of them: Node stops
 * tracking it at the upgrade, and the transport has its own idle timeout.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http'
import { CinderError, describe } from '../errors.ts'
import { socketOverload } from '../telemetry/index.ts'

/** The HTTP server's limits (all in milliseconds, but the two header caps). */
export interface HttpLimits {
  /** Time to receive a request head (from the connection's start, or the request's first byte). 0 turns it off. Default 5000. */
  readonly headersTimeout?: number
  /** Time to receive a whole request, from its first byte. 0 turns it off. Default 60000. */
  readonly requestTimeout?: number
  /** Idle time allowed between two requests on one connection. 0 turns it off. Default 5000. */
  readonly keepAliveTimeout?: number
  /** Most bytes in the request line and headers. Default 16384. */
  readonly maxHeaderSize?: number
  /** Most header lines in a request. Default 100. */
  readonly maxHeaders?: number
  /** How often the two request timeouts are checked. Default 1000. */
  readonly connectionsCheckingInterval?: number
}

/** The defaults of `HttpLimits`. */
export const HTTP_LIMITS: Readonly<Required<HttpLimits>> = {
  headersTimeout: 5_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16_384,
  maxHeaders: 100,
  connectionsCheckingInterval: 1_000,
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * A `node:http` server for `listener` with `limits` (defaults above) and
 * Node's `options` (e.g. `{ keepAlive: true }`).
 *
 * @example
 * const server = createHttpServer(createHandler(router.plug), { keepAliveTimeout: 65_000 })
 * server.listen(4000)
 */
export function createHttpServer(
  listener: Listener,
  limits: HttpLimits = {},
  options: ServerOptions = {},
): Server {
  const resolved = resolveHttpLimits(limits)
  const { maxHeaders, ...timeouts } = resolved
  const server = createServer(
    { ...options, ...timeouts },
    refuseTooManyHeaders(listener, maxHeaders),
  )
  // No truncation by Node: the listener sees every header and refuses the request.
  server.maxHeadersCount = 0
  return server
}

/** `limits` with the defaults filled in, checked: integers, and headersTimeout within requestTimeout. */
export function resolveHttpLimits(limits: HttpLimits = {}): Required<HttpLimits> {
  const resolved = { ...HTTP_LIMITS, ...limits }
  for (const [name, value] of Object.entries(resolved)) {
    const min = name.endsWith('Timeout') ? 0 : 1
    if (!Number.isInteger(value) || value < min) {
      throw new CinderError(
        'CINDER_ERR_HTTP_OPTIONS',
        `http.${name} must be an integer >= ${min}; got: ${describe(value)}`,
      )
    }
  }
  const { headersTimeout, requestTimeout } = resolved
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw new CinderError(
      'CINDER_ERR_HTTP_OPTIONS',
      `http.headersTimeout (${headersTimeout}) must be within http.requestTimeout (${requestTimeout})`,
    )
  }
  return resolved
}

/** Wraps `listener`: a request with more than `max` header lines gets a 431 and the connection closes. */
function refuseTooManyHeaders(listener: Listener, max: number): Listener {
  return (req, res) => {
    if (req.rawHeaders.length <= 2 * max) {
      listener(req, res)
      return
    }
    res.writeHead(431, { connection: 'close', 'content-length': 0 }).end()
    if (socketOverload.hasSubscribers) {
      socketOverload.publish({ transport: 'http', reason: 'too_many_headers', code: 431 })
    }
  }
}
