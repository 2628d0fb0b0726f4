/**
 * Stopping one child the OTP way: unlink (so no EXIT message follows), send
 * `'shutdown'`, wait up to the child's shutdown time on the runtime clock,
 * then `'kill'`. Called from inside the supervising process.
 */

import { getLogger } from '../logger.ts'
import type { ExitReason } from './behaviour.ts'
import type { Shutdown } from './child-spec.ts'
import { getClock, type TimerHandle } from './clock.ts'
import type { Pid } from './pid.ts'
import { awaitExit, exit, isAlive, unlink } from './process.ts'

const TIMED_OUT: unique symbol = Symbol('timed out')

/** @internal Stops `pid` within `shutdown`; resolves with its exit reason. */
export async function shutdownChild(
  pid: Pid,
  shutdown: Shutdown,
  label: string,
): Promise<ExitReason> {
  if (!isAlive(pid)) return 'noproc'
  unlink(pid)
  const exited = awaitExit(pid)
  if (shutdown === 'brutal_kill') {
    exit(pid, 'kill')
    return exited
  }
  exit(pid, 'shutdown')
  if (shutdown === 'infinity') return exited
  const clock = getClock()
  let timer: TimerHandle | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = clock.setTimeout(() => resolve(TIMED_OUT), shutdown)
  })
  const first = await Promise.race([exited, timeout])
  if (first !== TIMED_OUT) {
    clock.clearTimeout(timer)
    return first
  }
  getLogger().warn(`${label}: child ${pid} did not stop within ${shutdown} ms; killing it`, { pid })
  exit(pid, 'kill')
  return exited
}
