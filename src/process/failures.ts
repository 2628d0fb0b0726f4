/** How the process runtime words exit reasons, and the errors it shares between its parts. */
import { CinderError, describe } from '../errors.ts'
import type { ExitReason } from './behaviour.ts'
import type { ProcessTarget } from './names.ts'
import type { Proc } from './proc.ts'

/** An exit reason for a log line: an error's stack, anything else described. */
export function formatReason(reason: ExitReason): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`
  return describe(reason)
}

/** The error of a call whose callee stopped before it replied. */
export function calleeExited(p: Proc, reason: ExitReason): CinderError {
  return new CinderError(
    'CINDER_ERR_CALLEE_EXITED',
    `${p.label} stopped before it replied (reason: ${reasonText(reason)})`,
    { cause: reason },
  )
}

/** An exit reason in one line, for an error message. */
export function reasonText(reason: ExitReason): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : describe(reason)
}

/** The error for a target that is not alive (or a name nobody holds). */
export function noproc(target: ProcessTarget, what: string): CinderError {
  return new CinderError(
    'CINDER_ERR_NOPROC',
    typeof target === 'string'
      ? `${what}: no process is registered under the name ${describe(target)}`
      : `${what}: process ${target} is not alive`,
  )
}
