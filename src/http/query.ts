/**
 * Query strings and form bodies, decoded the Rack/Plug way: `a[b]=1` nests,
 * `a[]=1&a[]=2` collects a list, a repeated plain key keeps the last value.
 * Malformed percent-encoding and absurd nesting are 400s, never crashes.
 */
import { CinderError, describe } from '../errors.ts'

/** A decoded parameter value: a string, a list, or a nested map of the same. */
export type ParamValue = string | ParamValue[] | Params | Upload
/** Decoded parameters (query, body or path), keyed by name. */
export type Params = { [key: string]: ParamValue }

/** A file received in a multipart body (see the `parsers` plug). */
export class Upload {
  /** Where the bytes were written; the file is deleted when the request is done. */
  readonly path: string
  /** The file name the client sent (untrusted: never use it as a path). */
  readonly filename: string
  readonly contentType: string
  readonly size: number

  constructor(path: string, filename: string, contentType: string, size: number) {
    this.path = path
    this.filename = filename
    this.contentType = contentType
    this.size = size
  }
}

/** Nesting deeper than this is refused: no legitimate form needs it. */
const MAX_DEPTH = 32

/** Decodes one `application/x-www-form-urlencoded` component (`+` is a space). */
export function decodeComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `invalid percent-encoding in query or form parameter: ${describe(text)}`,
    )
  }
}

/** Splits `a=1&b=2` into decoded `[name, value]` pairs, skipping empty names. */
export function decodePairs(query: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  if (query === '') return pairs
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq))
    if (name === '') continue
    pairs.push([name, eq === -1 ? '' : decodeComponent(part.slice(eq + 1))])
  }
  return pairs
}

/** Decodes a query string or urlencoded body into nested params. */
export function decodeQuery(query: string): Params {
  return buildParams(decodePairs(query))
}

/** Folds `[name, value]` pairs (names possibly bracketed) into nested params. */
export function buildParams(pairs: Iterable<readonly [string, ParamValue]>): Params {
  const root: Params = {}
  for (const [name, value] of pairs) assignPath(root, splitKey(name), value)
  return root
}

/** `user[address][city]` → `['user', 'address', 'city']`; `tags[]` → `['tags', '']`. */
export function splitKey(name: string): string[] {
  const open = name.indexOf('[')
  if (open <= 0) return [name]
  const keys = [name.slice(0, open)]
  let rest = name.slice(open)
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close === -1) break
    keys.push(rest.slice(1, close))
    rest = rest.slice(close + 1)
  }
  // Anything left after the brackets (e.g. `a[b]c` or an unclosed `[`) stays a literal key part.
  if (rest !== '') keys[keys.length - 1] += rest
  if (keys.length > MAX_DEPTH) {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `parameter ${describe(name.slice(0, 80))} nests deeper than ${MAX_DEPTH} levels`,
    )
  }
  return keys
}

function assignPath(target: Params, keys: string[], value: ParamValue): void {
  const [key, ...rest] = keys
  if (key === undefined) return
  if (rest.length === 0) {
    setKey(target, key, value)
    return
  }
  const [next, ...after] = rest
  if (next === '') {
    appendToList(target, key, after, value)
    return
  }
  const child = Object.hasOwn(target, key) ? target[key] : undefined
  const map = isParams(child) ? child : {}
  setKey(target, key, map)
  assignPath(map, rest, value)
}

/** `a[]=v` appends; `a[][k]=v` adds `k` to the last map unless it has `k` already (Rack's rule). */
function appendToList(target: Params, key: string, after: string[], value: ParamValue): void {
  const current = Object.hasOwn(target, key) ? target[key] : undefined
  const list = Array.isArray(current) ? current : []
  setKey(target, key, list)
  if (after.length === 0) {
    list.push(value)
    return
  }
  const last = list[list.length - 1]
  const head = after[0] ?? ''
  if (isParams(last) && !Object.hasOwn(last, head)) {
    assignPath(last, after, value)
    return
  }
  const fresh: Params = {}
  list.push(fresh)
  assignPath(fresh, after, value)
}

function isParams(value: ParamValue | undefined): value is Params {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Upload)
}

/** Own-property write: a `__proto__` key becomes data, never the prototype. */
function setKey(target: Params, key: string, value: ParamValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    target[key] = value
  }
}

/** Encodes params back into a query string (`a[b]=1&c[]=2`); used by path helpers. */
export function encodeQuery(params: Readonly<Record<string, unknown>>, prefix = ''): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(params)) {
    const name = prefix === '' ? encodeURIComponent(key) : `${prefix}[${encodeURIComponent(key)}]`
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${name}[]=${encodeURIComponent(String(item))}`)
    } else if (typeof value === 'object') {
      const nested = encodeQuery(value as Record<string, unknown>, name)
      if (nested !== '') parts.push(nested)
    } else {
      parts.push(`${name}=${encodeURIComponent(String(value))}`)
    }
  }
  return parts.join('&')
}
