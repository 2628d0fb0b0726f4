/**
 * The client's model of a LiveView's render, for tests without a browser
 * (Phoenix.LiveViewTest keeps the same): merge the join's `rendered` and each
 * diff, and turn the result into HTML. Follows the wire grammar of the
 * protocol notes §3: `"s"` (literal or a `"p"` index), numbered dynamics,
 * keyed comprehensions (`"k"`, `"kc"`, `"km"`), components (`"c"`, `"s": ±cid`),
 * and streams, whose items this model keeps as the DOM would.
 */

type Node = Record<string, unknown>

interface StreamItem {
  readonly id: string
  html: string
}

export class RenderedModel {
  #root: Node = {}
  #components = new Map<number, Node>()
  /** stream ref → items in DOM order */
  readonly #streams = new Map<string, StreamItem[]>()
  title: string | undefined

  /** Applies a join render or a diff; returns its pushed events and hook reply. */
  merge(diff: Node): { events: unknown[]; reply: unknown } {
    const { t, e, r, c, ...rest } = diff
    if (typeof t === 'string') this.title = t
    if ('s' in rest) {
      this.#root = resolveTemplates(rest, undefined) as Node
      this.#components.clear()
    } else {
      this.#root = mergeNode(this.#root, resolveTemplates(rest, undefined) as Node)
    }
    if (isNode(c)) this.#mergeComponents(c)
    this.#applyStreams(this.#root)
    for (const component of this.#components.values()) this.#applyStreams(component)
    return { events: Array.isArray(e) ? e : [], reply: r }
  }

  /** The view's inner HTML. */
  html(): string {
    return this.#render(this.#root)
  }

  #mergeComponents(components: Node): void {
    const incoming = new Map<number, Node>()
    for (const [key, value] of Object.entries(components)) {
      if (isNode(value)) incoming.set(Number(key), value)
    }
    const merged = new Map<number, Node>()
    for (const [cid, value] of incoming) {
      const s = value.s
      let base: Node | undefined
      let patch = resolveTemplates(value, undefined) as Node
      if (typeof s === 'number') {
        base =
          s > 0
            ? (merged.get(s) ?? (resolveTemplates(incoming.get(s) ?? {}, undefined) as Node))
            : this.#components.get(-s)
        const { s: _, ...own } = patch
        patch = own
        merged.set(cid, mergeNode(structuredClone(base ?? {}), patch))
      } else if ('s' in patch) {
        merged.set(cid, patch)
      } else {
        merged.set(cid, mergeNode(this.#components.get(cid) ?? {}, patch))
      }
    }
    for (const [cid, node] of merged) this.#components.set(cid, node)
  }

  #applyStreams(node: unknown): void {
    if (!isNode(node)) return
    const stream = node.stream
    if (Array.isArray(stream) && isNode(node.k)) {
      this.#applyStream(node, stream)
      return
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 's' || key === 'p') continue
      if (key === 'k' && isNode(value)) {
        for (const entry of Object.values(value)) this.#applyStreams(entry)
      } else this.#applyStreams(value)
    }
  }

  #applyStream(node: Node, stream: unknown[]): void {
    const [ref, inserts, deletes, reset] = stream as [string, unknown[], string[], boolean?]
    let items = reset === true ? [] : (this.#streams.get(ref) ?? [])
    const k = node.k as Node
    const statics = node.s as string[]
    const rendered = new Map<string, string>()
    const count = typeof k.kc === 'number' ? k.kc : 0
    const inserted = inserts as [string, number, number | null, boolean | null][]
    for (let i = 0; i < count; i++) {
      const entry = k[i]
      const domId = inserted[i]?.[0]
      if (isNode(entry) && domId !== undefined) {
        rendered.set(domId, this.#renderDynamics(statics, entry))
      }
    }
    items = items.filter((item) => !deletes.includes(item.id))
    for (const [domId, at, limit, updateOnly] of inserted) {
      const html = rendered.get(domId) ?? ''
      const existing = items.findIndex((item) => item.id === domId)
      if (existing !== -1) {
        const item = items[existing] as StreamItem
        item.html = html
        if (at !== -1) {
          items.splice(existing, 1)
          items.splice(at, 0, item)
        }
      } else if (updateOnly !== true) {
        const item = { id: domId, html }
        if (at === -1) items.push(item)
        else items.splice(at, 0, item)
      }
      if (typeof limit === 'number') items = limit >= 0 ? items.slice(0, limit) : items.slice(limit)
    }
    this.#streams.set(ref, items)
    node.k = { kc: 0 }
    node.streamRef = ref
  }

  #render(node: unknown): string {
    if (typeof node === 'string') return node
    if (typeof node === 'number') {
      const component = this.#components.get(node)
      return component === undefined ? '' : this.#render(component)
    }
    if (!isNode(node)) return ''
    const statics = node.s
    if (!Array.isArray(statics)) return ''
    if (typeof node.streamRef === 'string') {
      return (this.#streams.get(node.streamRef) ?? []).map((item) => item.html).join('')
    }
    if (isNode(node.k)) {
      const count = typeof node.k.kc === 'number' ? node.k.kc : 0
      let out = ''
      for (let i = 0; i < count; i++)
        out += this.#renderDynamics(statics as string[], node.k[i] as Node)
      return out
    }
    return this.#renderDynamics(statics as string[], node)
  }

  #renderDynamics(statics: readonly string[], dynamics: Node | undefined): string {
    let out = statics[0] ?? ''
    for (let i = 1; i < statics.length; i++) {
      out += this.#render(dynamics?.[i - 1]) + (statics[i] ?? '')
    }
    return out
  }
}

/** Replaces integer `"s"` by the arrays of the nearest `"p"`, recursively. */
function resolveTemplates(value: unknown, templates: Node | undefined): unknown {
  if (!isNode(value)) return value
  const scope = templates ?? (isNode(value.p) ? value.p : undefined)
  const out: Node = {}
  for (const [key, child] of Object.entries(value)) {
    if (key === 'p') continue
    if (
      key === 's' &&
      typeof child === 'number' &&
      scope !== undefined &&
      Array.isArray(scope[child])
    ) {
      out.s = scope[child]
    } else if (key === 'k' && isNode(child)) {
      const innerScope = scope ?? (isNode(value.p) ? value.p : undefined)
      const entries: Node = {}
      for (const [index, entry] of Object.entries(child)) {
        entries[index] = resolveTemplates(
          entry,
          innerScope ?? (isNode(value.p) ? value.p : undefined),
        )
      }
      out.k = entries
    } else if (key === 'c' || key === 'stream') {
      out[key] = child
    } else {
      out[key] = resolveTemplates(child, scope)
    }
  }
  return out
}

function mergeNode(target: Node, patch: Node): Node {
  if ('s' in patch) return patch
  const out: Node = { ...target }
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'k' && isNode(value)) out.k = mergeKeyed(isNode(target.k) ? target.k : {}, value)
    else if (isNode(value) && !('s' in value) && isNode(target[key])) {
      out[key] = mergeNode(target[key] as Node, value)
    } else out[key] = value
  }
  return out
}

function mergeKeyed(old: Node, patch: Node): Node {
  const out: Node = { kc: patch.kc }
  const count = typeof patch.kc === 'number' ? patch.kc : 0
  for (let i = 0; i < count; i++) {
    const change = patch[i]
    if (change === undefined) out[i] = old[i]
    else if (typeof change === 'number') out[i] = old[change]
    else if (Array.isArray(change))
      out[i] = mergeNode((old[change[0]] as Node) ?? {}, change[1] as Node)
    else if (isNode(change)) out[i] = mergeNode((old[i] as Node) ?? {}, change)
  }
  return out
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
