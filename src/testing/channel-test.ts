/**
 * Channel test helpers (Phoenix.ChannelTest's role): join a channel in this
 * process, push to it as a client would, and assert on its replies, pushes
 * and broadcasts, without a socket.
 *
 * ```ts
 * const room = await joinChannel(RoomChannel, 'room:lobby', { name: 'ann' })
 * assert.equal(room.joinReply.status, 'ok')
 * assert.deepEqual(await room.push('ping', { n: 1 }), { status: 'ok', response: { n: 1 } })
 * room.push('shout', { body: 'hi' })
 * await room.assertBroadcast('shout', { body: 'hi' })
 * await room.assertPush('shout', { body: 'hi' })   // a broadcast reaches the sender too
 * await room.leave()
 * ```
 *
 * Each assertion waits (up to `timeout`, default 1000 ms) for a matching
 * message that arrived since the join and was not matched before; `payload`
 * is compared with `assert.deepStrictEqual`'s rules, or is a predicate.
 * Broadcasts are those the channel itself makes (`broadcast`,
 * `broadcastFrom`); `handleOut` interception is not modelled.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Channel } from '../channel/channel.ts'
import type { Payload } from '../channel/channel-socket.ts'
import { type PubSub, startPubSub } from '../pubsub/index.ts'
import { InProcessChannel } from './in-process-channel.ts'
import type { PushReply } from './live-view-test.ts'

export interface JoinChannelOptions {
  /** The socket's assigns, as your socket's `connect` would have set them. */
  readonly assigns?: Readonly<Record<string, unknown>>
  /** The PubSub the channel uses (default: a new local one, stopped on `leave`). */
  readonly pubsub?: PubSub
  /** Milliseconds each assertion waits. Default 1000. */
  readonly timeout?: number
}

/** What an assertion matches a payload against: a value (deep equality) or a predicate. */
export type PayloadMatch = unknown | ((payload: unknown) => boolean)

interface Message {
  readonly event: string
  readonly payload: unknown
}

let channels = 0

/** Joins `channel` on `topic` with `params`; the join's reply is `joinReply` (refused joins too). */
export async function joinChannel<A extends object>(
  channel: Channel<A>,
  topic: string,
  params: Readonly<Record<string, unknown>> = {},
  options: JoinChannelOptions = {},
): Promise<ChannelTest> {
  const pubsub = options.pubsub ?? (await startPubSub({ name: `channel-test-${++channels}` }))
  const stopPubSub = options.pubsub === undefined ? () => pubsub.stop() : async () => {}
  const host = new InProcessChannel(
    channel as unknown as Channel<Record<string, unknown>>,
    topic,
    pubsub,
    options.assigns === undefined ? {} : { assigns: options.assigns },
  )
  const test = new ChannelTest(host, options.timeout ?? 1000, stopPubSub)
  const joinReply = await host.join({ ...params })
  test.joinReply = joinReply
  if (joinReply.status !== 'ok') await test.leave()
  return test
}

export class ChannelTest {
  /** The join's reply: `{ status: 'ok', response }`, or `{ status: 'error', response }`. */
  joinReply: PushReply = { status: 'ok', response: {} }
  readonly #host: InProcessChannel
  readonly #timeout: number
  readonly #stopPubSub: () => Promise<void>
  readonly #pushes: Message[] = []
  #seenBroadcasts = 0
  #wake: Array<() => void> = []

  constructor(host: InProcessChannel, timeout: number, stopPubSub: () => Promise<void>) {
    this.#host = host
    this.#timeout = timeout
    this.#stopPubSub = stopPubSub
    host.onMessage((event, payload) => {
      this.#pushes.push({ event, payload })
      this.#notify()
    })
    host.onBroadcast(() => this.#notify())
  }

  /** The channel's socket (its assigns after the join, its topic). */
  get socket() {
    return this.#host.socket
  }

  /** Whether the channel's process stopped (left, `stop`, or crashed). */
  get stopped(): boolean {
    return this.#host.stopped
  }

  /** Pushes `event` as the client would; resolves with the reply (rejects if the channel crashes). */
  push(event: string, payload: Payload = {}): Promise<PushReply> {
    return this.#host.clientPush(event, payload)
  }

  /** Sends the channel's process a message (its `handleInfo`). */
  send(message: unknown): void {
    this.#host.deliver(message)
  }

  /** Waits for a reply to `pushed` with `status` (and a response matching `payload`). */
  async assertReply(
    pushed: Promise<PushReply>,
    status: string,
    payload?: PayloadMatch,
  ): Promise<PushReply> {
    const reply = await withTimeout(pushed, this.#timeout, `a reply ${status}`)
    if (reply.status !== status || (payload !== undefined && !matches(reply.response, payload))) {
      throw new Error(`expected a reply ${status} ${show(payload)}, got ${JSON.stringify(reply)}`)
    }
    return reply
  }

  /** Waits for a push `event` to the client (a match is consumed). */
  async assertPush(event: string, payload?: PayloadMatch): Promise<unknown> {
    return this.#waitFor(`push ${event}${show(payload, ' ')}`, () => {
      const at = this.#pushes.findIndex((m) => m.event === event && matches(m.payload, payload))
      return at === -1 ? undefined : this.#pushes.splice(at, 1)[0]
    })
  }

  /** Waits for the channel to broadcast `event` on its topic (a match is consumed). */
  async assertBroadcast(event: string, payload?: PayloadMatch): Promise<unknown> {
    return this.#waitFor(`broadcast ${event}${show(payload, ' ')}`, () => {
      const list = this.#host.broadcasts
      for (let i = this.#seenBroadcasts; i < list.length; i++) {
        const message = list[i] as Message
        if (message.event === event && matches(message.payload, payload)) {
          list.splice(i, 1)
          return message
        }
      }
      return undefined
    })
  }

  /** Fails if a push `event` (matching `payload`) arrives within `ms` (default 100). */
  async refutePush(event: string, payload?: PayloadMatch, ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    const found = this.#pushes.find((m) => m.event === event && matches(m.payload, payload))
    if (found !== undefined) throw new Error(`unexpected push ${event}: ${show(found.payload)}`)
  }

  /** Leaves the channel (its `terminate` runs) and stops the PubSub it started. */
  async leave(): Promise<void> {
    await this.#host.close()
    await this.#stopPubSub()
  }

  async #waitFor(what: string, take: () => Message | undefined): Promise<unknown> {
    const until = Date.now() + this.#timeout
    for (;;) {
      const found = take()
      if (found !== undefined) return found.payload
      const left = until - Date.now()
      if (left <= 0) {
        const pushes = this.#pushes.map((m) => `${m.event} ${show(m.payload)}`)
        throw new Error(
          `no ${what} within ${this.#timeout} ms; unmatched pushes: [${pushes.join(', ')}]`,
        )
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake()
  }
}

function matches(actual: unknown, expected: PayloadMatch): boolean {
  if (expected === undefined) return true
  if (typeof expected === 'function') return (expected as (p: unknown) => boolean)(actual) === true
  return isDeepStrictEqual(actual, expected)
}

function show(value: unknown, before = ''): string {
  if (value === undefined) return ''
  if (before !== '') return `${before}${show(value)}`
  if (typeof value === 'function') return '(predicate)'
  return JSON.stringify(value) ?? String(value)
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
