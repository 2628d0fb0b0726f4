/** Checks `createEndpoint`'s options at once, each problem named with what was expected. */
import { CinderError, describe } from '../errors.ts'
import type { EndpointOptions } from './endpoint.ts'

/** Where the endpoint listens, checked. */
export interface ListenConfig {
  readonly port: number
  readonly host: string
}

export function checkEndpointOptions(options: EndpointOptions): ListenConfig {
  if (typeof options !== 'object' || options === null) {
    throw optionError(`createEndpoint expects an options object; got: ${describe(options)}`)
  }
  const port = options.port ?? 4000
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw optionError(`port must be an integer in 0..65535; got: ${describe(port)}`)
  }
  checkMounts(options)
  checkDrainer(options)
  if (
    options.handler !== undefined &&
    (options.router !== undefined || options.plugs !== undefined)
  ) {
    throw optionError(
      'give either handler (a raw Node listener) or router/plugs (the endpoint plug), not both',
    )
  }
  return { port, host: options.host ?? '127.0.0.1' }
}

function checkMounts(options: EndpointOptions): void {
  const paths = new Set<string>()
  for (const mount of options.sockets ?? []) {
    if (
      typeof mount?.path !== 'string' ||
      !mount.path.startsWith('/') ||
      mount.socket?.router === undefined
    ) {
      throw optionError(
        `each socket mount is { path: '/socket', socket: defineSocket({...}) }; got: ${describe(mount)}`,
      )
    }
    if (paths.has(mount.path))
      throw optionError(`two sockets are mounted at ${describe(mount.path)}`)
    paths.add(mount.path)
  }
}

function checkDrainer(options: EndpointOptions): void {
  for (const key of ['batchSize', 'batchInterval', 'shutdown'] as const) {
    const value = options.drainer?.[key]
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw optionError(`drainer.${key} must be a positive integer; got: ${describe(value)}`)
    }
  }
}

function optionError(message: string): CinderError {
  return new CinderError('CINDER_ERR_ENDPOINT_OPTIONS', message)
}
