/**
 * The naive matcher: every route in one list, each tried against the path.
 * It defines the semantics the radix tree must reproduce (a property test
 * compares them) and is the floor the router benchmark measures against.
 * Among the routes matching the path and method, the winner has the
 * smallest shape (segment by segment: static < param < glob, a shorter
 * pattern first), then the best method (exact, GET for HEAD, any).
 */

import type { Token } from './pattern.ts'
import { ANY_METHOD, type RadixMatch } from './radix.ts'

interface Entry<T> {
  readonly method: string
  readonly tokens: readonly Token[]
  readonly value: T
}

const RANK = { static: 0, param: 1, glob: 2 } as const

export class LinearMatcher<T> {
  readonly #entries: Entry<T>[] = []

  insert(method: string, tokens: readonly Token[], value: T): void {
    this.#entries.push({ method, tokens, value })
  }

  match(method: string, segments: readonly string[]): RadixMatch<T> | undefined {
    let best: { entry: Entry<T>; match: RadixMatch<T> } | undefined
    for (const entry of this.#entries) {
      if (methodRank(entry.method, method) < 0) continue
      const match = matchTokens(entry, segments)
      if (match === undefined) continue
      if (best === undefined || better(entry, best.entry, method)) best = { entry, match }
    }
    return best?.match
  }
}

function methodRank(routeMethod: string, method: string): number {
  if (routeMethod === method) return 0
  if (method === 'HEAD' && routeMethod === 'GET') return 1
  if (routeMethod === ANY_METHOD) return 2
  return -1
}

function better<T>(a: Entry<T>, b: Entry<T>, method: string): boolean {
  const byShape = compareShapes(a.tokens, b.tokens)
  if (byShape !== 0) return byShape < 0
  return methodRank(a.method, method) < methodRank(b.method, method)
}

function compareShapes(a: readonly Token[], b: readonly Token[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : -1) : 1
    if (RANK[x.kind] !== RANK[y.kind]) return RANK[x.kind] - RANK[y.kind]
  }
  return 0
}

function matchTokens<T>(entry: Entry<T>, segments: readonly string[]): RadixMatch<T> | undefined {
  const captures: string[] = []
  for (let i = 0; i < entry.tokens.length; i++) {
    const token = entry.tokens[i] as Token
    if (token.kind === 'glob') return { value: entry.value, captures, glob: segments.slice(i) }
    const segment = segments[i]
    if (segment === undefined) return undefined
    if (token.kind === 'static' && token.value !== segment) return undefined
    if (token.kind === 'param') captures.push(segment)
  }
  if (entry.tokens.length !== segments.length) return undefined
  return { value: entry.value, captures, glob: undefined }
}
