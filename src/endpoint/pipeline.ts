/**
 * The endpoint as the first plug (Phoenix's `Endpoint` module body): static
 * files, request id, the request log, body parsers, method override, the
 * cookie session, the application's own plugs, then the router.
 */
import { CinderError, describe } from '../errors.ts'
import { type BoundPlug, type PlugSpec, pipeline } from '../http/plug.ts'
import { type LoggerOptions, logger } from '../http/plugs/logger.ts'
import { methodOverride } from '../http/plugs/method-override.ts'
import { type ParsersOptions, parsers } from '../http/plugs/parsers.ts'
import { type RequestIdOptions, requestId } from '../http/plugs/request-id.ts'
import { type SessionOptions, session } from '../http/plugs/session.ts'
import { type StaticOptions, staticFiles } from '../http/plugs/static.ts'
import type { Router } from '../http/router/router.ts'
import type { Logger } from '../logger.ts'

/** The endpoint's plug options (all optional; see docs/endpoint.md). */
export interface EndpointPlugOptions {
  /** Where requests end: a Router (or any plug) after the endpoint's plugs. */
  readonly router?: Router | PlugSpec
  /** Static files first (`{ at: '/', from: 'priv/static', only: ['assets'] }`); off by default. */
  readonly static?: StaticOptions
  /** `false` leaves the request id out. */
  readonly requestId?: RequestIdOptions | false
  /** One log line per request (default: the endpoint logger's `info`); `false` for none. */
  readonly requestLog?: LoggerOptions | false
  /** Body parsers; `false` leaves bodies unread. */
  readonly parsers?: ParsersOptions | false
  /** `_method` overrides on POST; `false` to turn off. */
  readonly methodOverride?: boolean
  /** The cookie session; its `secretKeyBase` defaults to the endpoint's. */
  readonly session?: Omit<SessionOptions, 'secretKeyBase'> & {
    readonly secretKeyBase?: SessionOptions['secretKeyBase']
  }
  /** The application's plugs, after the session and before the router. */
  readonly plugs?: readonly PlugSpec[]
}

/** Builds the endpoint plug, or undefined when the endpoint has no router and no plugs. */
export function endpointPlug(
  options: EndpointPlugOptions,
  secretKeyBase: string,
  log: Logger,
): BoundPlug | undefined {
  if (options.router === undefined && options.plugs === undefined) return undefined
  const plugs: PlugSpec[] = []
  if (options.static !== undefined) plugs.push(staticFiles(options.static))
  if (options.requestId !== false) plugs.push(requestId(options.requestId ?? {}))
  if (options.requestLog !== false) {
    plugs.push(logger(options.requestLog ?? { log: (line) => log.info(line) }))
  }
  if (options.parsers !== false) plugs.push(parsers(options.parsers ?? {}))
  if (options.methodOverride !== false) plugs.push(methodOverride())
  if (options.session !== undefined) {
    plugs.push(
      session({
        ...options.session,
        secretKeyBase: options.session.secretKeyBase ?? secretKeyBase,
      }),
    )
  }
  plugs.push(...(options.plugs ?? []))
  if (options.router !== undefined) plugs.push(routerPlug(options.router))
  return pipeline(plugs, 'Endpoint')
}

function routerPlug(router: Router | PlugSpec): PlugSpec {
  if (typeof router === 'object' && router !== null && 'plug' in router) return router.plug
  if (typeof router === 'function' || Array.isArray(router)) return router
  if (typeof router === 'object' && router !== null && 'call' in router) return router
  throw new CinderError(
    'CINDER_ERR_ENDPOINT_OPTIONS',
    `router must be a Router or a plug; got: ${describe(router)}`,
  )
}
