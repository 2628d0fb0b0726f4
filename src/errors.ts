/**
 * Every error Cinder throws on purpose is a `CinderError` with a stable `code`
 * from the registry below, so callers can branch on `err.code` and the docs
 * (`docs/errors.md`) can list each one. A test keeps the two in agreement.
 */

/** The registry: code → one line on what it means. Grouped by part; add to your part's group. */
export const ERROR_CODES = {
  // process/
  CINDER_ERR_CALL_TIMEOUT: 'a call got no reply within its timeout',
  CINDER_ERR_NOPROC: 'the target process is not alive (or the name is not registered)',
  CINDER_ERR_CALLEE_EXITED: 'the called process stopped before it replied',
  CINDER_ERR_NAME_TAKEN: 'a process or table name is already registered',
  CINDER_ERR_BAD_RETURN: 'a callback returned a shape that is not allowed',
  CINDER_ERR_BAD_CHILD_SPEC: 'a supervisor child spec is missing fields or has wrong ones',
  CINDER_ERR_START_FAILED: 'a process failed to start (init threw or was refused)',
  CINDER_ERR_MAX_CHILDREN: 'a DynamicSupervisor already runs its maximum number of children',
  CINDER_ERR_NO_CHILD: 'no child with that id in the supervisor',
  CINDER_ERR_CHILD_RUNNING: 'the child is running (terminate it first)',
  CINDER_ERR_NOT_IN_PROCESS: 'an operation needs a current process but was called outside one',
  // table/
  CINDER_ERR_TABLE_ACCESS: "the calling process may not access the table this way (see its 'access')",
  CINDER_ERR_TABLE_DELETED: 'the table was deleted (its owner stopped without an heir)',
  CINDER_ERR_TABLE_BAD_ARG: 'a table operation got an argument of the wrong shape',
  // token/
  // http/
  // socket/ and channel/
  // pubsub/
  CINDER_ERR_PUBSUB_BAD_ARG: 'a PubSub function got an argument of the wrong shape',
  CINDER_ERR_PUBSUB_NOT_RUNNING: 'the PubSub is not started yet, or already stopped',
  CINDER_ERR_PUBSUB_NO_DISPATCHER: 'no dispatcher is registered under that name on the PubSub',
  CINDER_ERR_PUBSUB_ENCODE: 'a broadcast message cannot be encoded to cross nodes (JSON plus binary)',
  CINDER_ERR_PUBSUB_CONNECT: 'the PubSub adapter could not reach its server (Redis or NATS) at start',
  // presence/
  CINDER_ERR_PRESENCE_ALREADY_TRACKED: 'the process already tracks that key on that topic',
  CINDER_ERR_PRESENCE_NOT_TRACKED: 'the process tracks nothing under that key on that topic',
  CINDER_ERR_PRESENCE_BAD_ARG: 'a presence or tracker operation got an argument of the wrong shape',
  CINDER_ERR_PRESENCE_BAD_REPLICATION: 'a tracker delta or state transfer from a peer is malformed',
  // live/
  // endpoint/
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** An error with a stable code. `message` says what was expected and what came. */
export class CinderError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CinderError'
    this.code = code
  }
}

/** Renders a value for an error message: short, and safe for any input. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (typeof value !== 'object' || value === null) return String(value)
  try {
    const json = JSON.stringify(value)
    return json.length > 200 ? `${json.slice(0, 200)}…` : json
  } catch {
    return Object.prototype.toString.call(value)
  }
}
