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
 *
 * After a redirect or a live navigation, `view.followRedirect()` mounts the
 * page it went to (one of `routes`), with the flash it carried.
 */
import { randomBytes } from 'node:crypto'
import type { Channel } from '../channel/channel.ts'
import type { Conn } from '../http/conn.ts'
import { inject } from '../http/inject.ts'
import { pipeline } from '../http/plug.ts'
import { fetchSession, putSession, type SessionOptions, session } from '../http/plugs/session.ts'
import { Router } from '../http/router/router.ts'
import '../live/dead-render.ts'
import { FLASH_COOKIE } from '../live/flash.ts'
import { createLive, type Live } from '../live/live-config.ts'
import { type LiveSessionOptions, liveSession } from '../live/live-route.ts'
import type { LiveView } from '../live/live-view.ts'
import { type PubSub, startPubSub } from '../pubsub/index.ts'
import type { SocketDefinition } from '../socket/socket.ts'
import { find } from './html-query.ts'
import { InProcessChannel } from './in-process-channel.ts'
import { type LiveTransport, LiveViewTest } from './live-view-test.ts'

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
  /**
   * Other views of the same live_session, by route pattern, so that
   * `followRedirect` (and live navigation) can reach them.
   */
  // biome-ignore lint/suspicious/noExplicitAny: views of any assigns shape
  readonly routes?: Readonly<Record<string, LiveView<any>>>
}

let mounted = 0

/** Mounts `view` in this process and joins it; see the module comment. */
export async function mountLive<A extends object>(
  view: LiveView<A>,
  options: MountOptions = {},
): Promise<LiveViewTest> {
  const app = new TestApp(view as LiveView<object>, options)
  return app.mount(options.path ?? options.route ?? '/')
}

/** One test application: the router, the live configuration and the PubSub its views share. */
class TestApp {
  readonly #options: MountOptions
  readonly #live: Live
  readonly #router = new Router({ name: 'LiveTest' })
  readonly #sessionOptions: SessionOptions
  #pubsub: PubSub | undefined
  #socket: SocketDefinition | undefined

  constructor(view: LiveView<object>, options: MountOptions) {
    this.#options = options
    const secretKeyBase = randomBytes(48).toString('base64')
    this.#sessionOptions = { key: '_test', secretKeyBase, signingSalt: 'testing-session' }
    const session = this.#sessionOptions
    this.#live = createLive({ secretKeyBase, signingSalt: 'testing-live', session })
    const putTestSession = (conn: Conn): Conn => {
      for (const [key, value] of Object.entries(options.session ?? {})) {
        putSession(conn, key, value)
      }
      return conn
    }
    const routes = { ...options.routes, [options.route ?? '/']: view }
    this.#router.pipeline('browser', [fetchSession, putTestSession, this.#live.plug])
    this.#router.scope('/', { pipeThrough: ['browser'] }, (r) =>
      liveSession(r, 'test', options.liveSession ?? {}, (declare) => {
        for (const [route, routed] of Object.entries(routes)) declare(route, routed)
      }),
    )
  }

  /** The dead render of `path` (with a flash token, after a redirect), then the join. */
  async mount(path: string, flash?: string): Promise<LiveViewTest> {
    const cookie = flash === undefined ? {} : { cookie: `${FLASH_COOKIE}=${flash}` }
    // The debug page, so a failing dead render throws with its cause (reported here, not logged).
    const response = await inject(
      pipeline([session(this.#sessionOptions), this.#router.plug]),
      { url: path, headers: cookie },
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
    const pubsub = await this.#pubsubOf()
    const host = new InProcessChannel(this.#channel(`lv:${id}`), `lv:${id}`, pubsub)
    const opened: InProcessChannel[] = []
    const url = new URL(path, 'http://localhost')
    const joined = await host.join({
      url: url.href,
      params: { _mounts: 0, ...this.#options.connectParams },
      session: container.attributes['data-phx-session'],
      static: container.attributes['data-phx-static'],
      sticky: false,
    })
    if (joined.status !== 'ok') {
      await host.close()
      await this.#release()
      throw new Error(`the join was refused: ${JSON.stringify(joined.response)}`)
    }
    const transport: LiveTransport = {
      push: (event, payload, received) => host.clientPush(event, payload, received),
      onMessage: (handler) => host.onMessage(handler),
      close: async () => {
        for (const upload of opened) await upload.close()
        await host.close()
        await this.#release()
      },
      openChannel: async (topic, params) => {
        const upload = new InProcessChannel(this.#channel(topic), topic, pubsub)
        opened.push(upload)
        const reply = await upload.join(params)
        return {
          reply,
          push: (event, payload) => upload.clientPush(event, payload),
          close: () => upload.close(),
        }
      },
      follow: (to, token) => this.mount(new URL(to, url).pathname + new URL(to, url).search, token),
    }
    return new LiveViewTest(transport, joined.response.rendered as Record<string, unknown>, url)
  }

  /** The channel of `topic` in the live socket (one socket, so one live runtime, per app). */
  #channel(topic: string): Channel<Record<string, unknown>> {
    this.#socket ??= this.#live.socket(this.#router)
    const channel = this.#socket.router.match(topic)?.channel
    if (channel === undefined) throw new Error(`no channel serves ${topic}`)
    return channel as Channel<Record<string, unknown>>
  }

  async #pubsubOf(): Promise<PubSub> {
    this.#pubsub ??= this.#options.pubsub ?? (await startPubSub({ name: `live-test-${++mounted}` }))
    return this.#pubsub
  }

  /** The PubSub this app started stops with its last view. */
  async #release(): Promise<void> {
    if (this.#options.pubsub !== undefined || this.#pubsub === undefined) return
    const pubsub = this.#pubsub
    this.#pubsub = undefined
    await pubsub.stop()
  }
}

/** The message of the debug error page (or the start of whatever came back). */
function deadRenderError(page: string): string {
  const message = find(page, 'pre[class="message"]')?.text
  return message ?? page.slice(0, 300)
}
