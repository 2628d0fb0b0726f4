/**
 * The socket drainer (Phoenix's `Socket.PoolDrainer`): the endpoint
 * supervisor's last child, so the first to stop. Its `terminate` is the
 * graceful shutdown of the sockets:
 *
 * 1. stop accepting: the HTTP server stops listening and the transports
 *    refuse new connections;
 * 2. tell every connection process to drain, `batchSize` at a time,
 *    `batchInterval` ms apart (on the runtime clock): each closes with 1012
 *    ("service restart": clients reconnect, elsewhere if they can) and stops
 *    its channels;
 * 3. wait until every connection has closed.
 *
 * The whole of it is bounded by `shutdown` ms (the child spec's shutdown):
 * past it the supervisor kills the drainer and the HTTP server child drops
 * what is left.
 */

import type { Logger } from '../logger.ts'
import {
  type Behaviour,
  type ChildSpec,
  getClock,
  type Pid,
  send,
  spawn,
} from '../process/index.ts'
import { DRAIN } from '../socket/connection.ts'
import { connectionPids } from '../socket/connection-supervisor.ts'

/** Options of the drainer (Phoenix's defaults). */
export interface DrainerOptions {
  /** Connections told to drain per batch. Default 10 000. */
  readonly batchSize?: number
  /** Pause between batches, ms. Default 2000. */
  readonly batchInterval?: number
  /** The most the whole drain may take, ms. Default 30 000. */
  readonly shutdown?: number
}

/** What the drainer drains: one socket mount, as the endpoint runs it. */
export interface DrainTarget {
  /** The mount's connection supervisor, when running. */
  readonly supervisor: Pid | undefined
  /** Refuse new connections. */
  stopAccepting(): void
  /** Resolves once every connection of the mount has closed. */
  settled(): Promise<void>
}

interface DrainerState {
  readonly targets: () => readonly DrainTarget[]
  readonly stopListening: () => void
  readonly batchSize: number
  readonly batchInterval: number
  readonly logger: Logger
}

const drainer: Behaviour<DrainerState, DrainerState> = {
  name: 'socket drainer',
  init: (state) => state,
  terminate: (_reason, state) => drain(state),
}

async function drain(state: DrainerState): Promise<void> {
  state.stopListening()
  const targets = state.targets()
  for (const target of targets) target.stopAccepting()
  const pids: Pid[] = []
  for (const target of targets) {
    if (target.supervisor === undefined) continue
    try {
      pids.push(...(await connectionPids(target.supervisor)))
    } catch {
      // The mount's supervisor is gone: its connections went with it.
    }
  }
  const { batchSize, batchInterval } = state
  if (pids.length > 0) {
    const rounds = Math.ceil(pids.length / batchSize)
    state.logger.info(
      `draining ${pids.length} sockets in ${rounds} round(s) of ${batchSize}, ${batchInterval} ms apart`,
    )
  }
  for (let at = 0; at < pids.length; at += batchSize) {
    if (at > 0) await sleep(batchInterval)
    for (const pid of pids.slice(at, at + batchSize)) send(pid, DRAIN)
  }
  await Promise.all(targets.map((target) => target.settled()))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => getClock().setTimeout(resolve, ms))
}

/** The drainer's child spec. */
export function drainerSpec(
  targets: () => readonly DrainTarget[],
  stopListening: () => void,
  logger: Logger,
  options: DrainerOptions,
): ChildSpec {
  const state: DrainerState = {
    targets,
    stopListening,
    logger,
    batchSize: options.batchSize ?? 10_000,
    batchInterval: options.batchInterval ?? 2000,
  }
  return {
    id: 'drainer',
    start: () => spawn(drainer, state, { link: true }),
    shutdown: options.shutdown ?? 30_000,
  }
}
