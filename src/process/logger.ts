/**
 * Where the runtime reports crashes and supervisor events. Replaceable, so
 * tests can silence or capture it and applications can route it to their own
 * logging.
 */

/** Structured details attached to a log line (pid, name, reason, …). */
export type LogMeta = Record<string, unknown>

/** The runtime's log sink. `info` carries supervisor restarts and shutdowns. */
export interface Logger {
  error(message: string, meta?: LogMeta): void
  warn(message: string, meta?: LogMeta): void
  info(message: string, meta?: LogMeta): void
}

/** The default: errors and warnings to stderr, info dropped. */
export const consoleLogger: Logger = {
  error: (message) => console.error(`[cinder] ${message}`),
  warn: (message) => console.warn(`[cinder] ${message}`),
  info: () => {},
}

let current: Logger = consoleLogger

/** The runtime's logger now. */
export function getLogger(): Logger {
  return current
}

/** Replaces the runtime's logger; returns a function that puts the previous one back. */
export function setLogger(logger: Logger): () => void {
  const previous = current
  current = logger
  return () => {
    current = previous
  }
}
