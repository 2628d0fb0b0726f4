/** Checks a Cluster's options, so a mistake names what was expected. */
import { CinderError, describe } from '../errors.ts'
import type { ClusterOptions } from './cluster.ts'

/** The periods of valid options, defaults filled in; throws CINDER_ERR_CLUSTER_BAD_ARG. */
export function checkOptions(options: ClusterOptions): {
  heartbeatInterval: number
  downAfter: number
} {
  if (typeof options !== 'object' || options === null || typeof options.pubsub !== 'object') {
    throw badArg(`expected cluster options with a pubsub, got ${describe(options)}`)
  }
  const { name, presences } = options
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw badArg(`expected a non-empty cluster name, got ${describe(name)}`)
  }
  if (presences !== undefined && !presences.every((p) => typeof p?.nodeDown === 'function')) {
    throw badArg(
      `expected presences with a nodeDown(node) method (a Presence or a Tracker), got ${describe(presences)}`,
    )
  }
  const heartbeatInterval = positive('heartbeatInterval', options.heartbeatInterval, 1000)
  const downAfter = positive('downAfter', options.downAfter, 5000)
  if (downAfter < 4 * heartbeatInterval) {
    throw badArg(
      `expected downAfter to be at least 4 × heartbeatInterval (${4 * heartbeatInterval} ms), got ${describe(downAfter)}: a node would be reported down after missing one or two heartbeats`,
    )
  }
  return { heartbeatInterval, downAfter }
}

/** A positive number of ms, or `fallback` when not given. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  throw badArg(`expected ${name} to be a positive number of ms, got ${describe(value)}`)
}

function badArg(message: string): CinderError {
  return new CinderError('CINDER_ERR_CLUSTER_BAD_ARG', message)
}
