/**
 * Running a supervision tree as the application: stop it gracefully on
 * SIGTERM/SIGINT (each child within its shutdown timeout, in reverse start
 * order), then let Node exit on its own because nothing is left.
 */

import { CinderError, describe } from '../errors.ts'
import { getLogger } from '../logger.ts'
import type { ExitReason } from './behaviour.ts'
import { isNormalExit } from './behaviour.ts'
import { Pid } from './pid.ts'
import { awaitExit, isAlive, stopProcess } from './process.ts'

/** Options of `runApplication`. */
export interface ApplicationOptions {
  /** Signals that stop the tree. Default: SIGTERM and SIGINT. A second signal forces exit. */
  readonly signals?: readonly NodeJS.Signals[]
}

/** A running application tree. */
export interface Application {
  /** The root process (usually a supervisor). */
  readonly pid: Pid
  /** Resolves with the root's exit reason once the tree has stopped, whatever stopped it. */
  readonly stopped: Promise<ExitReason>
  /** Stops the tree gracefully (as a signal would) and resolves once it has stopped. */
  stop(reason?: ExitReason): Promise<void>
}

/**
 * Starts the root of the application with `start` and stops it gracefully on
 * the given signals. When the root stops with a crash (e.g. its supervisor
 * gave up), `process.exitCode` is set to 1. Signal handlers are removed once
 * the tree stopped, so Node exits when nothing else is pending.
 *
 * @example
 * await runApplication(() => startSupervisor([childSpec('clock', ticker, 1000)]))
 */
export async function runApplication(
  start: () => Promise<Pid>,
  options: ApplicationOptions = {},
): Promise<Application> {
  const { signals = ['SIGTERM', 'SIGINT'] } = options
  const pid = await start()
  if (!(pid instanceof Pid)) {
    throw new CinderError(
      'CINDER_ERR_BAD_RETURN',
      `runApplication: start() must resolve to the root pid (e.g. startSupervisor(children)); got ${describe(pid)}`,
    )
  }
  let stopping: Promise<void> | undefined
  const stop = (reason: ExitReason = 'shutdown'): Promise<void> => {
    if (stopping === undefined) {
      stopping = isAlive(pid) ? stopProcess(pid, reason).catch(() => {}) : Promise.resolve()
    }
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      getLogger().warn(`got ${signal} again while stopping; exiting now`)
      process.exit(130)
    }
    getLogger().info(`got ${signal}; stopping the application`, { signal })
    void stop('shutdown')
  }
  for (const signal of signals) process.on(signal, onSignal)
  const stopped = awaitExit(pid).then((reason) => {
    for (const signal of signals) process.off(signal, onSignal)
    if (!isNormalExit(reason)) {
      process.exitCode = 1
      getLogger().error(`the application stopped: ${describe(reason)}`, { reason })
    }
    return reason
  })
  return {
    pid,
    stopped,
    stop: async (reason) => {
      await stop(reason)
      await stopped
    },
  }
}
