/**
 * The LiveView wire format of a render or diff (protocol notes §3), as
 * types: every key the client reads (`s`, `p`, `r`, `c`, `k`, `kc`, `km`,
 * `stream`, `t`, `e`) is a property below, so the type checker holds the
 * diff engine (diff.ts) to the format.
 *
 * A node with `"s"` is a complete subtree; a node without it patches the
 * client's cached node at that position. Fingerprints never travel.
 */

/** A dynamic: escaped HTML, a component cid, a nested node or a comprehension. */
export type Dynamic = string | number | RenderedNode | RenderedComprehension

/** `"0"`, `"1"`, … → dynamics, plus statics and shared templates. */
export interface RenderedNode {
  [index: number]: Dynamic
  /** The statics, or an index into the nearest `"p"`. Present = complete subtree. */
  s?: readonly string[] | number
  p?: Record<number, readonly string[]>
  /** On component roots: the HTML is one element (the client adds its attributes there). */
  r?: 1
}

/** One entry of a comprehension: its dynamics (the statics are the comprehension's). */
export interface RenderedEntry {
  [index: number]: Dynamic
}

/** `"k"`: index → a new/changed entry, an old index (moved), or `[old index, patch]`. */
export interface Keyed {
  [index: number]: RenderedEntry | number | [number, RenderedEntry]
  kc: number
  km?: true
}

/** `[domId, at, limit, updateOnly]` */
export type StreamInsertWire = [string, number, number | null, boolean | null]
/** `[ref, inserts, deleteIds]` or with `true` last on reset. */
export type StreamWire =
  | [string, StreamInsertWire[], string[]]
  | [string, StreamInsertWire[], string[], true]

export interface RenderedComprehension {
  s?: readonly string[] | number
  k: Keyed
  p?: Record<number, readonly string[]>
  stream?: StreamWire
}

/** A component entry in `"c"`: `"s"` may be a cid (+ same diff, − client cache) whose statics it shares. */
export interface RenderedComponent extends Omit<RenderedNode, 's'> {
  s?: readonly string[] | number
}

/** `[name, payload]`, or `[name, payload, true]` to dispatch before the DOM patch. */
export type PushedEvent = [string, unknown] | [string, unknown, true]

/** A whole render (join `rendered`) or a diff (reply `diff`, `diff` push). */
export interface Diff extends Omit<RenderedNode, 'r'> {
  c?: Record<number, RenderedComponent>
  /** At the top level `"r"` is the hook reply, not the root flag. */
  r?: unknown
  t?: string
  e?: PushedEvent[]
}

/** True when the diff changes nothing: Elixir then replies `{}` rather than `{"diff":{}}`. */
export function isEmptyDiff(diff: Diff): boolean {
  for (const _ in diff) return false
  return true
}
