/**
 * `runCluster`: one application on every core of a machine, as N worker
 * processes (`node:cluster`) sharing the listening port.
 *
 * The same script runs in the primary and in each worker:
 * - in the primary it forks the workers, relays the `cluster` PubSub
 *   adapter's frames between them, restarts a worker that dies (within a
 *   restart intensity) and on SIGTERM or SIGINT stops them all gracefully,
 *   then exits (cluster-primary.ts);
 * - in a worker it runs `start` and stops what it returned when told to
 *   (cluster-worker.ts).
 *
 * Each worker is a node named `<base>-w<index>` (index 1..N, stable across
 * restarts): `CINDER_NODE` is set to it in the worker, so PubSubs pick it up.
 */
import cluster from 'node:cluster'
import { availableParallelism, hostname } from 'node:os'
import { CinderError, describe } from '../errors.ts'
import { type Logger, runtimeLogger } from '../logger.ts'
import { type ClusterPrimary, type PrimarySettings, runPrimary } from './cluster-primary.ts'
import { type ClusterWorker, type ClusterWorkerInfo, runWorker } from './cluster-worker.ts'

export type { ClusterPrimary, ClusterWorkerHandle } from './cluster-primary.ts'
export type { ClusterWorker, ClusterWorkerInfo } from './cluster-worker.ts'

/** Options of `runCluster`. */
export interface RunClusterOptions<T> {
  /**
   * Runs in each worker: starts the application and returns it. If what it
   * returns has a `stop` method (an Endpoint has), that runs on shutdown.
   */
  start: (worker: ClusterWorkerInfo) => Promise<T>
  /**
   * The application's default worker count; `--workers N`, `CINDER_WORKERS`
   * and `WEB_CONCURRENCY` override it, in that order. Default: `os.availableParallelism()`.
   */
  workers?: number
  /** The base of the node names. Default: `CINDER_NODE`, else the host name. */
  node?: string
  /** Restart intensity: more than `maxRestarts` worker restarts within `maxSeconds` stops the cluster. Default 5 in 30 s. */
  maxRestarts?: number
  maxSeconds?: number
  /** How long a stopping worker may drain before it is killed, in ms. Default 30000. */
  shutdownTimeout?: number
  /** Relay the `cluster` PubSub adapter between workers. Default true (idle if no worker uses it). */
  relay?: boolean
  /** Own the process: stop on SIGTERM/SIGINT, then exit; exit code 1 after a crash loop. Default true. */
  handleSignals?: boolean
  /** The script workers run. Default: this one (`process.argv[1]`). */
  exec?: string
  /** Node flags of the workers. Default: the primary's (`process.execArgv`). */
  execArgv?: readonly string[]
  /** Where `--workers` is read. Default `process.argv.slice(2)`. */
  argv?: readonly string[]
  /** Where `CINDER_WORKERS`, `WEB_CONCURRENCY` and `CINDER_NODE` are read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Default: the runtime's logger (`getLogger()`). */
  logger?: Logger
}

/**
 * Runs the application on `workers` processes sharing its port. Call it from
 * the program's entry point; in a worker it runs `start`.
 *
 * **Example**
 * ```ts
 * await runCluster({
 *   start: async ({ node }) => {
 *     const pubsub = await startPubSub({ name: 'app', node, adapter: clusterAdapter() })
 *     const endpoint = createEndpoint({ port: 4000, pubsub, sockets: [...] })
 *     await endpoint.start()
 *     return endpoint
 *   },
 * })
 * ```
 */
export async function runCluster<T>(
  options: RunClusterOptions<T>,
): Promise<ClusterPrimary | ClusterWorker<T>> {
  if (typeof options?.start !== 'function') {
    throw optionError(`expected a start function, got ${describe(options?.start)}`)
  }
  const env = options.env ?? process.env
  const base = options.node ?? (env.CINDER_NODE || hostname())
  const logger = options.logger ?? runtimeLogger
  return cluster.isPrimary
    ? runPrimary(primarySettings(options, env, base, logger))
    : runWorker(options, base, logger)
}

/**
 * The worker count: `--workers N` (or `--workers=N`), else `CINDER_WORKERS`,
 * else `WEB_CONCURRENCY`, else `fallback`, else `os.availableParallelism()`.
 */
export function clusterWorkerCount(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  fallback?: number,
): number {
  let flag: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--workers') flag = argv[i + 1] ?? ''
    else if (arg?.startsWith('--workers=')) flag = arg.slice('--workers='.length)
  }
  const sources: [string, string | number | undefined][] = [
    ['--workers', flag],
    ['CINDER_WORKERS', env.CINDER_WORKERS || undefined],
    ['WEB_CONCURRENCY', env.WEB_CONCURRENCY || undefined],
    ['the workers option', fallback],
  ]
  for (const [where, value] of sources) {
    if (value === undefined) continue
    const count =
      typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(count) || count < 1) {
      throw optionError(
        `expected ${where} to be a whole number of workers >= 1, got ${describe(value)}`,
      )
    }
    return count
  }
  return availableParallelism()
}

/** The primary's settings from `options`; throws CINDER_ERR_ENDPOINT_CLUSTER_OPTIONS. */
function primarySettings<T>(
  options: RunClusterOptions<T>,
  env: Readonly<Record<string, string | undefined>>,
  base: string,
  logger: Logger,
): PrimarySettings {
  const count = clusterWorkerCount(options.argv ?? process.argv.slice(2), env, options.workers)
  const { maxRestarts = 5, maxSeconds = 30, shutdownTimeout = 30_000 } = options
  if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0) || !(maxSeconds > 0)) {
    throw optionError(
      `expected maxRestarts (an integer >= 0) and maxSeconds (> 0), got ${describe({ maxRestarts, maxSeconds })}`,
    )
  }
  if (!(shutdownTimeout > 0)) {
    throw optionError(`expected shutdownTimeout > 0 ms, got ${describe(shutdownTimeout)}`)
  }
  return {
    count,
    base,
    logger,
    maxRestarts,
    maxSeconds,
    shutdownTimeout,
    relay: options.relay !== false,
    ownProcess: options.handleSignals !== false,
    exec: options.exec,
    execArgv: options.execArgv ?? process.execArgv,
  }
}

function optionError(message: string): CinderError {
  return new CinderError('CINDER_ERR_ENDPOINT_CLUSTER_OPTIONS', `runCluster: ${message}`)
}
