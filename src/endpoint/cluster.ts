/**
 * `runCluster`: one application on every core of a machine, as N worker
 * processes (`node:cluster`) sharing the listening port.
 *
 * The same script runs in the primary and in each worker:
 * - in the primary it forks the workers (the port is shared by cluster's
 *   round-robin), relays the `cluster` PubSub adapter's frames between them,
 *   restarts a worker that dies (within a restart intensity, so a crash loop
 *   stops the cluster with a clear line instead of spinning), and on SIGTERM
 *   or SIGINT asks every worker to stop gracefully (an endpoint drains its
 *   sockets with close code 1012), then exits;
 * - in a worker it runs `start` and stops what it returned when told to.
 *
 * Each worker is a node named `<base>-w<index>` (index 1..N, stable across
 * restarts): `CINDER_NODE` is set to it in the worker, so PubSubs pick it up.
 */
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism, hostname } from 'node:os'
import { CinderError, describe } from '../errors.ts'
import { type Logger, runtimeLogger } from '../logger.ts'
import { setNodeName } from '../process/index.ts'
import { installClusterRelay } from '../pubsub/adapters/cluster-relay.ts'

/** What a worker's `start` is told about itself. */
export interface ClusterWorkerInfo {
  /** The worker's slot, 1..workers; a restarted worker keeps its slot. */
  readonly index: number
  /** This worker's node name, `<base>-w<index>` (also in `process.env.CINDER_NODE`). */
  readonly node: string
  /** How many workers the cluster runs. */
  readonly workers: number
}

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

/** One worker slot as the primary sees it. */
export interface ClusterWorkerHandle {
  readonly index: number
  readonly node: string
  /** The live process of the slot (undefined between a crash and its restart). */
  readonly worker: Worker | undefined
  /** Whether the current process of the slot has started its application. */
  readonly ready: boolean
}

/** What `runCluster` resolves with in the primary, once every worker is ready. */
export interface ClusterPrimary {
  readonly role: 'primary'
  /** The base of the node names. */
  readonly node: string
  /** The worker slots, in index order. */
  workers(): ClusterWorkerHandle[]
  /** Stops every worker gracefully; resolves once all have exited. Idempotent. */
  stop(): Promise<void>
  /** Resolves once the cluster has ended: 0 after `stop` or a signal, 1 after a crash loop. */
  readonly ended: Promise<number>
}

/** What `runCluster` resolves with in a worker, once `start` has. */
export interface ClusterWorker<T> extends ClusterWorkerInfo {
  readonly role: 'worker'
  /** What `start` returned. */
  readonly app: T
}

/** Tags the runner's own IPC messages (the PubSub relay uses `cinder.cluster`). */
const RUNNER_TAG = 'cinder.runner'

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
    ? runPrimary(options, env, base, logger)
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

// ---- primary ----

interface Slot {
  readonly index: number
  readonly node: string
  worker: Worker | undefined
  ready: boolean
  /** Why the current process failed to start, as it reported. */
  failure: string | undefined
}

async function runPrimary<T>(
  options: RunClusterOptions<T>,
  env: Readonly<Record<string, string | undefined>>,
  base: string,
  logger: Logger,
): Promise<ClusterPrimary> {
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
  const ownProcess = options.handleSignals !== false

  cluster.setupPrimary({
    ...(options.exec === undefined ? {} : { exec: options.exec }),
    execArgv: [...(options.execArgv ?? process.execArgv)],
  })
  const relay = options.relay === false ? undefined : installClusterRelay({ logger })
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    node: `${base}-w${i + 1}`,
    worker: undefined,
    ready: false,
    failure: undefined,
  }))
  const bySlot = new Map<Worker, Slot>()
  let restarts: number[] = []
  let state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting'
  let exitCode = 0
  let crashLoop: CinderError | undefined
  let stopping: Promise<void> | undefined
  let killTimer: NodeJS.Timeout | undefined

  let settleStart: (error?: Error) => void = () => {}
  const started = new Promise<void>((resolve, reject) => {
    settleStart = (error) => (error === undefined ? resolve() : reject(error))
  })
  let end: (code: number) => void = () => {}
  const ended = new Promise<number>((resolve) => {
    end = resolve
  })

  const fork = (slot: Slot): void => {
    const worker = cluster.fork({
      CINDER_NODE: slot.node,
      CINDER_WORKER_INDEX: String(slot.index),
      CINDER_WORKER_COUNT: String(count),
    })
    slot.worker = worker
    slot.ready = false
    slot.failure = undefined
    bySlot.set(worker, slot)
  }

  const onMessage = (worker: Worker, message: unknown): void => {
    const slot = bySlot.get(worker)
    if (slot === undefined || !Array.isArray(message) || message[0] !== RUNNER_TAG) return
    if (message[1] === 'ready') {
      slot.ready = true
      if (state === 'stopping') {
        // It was still loading when the stop went out, with nobody listening: ask again.
        sendTo(worker, [RUNNER_TAG, 'stop'])
        return
      }
      logger.info(`cluster: worker ${slot.node} (pid ${worker.process.pid}) is ready`)
      if (state === 'starting' && slots.every((s) => s.ready)) {
        state = 'running'
        logger.info(`cluster: ${count} workers running (${slots.map((s) => s.node).join(', ')})`)
        settleStart()
      }
    } else if (message[1] === 'failed') {
      slot.failure = String(message[2])
    }
  }

  const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    const slot = bySlot.get(worker)
    if (slot === undefined) return // not one of ours
    bySlot.delete(worker)
    slot.worker = undefined
    slot.ready = false
    if (state === 'stopping') {
      if (bySlot.size === 0) finish()
      return
    }
    const how = signal === null ? `with code ${code}` : `on ${signal}`
    const why = slot.failure === undefined ? '' : `: ${slot.failure}`
    const now = performance.now()
    restarts = restarts.filter((t) => now - t < maxSeconds * 1000)
    restarts.push(now)
    if (restarts.length > maxRestarts) {
      const message = `workers exited ${restarts.length} times within ${maxSeconds} s (maxRestarts ${maxRestarts}), last ${slot.node} (pid ${worker.process.pid}) ${how}${why}; stopping the cluster`
      logger.error(`cluster: ${message}`)
      exitCode = 1
      crashLoop = new CinderError('CINDER_ERR_ENDPOINT_CRASH_LOOP', message)
      void shutdown()
      return
    }
    logger.warn(
      `cluster: worker ${slot.node} (pid ${worker.process.pid}) exited ${how}${why}; restarting it`,
    )
    fork(slot)
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (state === 'stopping') {
      logger.warn(`cluster: ${signal} again; killing the workers`)
      for (const worker of bySlot.keys()) worker.process.kill('SIGKILL')
      return
    }
    logger.info(`cluster: ${signal}; stopping ${bySlot.size} workers`)
    void shutdown()
  }

  function shutdown(): Promise<void> {
    if (stopping !== undefined) return stopping
    stopping = ended.then(() => {})
    state = 'stopping'
    if (bySlot.size === 0) {
      finish()
      return stopping
    }
    for (const worker of bySlot.keys()) sendTo(worker, [RUNNER_TAG, 'stop'])
    killTimer = setTimeout(() => {
      for (const [worker, slot] of bySlot) {
        logger.warn(
          `cluster: worker ${slot.node} did not stop within ${shutdownTimeout} ms; killing it`,
        )
        worker.process.kill('SIGKILL')
      }
    }, shutdownTimeout)
    return stopping
  }

  function finish(): void {
    if (state === 'ended') return
    state = 'ended'
    clearTimeout(killTimer)
    relay?.uninstall()
    cluster.off('message', onMessage)
    cluster.off('exit', onExit)
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    if (ownProcess && exitCode !== 0) process.exitCode = exitCode
    end(exitCode)
    // A stop before every worker was ready still settles runCluster: a crash loop rejects it.
    settleStart(crashLoop)
  }

  cluster.on('message', onMessage)
  cluster.on('exit', onExit)
  if (ownProcess) {
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  }
  logger.info(`cluster: starting ${count} workers`)
  for (const slot of slots) fork(slot)
  await started

  return {
    role: 'primary',
    node: base,
    workers: () => slots.map(({ index, node, worker, ready }) => ({ index, node, worker, ready })),
    stop: shutdown,
    ended,
  }
}

function sendTo(worker: Worker, message: unknown[]): void {
  try {
    worker.send(message, () => {}) // a worker that is gone shows in its exit
  } catch {}
}

// ---- worker ----

async function runWorker<T>(
  options: RunClusterOptions<T>,
  base: string,
  logger: Logger,
): Promise<ClusterWorker<T>> {
  // The primary put this worker's identity in its environment (whatever `env` option it had).
  const env = process.env
  const slot = env.CINDER_WORKER_INDEX
  const index = Number(slot ?? cluster.worker?.id ?? 1)
  const workers = Number(env.CINDER_WORKER_COUNT ?? 1)
  const node = slot !== undefined && env.CINDER_NODE ? env.CINDER_NODE : `${base}-w${index}`
  setNodeName(node)
  // Resolves once the message is written (or cannot be), so an exit right after loses nothing.
  const report = (message: unknown[]): Promise<void> =>
    new Promise((resolve) => {
      if (process.send === undefined || !process.connected) resolve()
      else process.send(message, undefined, undefined, () => resolve())
    })

  // Listening before `start` so that a stop asked for meanwhile is not lost.
  let app: { value: T } | undefined
  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping || app === undefined) {
      stopping = true // a start still under way stops as soon as it is done
      return
    }
    stopping = true
    try {
      const value: unknown = app.value
      if (hasStop(value)) await value.stop()
    } catch (err) {
      logger.error(`cluster: worker ${node} failed to stop cleanly: ${errorText(err)}`)
      process.exit(1)
    }
    process.exit(0)
  }
  const onStop = (): void => void stop()
  process.on('message', (message: unknown) => {
    if (Array.isArray(message) && message[0] === RUNNER_TAG && message[1] === 'stop') onStop()
  })
  // Ctrl-C reaches every process of the group: drain rather than die.
  process.on('SIGTERM', onStop)
  process.on('SIGINT', onStop)

  try {
    app = { value: await options.start({ index, node, workers }) }
  } catch (err) {
    logger.error(`cluster: worker ${node} failed to start: ${errorText(err)}`)
    await report([RUNNER_TAG, 'failed', errorText(err)])
    process.exit(1)
  }
  if (stopping) {
    stopping = false
    await stop()
  }
  await report([RUNNER_TAG, 'ready'])
  return { role: 'worker', index, node, workers, app: app.value }
}

function hasStop(value: unknown): value is { stop(): unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { stop?: unknown }).stop === 'function'
  )
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : describe(err)
}

function optionError(message: string): CinderError {
  return new CinderError('CINDER_ERR_ENDPOINT_CLUSTER_OPTIONS', `runCluster: ${message}`)
}
