/**
 * A worker of `runCluster`: it takes its identity (slot, node name) from the environment the
 * primary forked it with, runs the application's `start`, reports to the primary that it is
 * ready (or why it failed), and stops what `start` returned when the primary or a signal
 * tells it to, then exits.
 */
import cluster from 'node:cluster'
import { describe } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { setNodeName } from '../process/index.ts'
import { isRunnerMessage, RUNNER_TAG } from './cluster-ipc.ts'

/** What a worker's `start` is told about itself. */
export interface ClusterWorkerInfo {
  /** The worker's slot, 1..workers; a restarted worker keeps its slot. */
  readonly index: number
  /** This worker's node name, `<base>-w<index>` (also in `process.env.CINDER_NODE`). */
  readonly node: string
  /** How many workers the cluster runs. */
  readonly workers: number
}

/** What `runCluster` resolves with in a worker, once `start` has. */
export interface ClusterWorker<T> extends ClusterWorkerInfo {
  readonly role: 'worker'
  /** What `start` returned. */
  readonly app: T
}

/** Runs `start` in this worker process (see the module comment). */
export async function runWorker<T>(
  options: { readonly start: (worker: ClusterWorkerInfo) => Promise<T> },
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
    if (isRunnerMessage(message) && message[1] === 'stop') onStop()
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
