/**
 * `connectLive`: a LiveView of a running server, over a real connection, as
 * a browser reaches it: GET the page (keeping its cookies), read the CSRF
 * token and the container's tokens, open `/live/websocket`, join `lv:<id>`.
 *
 * ```ts
 * const view = await connectLive('http://127.0.0.1:4000/lv/counter')
 * await view.click('#inc')
 * assert.equal(view.text('#count'), '1')
 * await view.close()
 * ```
 */
import WebSocket from 'ws'
import { FLASH_COOKIE } from '../live/flash.ts'
import { find } from './html-query.ts'
import { type LiveTransport, LiveViewTest, type PushReply } from './live-view-test.ts'
import type { TestChannel } from './upload-test.ts'

export interface ConnectOptions {
  /** Where the LiveView socket is mounted. Default `/live`. */
  readonly socketPath?: string
  /** Milliseconds to wait for each reply. Default 5000. */
  readonly timeout?: number
  /** Cookies to send with the page request (`name=value; …`), e.g. a session. */
  readonly cookie?: string
}

type Message = [string | null, string | null, string, string, Record<string, unknown>]

export async function connectLive(
  pageUrl: string,
  options: ConnectOptions = {},
): Promise<LiveViewTest> {
  const url = new URL(pageUrl)
  const sent = options.cookie ?? ''
  const response = await fetch(url, {
    redirect: 'manual',
    headers: sent === '' ? {} : { cookie: sent },
  })
  const html = await response.text()
  if (response.status !== 200) throw new Error(`GET ${url.href} answered ${response.status}`)
  const cookie = mergeCookies(sent, response.headers.getSetCookie())
  const csrf = find(html, 'meta[name="csrf-token"]')?.attributes.content ?? ''
  const container = find(html, '[data-phx-main]')
  const id = container?.attributes.id
  if (container === undefined || id === undefined)
    throw new Error(`no LiveView container at ${url.href}`)

  const page: JoinedPage = {
    url,
    cookie,
    csrf,
    id,
    session: container.attributes['data-phx-session'],
    static: container.attributes['data-phx-static'] ?? null,
  }
  return joinPage(page, url, 0, options)
}

/** What a page gave the browser to join its view with. */
interface JoinedPage {
  readonly url: URL
  readonly cookie: string
  readonly csrf: string
  readonly id: string
  readonly session: string | undefined
  readonly static: string | null
}

/** Opens a socket at `origin` and joins the page's view, as its `mounts`-th join. */
async function joinPage(
  page: JoinedPage,
  origin: URL,
  mounts: number,
  options: ConnectOptions,
): Promise<LiveViewTest> {
  const { url, cookie, csrf } = page
  const socketUrl = new URL(`${options.socketPath ?? '/live'}/websocket`, origin)
  socketUrl.protocol = origin.protocol === 'https:' ? 'wss:' : 'ws:'
  socketUrl.search = new URLSearchParams({ _csrf_token: csrf, vsn: '2.0.0' }).toString()
  const client = await SocketClient.open(
    socketUrl,
    cookie,
    `lv:${page.id}`,
    options.timeout ?? 5000,
  )
  const joined = await client.join({
    url: url.href,
    params: { _csrf_token: csrf, _mounts: mounts },
    session: page.session,
    static: page.static,
    sticky: false,
  })
  if (joined.status !== 'ok') {
    await client.close()
    throw new Error(`the join was refused: ${JSON.stringify(joined.response)}`)
  }
  const transport: LiveTransport = {
    push: (event, payload, received) => client.push(event, payload, received),
    onMessage: (handler) => client.onMessage(handler),
    close: () => client.close(),
    closed: client.closed,
    openChannel: (topic, params) => client.channel(topic, params),
    follow: (to, flash) =>
      connectLive(new URL(to, url).href, {
        ...options,
        cookie: flash === undefined ? cookie : mergeCookies(cookie, [`${FLASH_COOKIE}=${flash}`]),
      }),
    rejoin: async (at) => {
      await client.close()
      return joinPage(page, at === undefined ? origin : new URL(at), mounts + 1, options)
    },
  }
  return new LiveViewTest(transport, joined.response.rendered as Record<string, unknown>, url)
}

/**
 * A V2 binary push (the serializer's kind 0): the kind, four lengths, then
 * join ref, ref, topic and event, then the payload's bytes.
 */
function binaryPush(
  joinRef: string,
  ref: string,
  topic: string,
  event: string,
  bytes: Uint8Array,
): Buffer {
  const fields = [joinRef, ref, topic, event].map((f) => Buffer.from(f))
  return Buffer.concat([Buffer.from([0, ...fields.map((f) => f.byteLength)]), ...fields, bytes])
}

/** The cookies sent, updated by those the response set (`Set-Cookie` lines). */
function mergeCookies(sent: string, set: readonly string[]): string {
  const jar = new Map<string, string>()
  for (const pair of sent.split(/;\s*/)) {
    const at = pair.indexOf('=')
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1))
  }
  for (const line of set) {
    const pair = line.split(';', 1)[0] ?? ''
    const at = pair.indexOf('=')
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1))
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

/** A V2 JSON channel client for one topic. */
class SocketClient {
  readonly #ws: WebSocket
  readonly #topic: string
  readonly #timeout: number
  readonly #pending = new Map<string, (reply: PushReply) => void>()
  readonly #listeners: Array<(event: string, payload: Record<string, unknown>) => void> = []
  #ref = 0
  #joinRef: string | null = null
  /** Pushes that came before the test's view listened (right after the join reply). */
  readonly #early: Array<[string, Record<string, unknown>]> = []

  /** Resolves with the close code once the connection closed, by either end. */
  readonly closed: Promise<number>

  private constructor(ws: WebSocket, topic: string, timeout: number) {
    this.#ws = ws
    this.#topic = topic
    this.#timeout = timeout
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('message', (data) => this.#received(String(data)))
  }

  static open(url: URL, cookie: string, topic: string, timeout: number): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: cookie === '' ? {} : { cookie } })
      ws.once('open', () => resolve(new SocketClient(ws, topic, timeout)))
      ws.once('error', reject)
    })
  }

  join(payload: Record<string, unknown>): Promise<PushReply> {
    this.#joinRef = String(++this.#ref)
    return this.#send('phx_join', payload, this.#joinRef)
  }

  push(
    event: string,
    payload: Record<string, unknown>,
    received?: (reply: PushReply) => void,
  ): Promise<PushReply> {
    return this.#send(event, payload, String(++this.#ref), received)
  }

  onMessage(listener: (event: string, payload: Record<string, unknown>) => void): void {
    this.#listeners.push(listener)
    const early = this.#early.splice(0)
    for (const [event, payload] of early) listener(event, payload)
  }

  /** Closes (unless the server did) and resolves once the socket is closed. */
  close(): Promise<void> {
    // 1001, not 1000: a normal close would make a browser client reload
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1001)
    return this.closed.then(() => {})
  }

  /** Joins another topic on this connection (an upload's `lvu:` channel). */
  async channel(topic: string, params: Record<string, unknown>): Promise<TestChannel> {
    const joinRef = String(++this.#ref)
    const reply = await this.#send('phx_join', params, joinRef, undefined, topic, joinRef)
    return {
      reply,
      push: (event, payload) =>
        this.#send(event, payload, String(++this.#ref), undefined, topic, joinRef),
      close: async () => {
        await this.#send('phx_leave', {}, String(++this.#ref), undefined, topic, joinRef).catch(
          () => {},
        )
      },
    }
  }

  #send(
    event: string,
    payload: Record<string, unknown> | Uint8Array,
    ref: string,
    received?: (reply: PushReply) => void,
    topic = this.#topic,
    joinRef = this.#joinRef,
  ): Promise<PushReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref)
        reject(new Error(`no reply to ${event} within ${this.#timeout} ms`))
      }, this.#timeout)
      this.#pending.set(ref, (reply) => {
        clearTimeout(timer)
        received?.(reply) // now, before the frames after it
        resolve(reply)
      })
      this.#ws.send(
        payload instanceof Uint8Array
          ? binaryPush(joinRef ?? '', ref, topic, event, payload)
          : JSON.stringify([joinRef, ref, topic, event, payload]),
      )
    })
  }

  #received(text: string): void {
    const [, ref, topic, event, payload] = JSON.parse(text) as Message
    if (event === 'phx_reply' && ref !== null) {
      const resolve = this.#pending.get(ref)
      if (resolve === undefined) return
      this.#pending.delete(ref)
      resolve({
        status: String(payload.status),
        response: (payload.response ?? {}) as Record<string, unknown>,
      })
      return
    }
    if (this.#listeners.length === 0) this.#early.push([event, payload])
    if (topic !== this.#topic) return
    for (const listener of this.#listeners) listener(event, payload)
  }
}
