// Shared helpers for the process tests: a quiet logger that records, a probe
// behaviour that records what it receives, and a way to let mailboxes drain.
import type { Behaviour, ExitReason, Logger, LogMeta } from '../../src/process/index.ts'
import { noreply, reply, setLogger } from '../../src/process/index.ts'

/** Lets every microtask chain (mailboxes, spawns, restarts) run to the end. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export interface LogLine {
  level: 'error' | 'warn' | 'info'
  message: string
  meta: LogMeta | undefined
}

/** Installs a logger that records lines instead of printing; returns the lines and a restore function. */
export function captureLogs(): { lines: LogLine[]; restore: () => void } {
  const lines: LogLine[] = []
  const logger: Logger = {
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
  }
  return { lines, restore: setLogger(logger) }
}

/** What a probe saw: its messages and, once stopped, its terminate reason. */
export interface ProbeLog {
  messages: unknown[]
  terminated: ExitReason[]
}

export function newProbeLog(): ProbeLog {
  return { messages: [], terminated: [] }
}

/** Records every info and cast message; answers 'state' calls with its log; 'crash' casts throw. */
export const probe: Behaviour<ProbeLog, ProbeLog> = {
  name: 'probe',
  init: (log) => log,
  handleInfo(message, log) {
    log.messages.push(message)
    return noreply(log)
  },
  handleCast(message, log) {
    if (message === 'crash') throw new Error('probe asked to crash')
    log.messages.push(message)
    return noreply(log)
  },
  handleCall: (_request, _from, log) => reply(log.messages.length, log),
  terminate(reason, log) {
    log.terminated.push(reason)
  },
}
