/**
 * The results channel callbacks return, and the run time checks that turn a
 * wrong shape into a crash saying what was expected (Phoenix's
 * `handle_result`).
 *
 * `handleIn`, `handleOut` and `handleInfo` return the same outcomes as any
 * process (`reply`, `noreply`, `stop` from the process API), with the socket
 * as the state, exactly as a Phoenix channel returns GenServer tuples. Only
 * `join` has its own pair, `ok` and `error`.
 */
import { CinderError, describe } from '../errors.ts'
import { Outcome } from '../process/behaviour.ts'
import type { JoinError, JoinOk, JoinResult } from './channel.ts'
import { ChannelSocket, isPayload, type Payload } from './channel-socket.ts'

/**
 * Accepts a join. `reply` (default `{}`) reaches the client's `receive('ok')`.
 *
 * **Example**
 * ```ts
 * join(topic, params, socket) { return ok(socket, { welcome: topic }) }
 * ```
 */
export function ok<A extends object>(socket: ChannelSocket<A>, reply?: Payload): JoinOk<A> {
  return reply === undefined ? { ok: socket } : { ok: socket, reply }
}

/**
 * Refuses a join. `reply` reaches the client's `receive('error')`.
 *
 * **Example**
 * ```ts
 * return error({ reason: 'unauthorized' })
 * ```
 */
export function error(reply: Payload): JoinError {
  return { error: reply }
}

/** A checked callback result. */
export type Step =
  | { readonly kind: 'noreply'; readonly socket: ChannelSocket<object> }
  | {
      readonly kind: 'reply'
      readonly socket: ChannelSocket<object>
      readonly status: string
      readonly response: Payload
    }
  | {
      readonly kind: 'stop'
      readonly socket: ChannelSocket<object>
      readonly reason: unknown
      readonly reply?: { readonly status: string; readonly response: Payload }
    }

const JOIN_SHAPES = `  ok(socket, reply?)     (reply: a plain object or bytes)
  error(reply)`
const IN_SHAPES = `  reply(status, socket)              e.g. reply('ok', socket)
  reply([status, response], socket)  e.g. reply(['ok', { n: 1 }], socket)
  noreply(socket)
  stop(reason, socket)
  stop(reason, socket, status | [status, response])`
const OTHER_SHAPES = `  noreply(socket)
  stop(reason, socket)`

function badResult(where: string, shapes: string, got: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `${where} must return one of:\n${shapes}\n(or a promise of one), where socket is the channel's socket; got: ${describe(got)}`,
  )
}

/** Checks a `join` result; throws a CinderError naming the accepted shapes. */
export function checkJoinResult(where: string, result: unknown): JoinResult<object> {
  if (typeof result === 'object' && result !== null) {
    if ('ok' in result && result.ok instanceof ChannelSocket) {
      const reply = (result as { reply?: unknown }).reply
      if (reply === undefined || isPayload(reply)) return result as JoinOk<object>
    }
    if ('error' in result && isPayload(result.error)) return result as JoinError
  }
  throw badResult(where, JOIN_SHAPES, result)
}

/** Checks a `handleIn` result. */
export function checkHandleInResult(where: string, result: unknown): Step {
  return checkStep(where, IN_SHAPES, result, true)
}

/** Checks a `handleOut` or `handleInfo` result. */
export function checkHandleResult(where: string, result: unknown): Step {
  return checkStep(where, OTHER_SHAPES, result, false)
}

function checkStep(where: string, shapes: string, result: unknown, replies: boolean): Step {
  if (!(result instanceof Outcome) || !(result.state instanceof ChannelSocket)) {
    throw badResult(where, shapes, result)
  }
  const socket = result.state as ChannelSocket<object>
  if (result.kind === 'noreply') return { kind: 'noreply', socket }
  if (result.kind === 'stop' && !result.hasReply)
    return { kind: 'stop', socket, reason: result.reason }
  const reply = replies ? replyOf(result.value) : undefined
  if (reply === undefined) throw badResult(where, shapes, result)
  if (result.kind === 'reply') return { kind: 'reply', socket, ...reply }
  return { kind: 'stop', socket, reason: result.reason, reply }
}

/** `'ok'` or `['ok', {…}]` → `{status, response}`; anything else → undefined. */
function replyOf(value: unknown): { status: string; response: Payload } | undefined {
  if (typeof value === 'string') return { status: value, response: {} }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    isPayload(value[1])
  ) {
    return { status: value[0], response: value[1] as Payload }
  }
  return undefined
}
