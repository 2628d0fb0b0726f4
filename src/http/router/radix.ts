/**
 * A radix tree over path segments. Each edge carries a run of static segments
 * (split when two routes diverge inside it), plus at most one `:param` child
 * and one `*glob` leaf per node. Matching walks the tree once and backtracks
 * only when a deeper branch fails, trying static, then param, then glob, so a
 * static route always beats a param one, whatever the declaration order.
 *
 * At a leaf the request method picks the value: the exact method, else GET
 * for a HEAD request, else a value registered for any method (`*`).
 */
import { CinderError } from '../../errors.ts'
import type { Token } from './pattern.ts'

/** Registered under this method, a value matches any method. */
export const ANY_METHOD = '*'

export interface RadixMatch<T> {
  readonly value: T
  /** Captured `:param` values in order, then the glob's segments (if the route has one). */
  readonly captures: readonly string[]
  readonly glob: readonly string[] | undefined
}

interface Node<T> {
  /** The static segments this edge consumes (empty for the root and param nodes). */
  label: string[]
  readonly children: Map<string, Node<T>>
  param: Node<T> | undefined
  glob: Map<string, T> | undefined
  readonly leaves: Map<string, T>
}

function newNode<T>(label: string[] = []): Node<T> {
  return { label, children: new Map(), param: undefined, glob: undefined, leaves: new Map() }
}

export class RadixTree<T> {
  readonly #root: Node<T> = newNode()

  /** Adds a route; throws when the same method and shape is already taken. */
  insert(method: string, tokens: readonly Token[], value: T, describeRoute: string): void {
    let node = this.#root
    let i = 0
    while (i < tokens.length) {
      const token = tokens[i] as Token
      if (token.kind === 'glob') {
        node.glob ??= new Map()
        setUnique(node.glob, method, value, describeRoute)
        return
      }
      if (token.kind === 'param') {
        node.param ??= newNode()
        node = node.param
        i++
        continue
      }
      const run: string[] = []
      while (i < tokens.length && tokens[i]?.kind === 'static') {
        run.push((tokens[i] as { value: string }).value)
        i++
      }
      node = insertStatic(node, run)
    }
    setUnique(node.leaves, method, value, describeRoute)
  }

  /** Finds the value for `method` and decoded path `segments`, or undefined. */
  match(method: string, segments: readonly string[]): RadixMatch<T> | undefined {
    const captures: string[] = []
    return walk(this.#root, segments, 0, method, captures)
  }
}

function setUnique<T>(map: Map<string, T>, method: string, value: T, describeRoute: string): void {
  if (map.has(method)) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `${describeRoute} is declared twice (same verb and path shape); the second would never match`,
    )
  }
  map.set(method, value)
}

/** Walks/creates the static run under `node`, splitting an edge where the run diverges. */
function insertStatic<T>(node: Node<T>, run: string[]): Node<T> {
  let current = node
  let rest = run
  while (rest.length > 0) {
    const head = rest[0] as string
    const child = current.children.get(head)
    if (child === undefined) {
      const fresh = newNode<T>(rest)
      current.children.set(head, fresh)
      return fresh
    }
    const common = commonPrefix(child.label, rest)
    if (common < child.label.length) splitEdge(current, child, common)
    current = current.children.get(head) as Node<T>
    rest = rest.slice(common)
  }
  return current
}

/** Splits `child`'s edge after `at` segments, inserting an intermediate node. */
function splitEdge<T>(parent: Node<T>, child: Node<T>, at: number): void {
  const middle = newNode<T>(child.label.slice(0, at))
  child.label = child.label.slice(at)
  middle.children.set(child.label[0] as string, child)
  parent.children.set(middle.label[0] as string, middle)
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n
}

function pick<T>(values: Map<string, T> | undefined, method: string): T | undefined {
  if (values === undefined || values.size === 0) return undefined
  return (
    values.get(method) ??
    (method === 'HEAD' ? values.get('GET') : undefined) ??
    values.get(ANY_METHOD)
  )
}

function walk<T>(
  node: Node<T>,
  segments: readonly string[],
  index: number,
  method: string,
  captures: string[],
): RadixMatch<T> | undefined {
  if (index === segments.length) {
    const leaf = pick(node.leaves, method)
    if (leaf !== undefined) return { value: leaf, captures: [...captures], glob: undefined }
  } else {
    const found =
      walkStatic(node, segments, index, method, captures) ??
      walkParam(node, segments, index, method, captures)
    if (found !== undefined) return found
  }
  const glob = pick(node.glob, method)
  if (glob === undefined) return undefined
  return { value: glob, captures: [...captures], glob: segments.slice(index) }
}

function walkStatic<T>(
  node: Node<T>,
  segments: readonly string[],
  index: number,
  method: string,
  captures: string[],
): RadixMatch<T> | undefined {
  const child = node.children.get(segments[index] as string)
  if (child === undefined) return undefined
  const { label } = child
  if (index + label.length > segments.length) return undefined
  for (let k = 1; k < label.length; k++) if (label[k] !== segments[index + k]) return undefined
  return walk(child, segments, index + label.length, method, captures)
}

function walkParam<T>(
  node: Node<T>,
  segments: readonly string[],
  index: number,
  method: string,
  captures: string[],
): RadixMatch<T> | undefined {
  if (node.param === undefined) return undefined
  captures.push(segments[index] as string)
  const found = walk(node.param, segments, index + 1, method, captures)
  captures.pop()
  return found
}
