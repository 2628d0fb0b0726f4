/**
 * A mounted LiveView under test (Phoenix.LiveViewTest's `view`): render it,
 * fire the events the official client would send for an element's `phx-*`
 * bindings, and assert on the HTML, without a browser. `mountLive` runs the
 * view in this process; `connectLive` talks to a running server over a real
 * WebSocket. Both speak the same wire protocol to the same live channel.
 */
import { encodeQuery } from '../http/query.ts'
import { LiveFormTest } from './form-test.ts'
import { type FoundElement, find, findAll } from './html-query.ts'
import { jsSteps } from './js-steps.ts'
import { RenderedModel } from './rendered-model.ts'
import { type TestChannel, type TestFile, uploadFiles } from './upload-test.ts'

/** A reply to a client push. */
export interface PushReply {
  readonly status: string
  readonly response: Record<string, unknown>
}

/** How a LiveViewTest reaches its view (in process or over a socket). */
export interface LiveTransport {
  /**
   * Pushes an event on the view's topic and resolves with the reply. The
   * transport calls `received` with the reply as it arrives, in order with
   * the server's pushes (a diff pushed after the reply must land after it).
   */
  push(
    event: string,
    payload: Record<string, unknown>,
    received?: (reply: PushReply) => void,
  ): Promise<PushReply>
  /** Receives the server's pushes (`diff`, `live_patch`, `live_redirect`, `redirect`, `phx_close`, `phx_error`). */
  onMessage(handler: (event: string, payload: Record<string, unknown>) => void): void
  close(): Promise<void>
  /** Joins another topic of the same connection (an upload's `lvu:` channel). */
  openChannel?(topic: string, params: Record<string, unknown>): Promise<TestChannel>
  /** Mounts the page at `to` (after a redirect), with the flash token it carried. */
  follow?(to: string, flash: string | undefined): Promise<LiveViewTest>
  /** Resolves with the close code once the connection closed, by either end. */
  readonly closed?: Promise<number>
  /** Closes the connection (if the server has not) and joins the same view again, at `at`. */
  rejoin?(at: string | undefined): Promise<LiveViewTest>
}

/** Where the view sent the browser: a patch, a live navigation or a redirect. */
export interface Redirected {
  readonly kind: 'live_patch' | 'live_redirect' | 'redirect'
  readonly to: string
  readonly flash?: string
}

export class LiveViewTest {
  readonly #transport: LiveTransport
  readonly #model = new RenderedModel()
  readonly #url: URL
  /** The next upload entry ref (the client numbers them per page). */
  #entryRefs = 0
  /** Per form selector, the fields a test has used (no `_unused_` marker for them). */
  readonly #usedFields = new Map<string, Set<string>>()
  /** Events the server pushed (`socket.pushEvent`), oldest first. */
  readonly events: Array<readonly [string, unknown]> = []
  /** The last navigation the view asked for, if any. */
  redirected: Redirected | undefined
  /** The last diff the view sent (a reply's or a push's), as it came over the wire. */
  lastDiff: Record<string, unknown> | undefined
  /** Whether the view's process stopped (`phx_close`) or crashed (`phx_error`). */
  state: 'joined' | 'closed' | 'crashed' = 'joined'

  constructor(transport: LiveTransport, rendered: Record<string, unknown>, url: URL) {
    this.#transport = transport
    this.#url = url
    this.#apply(rendered)
    transport.onMessage((event, payload) => this.#message(event, payload))
  }

  /** The view's HTML (the container's inner HTML). */
  html(): string {
    return this.#model.html()
  }

  /** The page title, as the client would set it (`pageTitle`). */
  get title(): string | undefined {
    return this.#model.title
  }

  /** The first element matching `selector` (`#id`, `tag`, `tag#id`, `[attr="v"]`). */
  find(selector: string): FoundElement | undefined {
    return find(this.html(), selector)
  }

  findAll(selector: string): FoundElement[] {
    return findAll(this.html(), selector)
  }

  has(selector: string): boolean {
    return this.find(selector) !== undefined
  }

  /** The text of the element matching `selector`, or undefined when there is none. */
  text(selector: string): string | undefined {
    return this.find(selector)?.text
  }

  /** Clicks an element with `phx-click`: sends its `phx-value-*` (and `value`) as the client does. */
  click(selector: string, value: Record<string, unknown> = {}): Promise<string> {
    const element = this.#element(selector, 'phx-click')
    const values = { ...phxValues(element), ...ownValue(element), ...value }
    return this.#event('click', binding(element, 'phx-click'), values, element)
  }

  /** Key events on an element with `phx-keydown` / `phx-keyup`. */
  keydown(selector: string, key: string): Promise<string> {
    return this.#key('keydown', selector, key)
  }

  keyup(selector: string, key: string): Promise<string> {
    return this.#key('keyup', selector, key)
  }

  /** Focus and blur events (`phx-focus`, `phx-blur`). */
  blur(selector: string): Promise<string> {
    const element = this.#element(selector, 'phx-blur')
    return this.#event(
      'blur',
      binding(element, 'phx-blur'),
      { ...phxValues(element), ...ownValue(element) },
      element,
    )
  }

  focus(selector: string): Promise<string> {
    const element = this.#element(selector, 'phx-focus')
    return this.#event(
      'focus',
      binding(element, 'phx-focus'),
      { ...phxValues(element), ...ownValue(element) },
      element,
    )
  }

  /**
   * A `phx-change` of the form `selector` with `values` (nested params,
   * urlencoded the way the client does). `target` names the input that
   * changed (`_target`). Only the given values are sent: list every field the
   * view reads, with `_unused_<field>` keys for fields the user has not touched.
   */
  change(selector: string, values: Record<string, unknown>, target?: string): Promise<string> {
    const element = this.#element(selector, 'phx-change')
    const meta: Record<string, unknown> = target === undefined ? {} : { _target: target }
    return this.#push({
      type: 'form',
      event: formEvent(binding(element, 'phx-change')),
      value: encodeQuery(values),
      meta,
      uploads: {},
      ...targetOf(element),
    })
  }

  /**
   * The form `selector` filled in with `values` (nested params), checked
   * against its inputs: `.change(target?)` or `.submit()` sends what the
   * client would (form-test.ts). A field the form lacks is an error.
   */
  form(selector: string, values: Record<string, unknown> = {}): LiveFormTest {
    let used = this.#usedFields.get(selector)
    if (used === undefined) {
      used = new Set()
      this.#usedFields.set(selector, used)
    }
    return new LiveFormTest(
      () => this.html(),
      selector,
      values,
      used,
      (push) =>
        this.#push({
          type: 'form',
          event: formEvent(push.event),
          value: push.value,
          meta: push.target === undefined ? {} : { _target: push.target },
          uploads: {},
          ...targetOf(push.form),
        }),
    )
  }

  /**
   * Picks `files` in the upload input `name` of the form `selector` and
   * sends them as the client does (upload-test.ts): the change announcing
   * them, the preflight, the chunks, the progress. The view's own events
   * (submit, consume) are up to the test.
   */
  async upload(selector: string, name: string, files: readonly TestFile[]): Promise<string> {
    const transport = this.#transport
    const open = transport.openChannel?.bind(transport)
    if (open === undefined) throw new Error('this view cannot open upload channels')
    await uploadFiles(
      {
        html: () => this.html(),
        push: async (event, payload) => (await this.#request(event, payload)).reply,
        openChannel: open,
        nextEntryRef: () => String(this.#entryRefs++),
      },
      selector,
      name,
      files,
    )
    return this.html()
  }

  /** A `phx-submit` of the form `selector` with `values`. */
  submit(selector: string, values: Record<string, unknown> = {}): Promise<string> {
    const element = this.#element(selector, 'phx-submit')
    return this.#push({
      type: 'form',
      event: formEvent(binding(element, 'phx-submit')),
      value: encodeQuery(values),
      meta: {},
      ...targetOf(element),
    })
  }

  /** A hook's `pushEvent`: resolves with the view's reply (`reply(value, socket)`), or null. */
  async hook(event: string, payload: unknown = {}): Promise<unknown> {
    const { diff } = await this.#request('event', { type: 'hook', event, value: payload })
    return diff?.r ?? null
  }

  /**
   * Any event, as the client sends it: `pushEvent('click', 'inc', { step: '1' })`;
   * `{ cid }` targets a live component.
   */
  pushEvent(
    type: string,
    event: string,
    value: unknown,
    target: { cid?: number } = {},
  ): Promise<string> {
    return this.#push({ type, event, value, ...target })
  }

  /** A live patch to `path` (a patch link, or the back button). */
  async patch(path: string): Promise<string> {
    const { reply } = await this.#request('live_patch', { url: new URL(path, this.#url).href })
    if (reply.response.link_redirect === true) this.redirected = { kind: 'live_redirect', to: path }
    return this.html()
  }

  close(): Promise<void> {
    return this.#transport.close()
  }

  /**
   * Resolves with the WebSocket close code once the connection closed, by either end
   * (1012 when the server drains). For `connectLive` views.
   */
  get closed(): Promise<number> {
    if (this.#transport.closed === undefined) throw new Error('this view has no connection')
    return this.#transport.closed
  }

  /**
   * What the browser does when its connection drops or its node drains: a new connection
   * (to `at`, another node's origin such as `http://127.0.0.1:4001`, if given) joins the same
   * view again with the page's tokens. Resolves with the view as that join rendered it; this
   * one is closed. For `connectLive` views.
   */
  rejoin(options: { readonly at?: string } = {}): Promise<LiveViewTest> {
    if (this.#transport.rejoin === undefined) throw new Error('this view cannot rejoin')
    return this.#transport.rejoin(options.at)
  }

  /**
   * The page the view sent the browser to (`redirect` or `pushNavigate`,
   * not a patch), mounted afresh with the flash it carried; this view is
   * closed. Throws when the view did not navigate away.
   */
  async followRedirect(): Promise<LiveViewTest> {
    const to = this.redirected
    if (to === undefined || to.kind === 'live_patch') {
      throw new Error(
        `the view did not redirect (${to === undefined ? 'no navigation' : `a patch to ${to.to}`})`,
      )
    }
    if (this.#transport.follow === undefined) throw new Error('this view cannot follow redirects')
    if (/^[a-z][a-z0-9+.-]*:/i.test(to.to) && !to.to.startsWith(this.#url.origin)) {
      throw new Error(`the view redirected to another site: ${to.to}`)
    }
    await this.close()
    return this.#transport.follow(to.to, to.flash)
  }

  async #key(type: 'keydown' | 'keyup', selector: string, key: string): Promise<string> {
    const element = this.#element(selector, `phx-${type}`)
    const filter = element.attributes['phx-key']
    if (filter !== undefined && filter.toLowerCase() !== key.toLowerCase()) return this.html()
    return this.#event(
      type,
      binding(element, `phx-${type}`),
      { key, ...phxValues(element), ...ownValue(element) },
      element,
    )
  }

  /** Sends an event, or runs the binding's JS commands (their pushes, patches and navigation). */
  async #event(
    type: string,
    event: string,
    value: Record<string, unknown>,
    element?: FoundElement,
  ): Promise<string> {
    const target = element === undefined ? {} : targetOf(element)
    const steps = jsSteps(event)
    if (steps === undefined) return this.#push({ type, event, value, ...target })
    for (const step of steps) {
      if (step.kind === 'push') {
        const cid = typeof step.target === 'number' ? { cid: step.target } : target
        await this.#push({ type, event: step.event, value: { ...value, ...step.value }, ...cid })
      } else if (step.kind === 'patch') await this.patch(step.href)
      else this.redirected = { kind: 'live_redirect', to: step.href }
    }
    return this.html()
  }

  async #push(payload: Record<string, unknown>): Promise<string> {
    await this.#request('event', payload)
    return this.html()
  }

  /** A push whose reply is applied as it arrives (see LiveTransport.push). */
  async #request(
    event: string,
    payload: Record<string, unknown>,
  ): Promise<{ reply: PushReply; diff: Record<string, unknown> | undefined }> {
    let applied: { diff: Record<string, unknown> | undefined } | { error: unknown } | undefined
    const apply = (reply: PushReply) => {
      if (applied !== undefined) return
      try {
        applied = { diff: this.#handleReply(reply) }
      } catch (error) {
        applied = { error }
      }
    }
    const reply = await this.#transport.push(event, payload, apply)
    apply(reply) // a transport that does not call back
    if (applied !== undefined && 'error' in applied) throw applied.error
    return { reply, diff: applied?.diff }
  }

  #handleReply(reply: PushReply): Record<string, unknown> | undefined {
    if (reply.status !== 'ok') {
      throw new Error(`the view answered ${reply.status}: ${JSON.stringify(reply.response)}`)
    }
    const { diff, live_redirect: liveRedirect, redirect } = reply.response
    if (isRecord(diff)) this.#apply(diff)
    else this.lastDiff = {}
    if (isRecord(liveRedirect)) this.#redirect('live_redirect', liveRedirect)
    if (isRecord(redirect)) this.#redirect('redirect', redirect)
    return isRecord(diff) ? diff : undefined
  }

  #message(event: string, payload: Record<string, unknown>): void {
    if (event === 'diff') this.#apply(payload)
    else if (event === 'live_patch' || event === 'live_redirect' || event === 'redirect') {
      this.#redirect(event, payload)
    } else if (event === 'phx_close') this.state = 'closed'
    else if (event === 'phx_error') this.state = 'crashed'
  }

  #apply(diff: Record<string, unknown>): void {
    this.lastDiff = diff
    const { events } = this.#model.merge(diff)
    for (const entry of events) {
      if (Array.isArray(entry) && typeof entry[0] === 'string')
        this.events.push([entry[0], entry[1]])
    }
  }

  #redirect(kind: Redirected['kind'], payload: Record<string, unknown>): void {
    const to = typeof payload.to === 'string' ? payload.to : ''
    this.redirected =
      typeof payload.flash === 'string' ? { kind, to, flash: payload.flash } : { kind, to }
  }

  #element(selector: string, attribute: string): FoundElement {
    const element = this.find(selector)
    if (element === undefined) {
      throw new Error(`no element matches ${JSON.stringify(selector)} in:\n${this.html()}`)
    }
    if (element.attributes[attribute] === undefined) {
      throw new Error(
        `${JSON.stringify(selector)} has no ${attribute} attribute: ${element.html.slice(0, 200)}`,
      )
    }
    return element
  }
}

/**
 * `phx-target="3"` (a component's `myself`) sends the event to cid 3, as the
 * client does; a selector target is matched to its component by the client
 * from `data-phx-component`, which this helper does not model.
 */
function targetOf(element: FoundElement): { cid?: number } {
  const target = element.attributes['phx-target']
  return target !== undefined && /^\d+$/.test(target) ? { cid: Number(target) } : {}
}

/** A form binding's event: its name, or the event of its JS `push`. */
function formEvent(binding: string): string {
  const push = jsSteps(binding)?.find((step) => step.kind === 'push')
  return push?.kind === 'push' ? push.event : binding
}

function binding(element: FoundElement, attribute: string): string {
  return element.attributes[attribute] ?? ''
}

/** `phx-value-step="1"` → `{ step: '1' }` */
function phxValues(element: FoundElement): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, value] of Object.entries(element.attributes)) {
    if (name.startsWith('phx-value-')) values[name.slice('phx-value-'.length)] = value
  }
  return values
}

/** The client adds the element's `value` (buttons without one send `""`). */
function ownValue(element: FoundElement): Record<string, string> {
  if (
    element.tag === 'button' ||
    element.tag === 'input' ||
    element.tag === 'select' ||
    element.tag === 'textarea'
  ) {
    return { value: element.attributes.value ?? '' }
  }
  return {}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
