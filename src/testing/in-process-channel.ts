/**
 * A channel's process, in memory (for `mountLive` and `joinChannel`): its
 * callbacks run one at a time in the test's own turn, replies come back as
 * promises, pushes and broadcasts go to listeners. A crash (a throw in a
 * callback) pushes `phx_error` and stops it, as the real process would.
 */
import type { Channel } from '../channel/channel.ts'
import { type ChannelLink, ChannelSocket, type Payload } from '../channel/channel-socket.ts'
import {
  checkHandleInResult,
  checkHandleResult,
  checkJoinResult,
  type Step,
} from '../channel/results.ts'
import type { PubSub } from '../pubsub/index.ts'
import type { PushReply } from './live-view-test.ts'

type Listener = (event: string, payload: Record<string, unknown>) => void
type Owed = { resolve(reply: PushReply): void; received: ((reply: PushReply) => void) | undefined }

export interface InProcessOptions {
  /** The socket's assigns at the join (what `connect` would have set). */
  readonly assigns?: Readonly<Record<string, unknown>>
}

export class InProcessChannel implements ChannelLink {
  readonly channel: Channel<Record<string, unknown>>
  readonly pubsub: PubSub
  /** No process: the test's own turn runs the callbacks. */
  readonly pid = undefined
  readonly socket: ChannelSocket<Record<string, unknown>>
  joined = false
  /** What the channel broadcast on its topic, oldest first (`broadcast`, `broadcastFrom`). */
  readonly broadcasts: Array<{ readonly event: string; readonly payload: unknown }> = []
  #queue: Promise<unknown> = Promise.resolve()
  #listeners: Listener[] = []
  #broadcastListeners: Array<() => void> = []
  #stopped = false
  #ref = 0
  /** Replies still owed (the channel answered noreply and may `replyToPush` later). */
  readonly #owed = new Map<string, Owed>()
  /** Pushes that came before the test listened (right after the join). */
  readonly #early: Array<[string, Record<string, unknown>]> = []

  constructor(
    channel: Channel<Record<string, unknown>>,
    topic: string,
    pubsub: PubSub,
    options: InProcessOptions = {},
  ) {
    this.channel = channel
    this.pubsub = pubsub
    this.socket = new ChannelSocket({
      topic,
      joinRef: '1',
      id: null,
      transport: 'websocket',
      assigns: { ...options.assigns },
      link: this,
    })
  }

  get stopped(): boolean {
    return this.#stopped
  }

  async join(params: Record<string, unknown>): Promise<PushReply> {
    // In the mailbox like the rest: what the channel sends itself while joining waits for the join.
    const joining = this.#queue.then(() =>
      this.channel.join(this.socket.topic, params, this.socket),
    )
    this.#queue = joining.catch(() => {})
    const result = checkJoinResult('join', await joining)
    if ('error' in result)
      return { status: 'error', response: result.error as Record<string, unknown> }
    this.joined = true
    return { status: 'ok', response: (result.reply ?? {}) as Record<string, unknown> }
  }

  /**
   * A client push: runs `handleIn` after what is queued; resolves with the
   * reply (at once, or when the channel replies later with `replyToPush`).
   */
  clientPush(
    event: string,
    payload: Payload,
    received?: (reply: PushReply) => void,
  ): Promise<PushReply> {
    const ref = String(++this.#ref)
    const owed = new Promise<PushReply>((resolve) => this.#owed.set(ref, { resolve, received }))
    const handled = this.#run(async () => {
      const handleIn = this.channel.handleIn?.bind(this.channel)
      if (handleIn === undefined) throw new Error('the channel has no handleIn')
      this.socket.ref = ref
      try {
        const step = checkHandleInResult('handleIn', await handleIn(event, payload, this.socket))
        const reply = await this.#settle(step, received)
        return reply
      } finally {
        this.socket.ref = null
      }
    })
    return Promise.race([
      handled.then((reply) => {
        if (reply === undefined && !this.#stopped) return owed // a replyToPush may come
        this.#owed.delete(ref)
        if (reply === undefined) throw new Error('the channel stopped without replying')
        return reply
      }),
      owed,
    ])
  }

  /** A message to the process: runs `handleInfo` after what is queued. */
  deliver(message: unknown): void {
    void this.#run(async () => {
      const handleInfo = this.channel.handleInfo?.bind(this.channel)
      if (handleInfo === undefined) return undefined
      return this.#settle(checkHandleResult('handleInfo', await handleInfo(message, this.socket)))
    }).catch(() => {})
  }

  onMessage(listener: Listener): void {
    this.#listeners.push(listener)
    const early = this.#early.splice(0)
    for (const [event, payload] of early) listener(event, payload)
  }

  /** Called after each broadcast (assertBroadcast waits on it). */
  onBroadcast(listener: () => void): void {
    this.#broadcastListeners.push(listener)
  }

  /** ChannelLink.push: a server push to the client (kept until someone listens). */
  push(event: string, payload: Payload): void {
    if (this.#listeners.length === 0) this.#early.push([event, payload as Record<string, unknown>])
    for (const listener of this.#listeners) listener(event, payload as Record<string, unknown>)
  }

  /** ChannelLink.broadcast: recorded; the client of this channel gets it too unless excluded. */
  broadcast(event: string, payload: Payload, excludeSelf: boolean): void {
    this.broadcasts.push({ event, payload })
    if (!excludeSelf) this.push(event, payload)
    for (const listener of this.#broadcastListeners) listener()
  }

  /** ChannelLink.reply: a `replyToPush` for a push answered noreply. */
  reply(_joinRef: string | null, ref: string, status: string, response: Payload): void {
    const owed = this.#owed.get(ref)
    this.#owed.delete(ref)
    const reply = { status, response: response as Record<string, unknown> }
    owed?.received?.(reply)
    owed?.resolve(reply)
  }

  async close(): Promise<void> {
    if (this.#stopped) return
    await this.#queue.catch(() => {})
    await this.#stop({ shutdown: 'closed' })
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new Error('the channel process has stopped'))
    const next = this.#queue.then(task, task)
    this.#queue = next.catch(async (error: unknown) => {
      this.push('phx_error', { reason: 'channel_crash' })
      await this.#stop(error)
    })
    return next
  }

  /** The reply of a step, handed to `received` at once (before any later push), then the stop. */
  async #settle(step: Step, received?: (reply: PushReply) => void): Promise<PushReply | undefined> {
    const raw = step.kind === 'reply' ? step : step.kind === 'stop' ? step.reply : undefined
    const reply =
      raw === undefined
        ? undefined
        : { status: raw.status, response: raw.response as Record<string, unknown> }
    if (reply !== undefined) received?.(reply)
    if (step.kind === 'stop') {
      this.push('phx_close', {})
      await this.#stop(step.reason)
    }
    return reply
  }

  async #stop(reason: unknown): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.channel.terminate?.(reason, this.socket)
  }
}
