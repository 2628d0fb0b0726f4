/**
 * The one log sink every part writes to: the runtime's crash and supervisor
 * reports, the transports' refusals, PubSub's link changes, the cluster
 * runner. Replaceable (`setLogger`), so tests can silence or capture it and
 * applications can route it to their own logging; each part also takes a
 * `logger` option of this same type.
 */

/** Structured details attached to a log line (pid, name, reason, …). */
export type LogMeta = Record<string, unknown>

/** A log sink. `info` carries supervisor restarts and shutdowns; `console` fits. */
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

/**
 * A logger that writes to whatever the runtime's logger is when a line is
 * written, so a part created before a test swaps the logger still follows it.
 */
export const runtimeLogger: Logger = {
  error: (message, meta) => current.error(message, meta),
  warn: (message, meta) => current.warn(message, meta),
  info: (message, meta) => current.info(message, meta),
}
