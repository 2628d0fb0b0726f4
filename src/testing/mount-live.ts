/**
 * `mountLive`: a LiveView mounted in this process, through the same path a
 * browser takes — the dead render of a live route (so the tokens are real),
 * then a join of the real live channel — with the channel process replaced
 * by a small in-memory mailbox. No port, no socket, no browser.
 *
 * ```ts
 * const view = await mountLive(Counter)
 * assert.equal(view.text('#count'), '0')
 * await view.click('#inc')
 * assert.equal(view.text('#count'), '1')
 * await view.close()
 * ```
 */
import { randomBytes } from 'node:crypto'
import type { Channel } from '../channel/channel.ts'
import { type ChannelLink, ChannelSocket, type Payload } from '../channel/channel-socket.ts'
import {
  checkHandleInResult,
  checkHandleResult,
  checkJoinResult,
  type Step,
} from '../channel/results.ts'
import type { Conn } from '../http/conn.ts'
import { inject } from '../http/inject.ts'
import { pipeline } from '../http/plug.ts'
import { fetchSession, putSession, session } from '../http/plugs/session.ts'
import { Router } from '../http/router/router.ts'
import '../live/dead-render.ts'
import { createLive } from '../live/live-config.ts'
import { type LiveSessionOptions, liveSession } from '../live/live-route.ts'
import type { LiveView } from '../live/live-view.ts'
import { type PubSub, startPubSub } from '../pubsub/index.ts'
import { find } from './html-query.ts'
import { type LiveTransport, LiveViewTest, type PushReply } from './live-view-test.ts'

export interface MountOptions {
  /** The route pattern the view is served at. Default `/`. */
  readonly route?: string
  /** The path (and query) to request. Default: the route. */
  readonly path?: string
  /** HTTP session values the view's `mount` receives. */
  readonly session?: Readonly<Record<string, unknown>>
  /** Connect params (what the client passes in `new LiveSocket(…, {params})`). */
  readonly connectParams?: Readonly<Record<string, unknown>>
  /** A PubSub to use (default: a new local one, stopped on `close`). */
  readonly pubsub?: PubSub
  /** Options of the live_session the view is routed in (`onMount`, `session`, `rootLayout`). */
  readonly liveSession?: LiveSessionOptions
}

let mounted = 0

/** Mounts `view` in this process and joins it; see the module comment. */
export async function mountLive<A extends object>(
  view: LiveView<A>,
  options: MountOptions = {},
): Promise<LiveViewTest> {
  const route = options.route ?? '/'
  const secretKeyBase = randomBytes(48).toString('base64')
  const sessionOptions = { key: '_test', secretKeyBase, signingSalt: 'testing-session' }
  const live = createLive({ secretKeyBase, signingSalt: 'testing-live', session: sessionOptions })
  const router = new Router({ name: 'LiveTest' })
  const putTestSession = (conn: Conn): Conn => {
    for (const [key, value] of Object.entries(options.session ?? {})) putSession(conn, key, value)
    return conn
  }
  router.pipeline('browser', [fetchSession, putTestSession, live.plug])
  router.scope('/', { pipeThrough: ['browser'] }, (r) =>
    liveSession(r, 'test', options.liveSession ?? {}, (declare) => declare(route, view)),
  )
  const path = options.path ?? route
  // The debug page, so a failing dead render throws with its cause (reported here, not logged).
  const response = await inject(
    pipeline([session(sessionOptions), router.plug]),
    { url: path },
    { debugErrors: true, onError: () => {} },
  )
  if (response.status !== 200) {
    throw new Error(
      `the dead render of ${path} answered ${response.status}: ${deadRenderError(response.text)}`,
    )
  }
  const container = find(response.text, '[data-phx-main]')
  const id = container?.attributes.id
  if (container === undefined || id === undefined)
    throw new Error(`no LiveView container in:\n${response.text}`)

  const pubsub = options.pubsub ?? (await startPubSub({ name: `live-test-${++mounted}` }))
  const ownsPubSub = options.pubsub === undefined
  const channel = live.socket(router).router.match(`lv:${id}`)?.channel as Channel<
    Record<string, unknown>
  >
  const host = new InProcessChannel(channel, `lv:${id}`, pubsub)
  const url = new URL(path, 'http://localhost')
  const joined = await host.join({
    url: url.href,
    params: { _mounts: 0, ...options.connectParams },
    session: container.attributes['data-phx-session'],
    static: container.attributes['data-phx-static'],
    sticky: false,
  })
  if (joined.status !== 'ok') {
    await host.close()
    if (ownsPubSub) await pubsub.stop()
    throw new Error(`the join was refused: ${JSON.stringify(joined.response)}`)
  }
  const transport: LiveTransport = {
    push: (event, payload) => host.clientPush(event, payload),
    onMessage: (handler) => host.onMessage(handler),
    async close() {
      await host.close()
      if (ownsPubSub) await pubsub.stop()
    },
  }
  return new LiveViewTest(transport, joined.response.rendered as Record<string, unknown>, url)
}

/** The channel process, in memory: one callback at a time, replies as promises. */
class InProcessChannel implements ChannelLink {
  readonly channel: Channel<Record<string, unknown>>
  readonly pubsub: PubSub
  /** No process: the test's own turn runs the callbacks. */
  readonly pid = undefined
  readonly socket: ChannelSocket<Record<string, unknown>>
  joined = false
  #queue: Promise<unknown> = Promise.resolve()
  #listeners: Array<(event: string, payload: Record<string, unknown>) => void> = []
  #stopped = false
  /** Pushes that came before the test's view listened (right after the join). */
  readonly #early: Array<[string, Record<string, unknown>]> = []

  constructor(channel: Channel<Record<string, unknown>>, topic: string, pubsub: PubSub) {
    this.channel = channel
    this.pubsub = pubsub
    this.socket = new ChannelSocket({
      topic,
      joinRef: '1',
      id: null,
      transport: 'websocket',
      assigns: {},
      link: this,
    })
  }

  async join(params: Record<string, unknown>): Promise<PushReply> {
    // In the mailbox like the rest: what the view sends itself while joining waits for the join.
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

  /** A client push: runs `handleIn` after what is queued. */
  clientPush(event: string, payload: Record<string, unknown>): Promise<PushReply> {
    return this.#run(async () => {
      const handleIn = this.channel.handleIn?.bind(this.channel)
      if (handleIn === undefined) throw new Error('the channel has no handleIn')
      const step = checkHandleInResult('handleIn', await handleIn(event, payload, this.socket))
      return this.#settle(step)
    }) as Promise<PushReply>
  }

  /** A message to the process: runs `handleInfo` after what is queued. */
  deliver(message: unknown): void {
    void this.#run(async () => {
      const handleInfo = this.channel.handleInfo?.bind(this.channel)
      if (handleInfo === undefined) return undefined
      return this.#settle(checkHandleResult('handleInfo', await handleInfo(message, this.socket)))
    }).catch(() => {})
  }

  onMessage(listener: (event: string, payload: Record<string, unknown>) => void): void {
    this.#listeners.push(listener)
    const early = this.#early.splice(0)
    for (const [event, payload] of early) listener(event, payload)
  }

  /** ChannelLink.push: a server push to the client (kept until someone listens). */
  push(event: string, payload: Payload): void {
    if (this.#listeners.length === 0) this.#early.push([event, payload as Record<string, unknown>])
    for (const listener of this.#listeners) listener(event, payload as Record<string, unknown>)
  }

  broadcast(): void {}

  reply(): void {}

  async close(): Promise<void> {
    if (this.#stopped) return
    await this.#queue.catch(() => {})
    await this.#stop({ shutdown: 'closed' })
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new Error('the LiveView process has stopped'))
    const next = this.#queue.then(task, task)
    this.#queue = next.catch(async (error: unknown) => {
      this.push('phx_error', { reason: 'channel_crash' })
      await this.#stop(error)
    })
    return next
  }

  async #settle(step: Step): Promise<PushReply | undefined> {
    if (step.kind === 'reply')
      return { status: step.status, response: step.response as Record<string, unknown> }
    if (step.kind === 'stop') {
      const reply = step.reply
      this.push('phx_close', {})
      await this.#stop(step.reason)
      return reply === undefined
        ? undefined
        : { status: reply.status, response: reply.response as Record<string, unknown> }
    }
    return undefined
  }

  async #stop(reason: unknown): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.channel.terminate?.(reason, this.socket)
  }
}

/** The message of the debug error page (or the start of whatever came back). */
function deadRenderError(page: string): string {
  const message = find(page, 'pre[class="message"]')?.text
  return message ?? page.slice(0, 300)
}
