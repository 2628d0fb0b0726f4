/** Checking what a view's callback returned (shared by the view and its live components). */
import { CinderError, describe } from '../errors.ts'
import { Outcome } from '../process/behaviour.ts'
import type { LiveSocket } from './live-view.ts'

/** What a callback's result comes to: the socket, and a hook reply if any. */
export interface Settled<A extends object> {
  readonly socket: LiveSocket<A>
  readonly reply: unknown
}

/**
 * Checks a callback's result (so a wrong shape from plain JS fails with a
 * message naming the shapes allowed, not later and elsewhere).
 */
export function settle<A extends object>(
  where: string,
  result: unknown,
  socket: LiveSocket<A>,
  replies: boolean,
): Settled<A> {
  if (result === undefined || result === socket) return { socket, reply: undefined }
  if (result instanceof Outcome && result.state === socket) {
    if (result.kind === 'noreply') return { socket, reply: undefined }
    if (result.kind === 'reply' && replies) return { socket, reply: result.value ?? null }
  }
  throw new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `${where} must return nothing, the socket, or noreply(socket)${replies ? ' or reply(value, socket) (a hook reply)' : ''}, with the socket it was given; got: ${describe(result)}`,
  )
}
