/**
 * The primary of `runCluster`: it forks the workers (the port is shared by cluster's
 * round-robin), relays the `cluster` PubSub adapter's frames between them, restarts a worker
 * that dies (within a restart intensity, so a crash loop stops the cluster with a clear line
 * instead of spinning), and on SIGTERM or SIGINT asks every worker to stop gracefully (an
 * endpoint drains its sockets with close code 1012), then exits.
 *
 * It goes `starting` (until every worker reported ready) → `running` → `stopping` (after
 * `stop`, a signal or a crash loop, until every worker has exited) → `ended`.
 */
import cluster, { type Worker } from 'node:cluster'
import { CinderError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { installClusterRelay } from '../pubsub/adapters/cluster-relay.ts'
import { isRunnerMessage, RUNNER_TAG } from './cluster-ipc.ts'

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

/** What the primary runs with: `runCluster`'s options, checked, with their defaults. */
export interface PrimarySettings {
  readonly count: number
  /** The base of the node names. */
  readonly base: string
  readonly logger: Logger
  readonly maxRestarts: number
  readonly maxSeconds: number
  readonly shutdownTimeout: number
  readonly relay: boolean
  /** Own the process: signals, exit code. */
  readonly ownProcess: boolean
  readonly exec: string | undefined
  readonly execArgv: readonly string[]
}

/** Starts the primary; resolves once every worker is ready (rejects after a crash loop). */
export async function runPrimary(settings: PrimarySettings): Promise<ClusterPrimary> {
  const primary = new Primary(settings)
  await primary.start()
  return {
    role: 'primary',
    node: settings.base,
    workers: () => primary.workers(),
    stop: () => primary.stop(),
    ended: primary.ended,
  }
}

interface Slot {
  readonly index: number
  readonly node: string
  worker: Worker | undefined
  ready: boolean
  /** Why the current process failed to start, as it reported. */
  failure: string | undefined
}

class Primary {
  readonly ended: Promise<number>
  readonly #settings: PrimarySettings
  readonly #slots: Slot[]
  readonly #bySlot = new Map<Worker, Slot>()
  readonly #started: Promise<void>
  #settleStart: (error?: Error) => void = () => {}
  #end: (code: number) => void = () => {}
  #relay: { uninstall(): void } | undefined
  #restarts: number[] = []
  #state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting'
  #exitCode = 0
  #crashLoop: CinderError | undefined
  #stopping: Promise<void> | undefined
  #killTimer: NodeJS.Timeout | undefined

  constructor(settings: PrimarySettings) {
    this.#settings = settings
    this.#slots = Array.from({ length: settings.count }, (_, i) => ({
      index: i + 1,
      node: `${settings.base}-w${i + 1}`,
      worker: undefined,
      ready: false,
      failure: undefined,
    }))
    this.#started = new Promise<void>((resolve, reject) => {
      this.#settleStart = (error) => (error === undefined ? resolve() : reject(error))
    })
    this.ended = new Promise<number>((resolve) => {
      this.#end = resolve
    })
  }

  /** Forks every worker; resolves once all are ready. */
  async start(): Promise<void> {
    const { exec, execArgv, logger, count, ownProcess } = this.#settings
    cluster.setupPrimary({ ...(exec === undefined ? {} : { exec }), execArgv: [...execArgv] })
    this.#relay = this.#settings.relay ? installClusterRelay({ logger }) : undefined
    cluster.on('message', this.#onMessage)
    cluster.on('exit', this.#onExit)
    if (ownProcess) {
      process.on('SIGTERM', this.#onSignal)
      process.on('SIGINT', this.#onSignal)
    }
    logger.info(`cluster: starting ${count} workers`)
    for (const slot of this.#slots) this.#fork(slot)
    await this.#started
  }

  workers(): ClusterWorkerHandle[] {
    return this.#slots.map(({ index, node, worker, ready }) => ({ index, node, worker, ready }))
  }

  /** Asks every worker to stop, killing those that outlast the shutdown timeout. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping
    const stopping = this.ended.then(() => {})
    this.#stopping = stopping
    this.#state = 'stopping'
    if (this.#bySlot.size === 0) {
      this.#finish()
      return stopping
    }
    for (const worker of this.#bySlot.keys()) sendTo(worker, [RUNNER_TAG, 'stop'])
    const { shutdownTimeout, logger } = this.#settings
    this.#killTimer = setTimeout(() => {
      for (const [worker, slot] of this.#bySlot) {
        logger.warn(
          `cluster: worker ${slot.node} did not stop within ${shutdownTimeout} ms; killing it`,
        )
        worker.process.kill('SIGKILL')
      }
    }, shutdownTimeout)
    return stopping
  }

  #fork(slot: Slot): void {
    const worker = cluster.fork({
      CINDER_NODE: slot.node,
      CINDER_WORKER_INDEX: String(slot.index),
      CINDER_WORKER_COUNT: String(this.#settings.count),
    })
    slot.worker = worker
    slot.ready = false
    slot.failure = undefined
    this.#bySlot.set(worker, slot)
  }

  readonly #onMessage = (worker: Worker, message: unknown): void => {
    const slot = this.#bySlot.get(worker)
    if (slot === undefined || !isRunnerMessage(message)) return
    if (message[1] === 'ready') this.#ready(worker, slot)
    else if (message[1] === 'failed') slot.failure = String(message[2])
  }

  #ready(worker: Worker, slot: Slot): void {
    const { logger, count } = this.#settings
    slot.ready = true
    if (this.#state === 'stopping') {
      // It was still loading when the stop went out, with nobody listening: ask again.
      sendTo(worker, [RUNNER_TAG, 'stop'])
      return
    }
    logger.info(`cluster: worker ${slot.node} (pid ${worker.process.pid}) is ready`)
    if (this.#state === 'starting' && this.#slots.every((s) => s.ready)) {
      this.#state = 'running'
      const nodes = this.#slots.map((s) => s.node).join(', ')
      logger.info(`cluster: ${count} workers running (${nodes})`)
      this.#settleStart()
    }
  }

  readonly #onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    const slot = this.#bySlot.get(worker)
    if (slot === undefined) return // not one of ours
    this.#bySlot.delete(worker)
    slot.worker = undefined
    slot.ready = false
    if (this.#state === 'stopping') {
      if (this.#bySlot.size === 0) this.#finish()
      return
    }
    const how = signal === null ? `with code ${code}` : `on ${signal}`
    const why = slot.failure === undefined ? '' : `: ${slot.failure}`
    const which = `${slot.node} (pid ${worker.process.pid})`
    if (this.#crashLooping()) {
      const { maxRestarts, maxSeconds, logger } = this.#settings
      const message = `workers exited ${this.#restarts.length} times within ${maxSeconds} s (maxRestarts ${maxRestarts}), last ${which} ${how}${why}; stopping the cluster`
      logger.error(`cluster: ${message}`)
      this.#exitCode = 1
      this.#crashLoop = new CinderError('CINDER_ERR_ENDPOINT_CRASH_LOOP', message)
      void this.stop()
      return
    }
    this.#settings.logger.warn(`cluster: worker ${which} exited ${how}${why}; restarting it`)
    this.#fork(slot)
  }

  /** Counts a restart; whether there were more than `maxRestarts` within `maxSeconds`. */
  #crashLooping(): boolean {
    const { maxRestarts, maxSeconds } = this.#settings
    const now = performance.now()
    this.#restarts = this.#restarts.filter((t) => now - t < maxSeconds * 1000)
    this.#restarts.push(now)
    return this.#restarts.length > maxRestarts
  }

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    const { logger } = this.#settings
    if (this.#state === 'stopping') {
      logger.warn(`cluster: ${signal} again; killing the workers`)
      for (const worker of this.#bySlot.keys()) worker.process.kill('SIGKILL')
      return
    }
    logger.info(`cluster: ${signal}; stopping ${this.#bySlot.size} workers`)
    void this.stop()
  }

  #finish(): void {
    if (this.#state === 'ended') return
    this.#state = 'ended'
    clearTimeout(this.#killTimer)
    this.#relay?.uninstall()
    cluster.off('message', this.#onMessage)
    cluster.off('exit', this.#onExit)
    process.off('SIGTERM', this.#onSignal)
    process.off('SIGINT', this.#onSignal)
    if (this.#settings.ownProcess && this.#exitCode !== 0) process.exitCode = this.#exitCode
    this.#end(this.#exitCode)
    // A stop before every worker was ready still settles runCluster: a crash loop rejects it.
    this.#settleStart(this.#crashLoop)
  }
}

function sendTo(worker: Worker, message: unknown[]): void {
  try {
    worker.send(message, () => {}) // a worker that is gone shows in its exit
  } catch {}
}
