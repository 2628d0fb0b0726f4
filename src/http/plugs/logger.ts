/**
 * Logs one line per request when its response is sent:
 * `GET /users/1 200 in 1.2ms [request-id]`. The sink is replaceable.
 */
import type { Conn } from '../conn.ts'
import { getRequestId } from './request-id.ts'

/** What a log line is made of, for structured sinks. */
export interface RequestLog {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly durationMs: number
  readonly requestId: string | undefined
}

export interface LoggerOptions {
  /** Receives each line and its parts. Default: `console.info(line)`. */
  readonly log?: (line: string, entry: RequestLog) => void
}

/**
 * @example
 * logger({ log: (line, entry) => myLogger.info(entry, line) })
 */
export function logger({ log = (line) => console.info(line) }: LoggerOptions = {}) {
  return function loggerPlug(conn: Conn): Conn {
    const started = performance.now()
    return conn.registerBeforeSend((sent) => {
      const entry: RequestLog = {
        method: sent.method,
        path: sent.requestPath,
        status: sent.status ?? 200,
        durationMs: performance.now() - started,
        requestId: getRequestId(sent),
      }
      const id = entry.requestId === undefined ? '' : ` [${entry.requestId}]`
      log(
        `${entry.method} ${entry.path} ${entry.status} in ${formatDuration(entry.durationMs)}${id}`,
        entry,
      )
    })
  }
}

function formatDuration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`
}
