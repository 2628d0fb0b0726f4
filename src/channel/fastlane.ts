/**
 * The fastlane: the PubSub dispatcher channel broadcasts go through.
 *
 * A channel subscribes to its topic with itself as the subscription's
 * metadata. For a broadcast, the dispatcher walks the topic's subscribers
 * and, for each channel:
 * - skips the sender of a `broadcastFrom`;
 * - hands events the channel intercepts to the channel's process
 *   (`handleOut`);
 * - otherwise writes the encoded frame straight to the channel's connection,
 *   encoding once per serializer for the whole broadcast.
 * Subscribers that are not channels get the message the default way.
 * This is Phoenix's `Phoenix.Channel.Server.fastlane/3`.
 *
 * A broadcast on a durable topic comes with its position: each channel first
 * `admit`s it (a channel still recovering its history buffers it instead, and
 * one that already has it drops it), and the frame carries the position in
 * its `ref`, where the client-side helper reads it.
 */
import {
  deliver,
  formatPosition,
  type Position,
  type PubSub,
  type Subscriber,
  type SubscriberEntry,
} from '../pubsub/index.ts'
import type { Frame, TransportConnection } from '../wire/connection.ts'
import type { Serializer as WireSerializer } from '../wire/serializer.ts'
import { type Broadcast, isBroadcast } from './broadcast.ts'

/** The name the fastlane dispatcher is registered under on every PubSub. */
export const FASTLANE = 'cinder.fastlane'

/** Brands the metadata of a channel's subscription. */
export const kFastlane: unique symbol = Symbol('cinder.fastlane')

/** What a channel subscription's metadata offers the dispatcher. */
export interface FastlaneTarget {
  readonly [kFastlane]: true
  readonly serializer: WireSerializer
  readonly connection: TransportConnection
  /** Whether `event` goes through the channel's `handleOut`. */
  intercepts(event: string): boolean
  /** Queues an intercepted broadcast for the channel's process. */
  intercepted(broadcast: Broadcast, position?: Position): void
  /** Whether a durable broadcast goes to the client now (false: buffered or already sent). */
  admit(broadcast: Broadcast, position: Position): boolean
}

function isTarget(metadata: unknown): metadata is FastlaneTarget {
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    (metadata as Partial<FastlaneTarget>)[kFastlane] === true
  )
}

const registered = new WeakSet<PubSub>()

/**
 * Registers the fastlane on a PubSub, once. Every part that puts channels on
 * a PubSub calls it (the socket handler, Presence) before the first
 * broadcast: dispatchers travel by name, so every node must know this one.
 */
export function registerFastlane(pubsub: PubSub): void {
  if (registered.has(pubsub)) return
  registered.add(pubsub)
  pubsub.registerDispatcher(FASTLANE, fastlane)
}

/** The dispatcher itself (`registerFastlane` registers it). */
export function fastlane(
  entries: Iterable<SubscriberEntry<Subscriber>>,
  from: Subscriber | undefined,
  message: unknown,
  position?: Position,
): void {
  if (position !== undefined) {
    durableFastlane(entries, from, message, position)
    return
  }
  const broadcast = isBroadcast(message) ? message : undefined
  // Nearly every broadcast meets one serializer only: keep it in two locals.
  let lastSerializer: WireSerializer | undefined
  let lastFrame: Frame | undefined
  let others: Map<WireSerializer, Frame> | undefined
  for (const entry of entries) {
    if (entry.subscriber === from) continue
    const target = entry.metadata
    if (broadcast === undefined || !isTarget(target)) {
      deliver(entry.subscriber, message)
      continue
    }
    if (target.intercepts(broadcast.event)) {
      target.intercepted(broadcast)
      continue
    }
    const serializer = target.serializer
    if (serializer === lastSerializer && lastFrame !== undefined) {
      target.connection.push(lastFrame)
      continue
    }
    let frame = others?.get(serializer)
    if (frame === undefined) {
      frame = serializer.fastlane(broadcast)
      if (lastSerializer !== undefined) {
        others ??= new Map()
        others.set(lastSerializer, lastFrame as Frame)
      }
    }
    lastSerializer = serializer
    lastFrame = frame
    target.connection.push(frame)
  }
}

/** The frame of a durable broadcast: a push whose `ref` is the position. */
export function positionedFrame(
  serializer: WireSerializer,
  broadcast: Broadcast,
  position: Position,
): Frame {
  const { topic, event, payload } = broadcast
  return serializer.encode({ joinRef: null, ref: formatPosition(position), topic, event, payload })
}

/** The fastlane of a durable topic: admit, then one frame per serializer. */
function durableFastlane(
  entries: Iterable<SubscriberEntry<Subscriber>>,
  from: Subscriber | undefined,
  message: unknown,
  position: Position,
): void {
  const broadcast = isBroadcast(message) ? message : undefined
  const frames = new Map<WireSerializer, Frame>()
  for (const entry of entries) {
    if (entry.subscriber === from) continue
    const target = entry.metadata
    if (broadcast === undefined || !isTarget(target)) {
      deliver(entry.subscriber, message)
      continue
    }
    if (!target.admit(broadcast, position)) continue
    if (target.intercepts(broadcast.event)) {
      target.intercepted(broadcast, position)
      continue
    }
    let frame = frames.get(target.serializer)
    if (frame === undefined) {
      frame = positionedFrame(target.serializer, broadcast, position)
      frames.set(target.serializer, frame)
    }
    target.connection.push(frame)
  }
}
