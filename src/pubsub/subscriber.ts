/** Subscribers, dispatchers and the default delivery (see `pubsub.ts`). */
import { type Pid, send } from '../process/index.ts'
import type { Position } from './history.ts'
import type { SubscriberEntry } from './subscriptions.ts'

/** A function subscriber: called synchronously with each message. */
export type SubscriberFn = (message: unknown) => void

/** A process (the message goes to its `handleInfo`) or a function. */
export type Subscriber = Pid | SubscriberFn

/**
 * Delivers `message` to the entries of one topic on this node. `from` is the
 * subscriber to skip (set by `broadcastFrom` on the sending node; undefined
 * elsewhere); a dispatcher may honour it or not. `position` is set on a
 * durable topic (see `PubSub.durable`). Use `deliver` to hand a message to
 * an entry the default way.
 */
export type Dispatcher = (
  entries: Iterable<SubscriberEntry<Subscriber>>,
  from: Subscriber | undefined,
  message: unknown,
  position?: Position,
) => void

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** Stored with the subscription and handed to dispatchers. */
  metadata?: unknown
}

/** Hands a message to one subscriber the default way: `send` to a process, call a function. */
export function deliver(subscriber: Subscriber, message: unknown): void {
  if (typeof subscriber === 'function') subscriber(message)
  else send(subscriber, message)
}
