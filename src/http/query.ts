/**
 * Query strings and form bodies, decoded the Rack/Plug way: `a[b]=1` nests,
 * `a[]=1&a[]=2` collects a list, a repeated plain key keeps the last value.
 * Malformed percent-encoding and absurd nesting are 400s, never crashes.
 */

import { CinderError, describe } from '../errors.ts'
import { setOwn } from './own-property.ts'

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

/** Limits on decoded parameters (query strings, form bodies); each refusal is a 400. */
export interface QueryLimits {
  /** Most `&`-separated parts (empty ones count, as in Rack). Default 4096. */
  readonly params?: number
  /** Most levels of brackets in one name (`a[b][c]` is 3). Default 32. */
  readonly depth?: number
}

/** Rack's default (`params_limit`): big admin forms fit, a flood of keys does not. */
export const DEFAULT_PARAMS_LIMIT = 4096
/** No legitimate form nests deeper. */
export const DEFAULT_DEPTH_LIMIT = 32

// A regex replace: `replaceAll('+', ' ')` is several times slower on long runs of `+`.
const PLUS = /\+/g

/** Decodes one `application/x-www-form-urlencoded` component (`+` is a space). */
export function decodeComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text
  try {
    return decodeURIComponent(text.replace(PLUS, ' '))
  } catch {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `invalid percent-encoding in query or form parameter: ${describe(text.slice(0, 80))}`,
    )
  }
}

/** Splits `a=1&b=2` into decoded `[name, value]` pairs, skipping empty names. */
export function decodePairs(query: string, limits: QueryLimits = {}): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  if (query === '') return pairs
  const max = limits.params ?? DEFAULT_PARAMS_LIMIT
  let count = 0
  let at = 0
  while (at <= query.length) {
    let end = query.indexOf('&', at)
    if (end === -1) end = query.length
    if (++count > max) throw tooManyParams(max)
    const pair = decodePair(query.slice(at, end))
    if (pair !== undefined) pairs.push(pair)
    at = end + 1
  }
  return pairs
}

/** `name=value` → decoded `[name, value]`; undefined for an empty name. */
export function decodePair(part: string): [string, string] | undefined {
  const eq = part.indexOf('=')
  const name = decodeComponent(eq === -1 ? part : part.slice(0, eq))
  if (name === '') return undefined
  return [name, eq === -1 ? '' : decodeComponent(part.slice(eq + 1))]
}

/** Decodes a query string or urlencoded body into nested params. */
export function decodeQuery(query: string, limits: QueryLimits = {}): Params {
  return buildParams(decodePairs(query, limits), limits)
}

/** Folds `[name, value]` pairs (names possibly bracketed) into nested params. */
export function buildParams(
  pairs: Iterable<readonly [string, ParamValue]>,
  limits: QueryLimits = {},
): Params {
  const root: Params = {}
  const depth = limits.depth ?? DEFAULT_DEPTH_LIMIT
  for (const [name, value] of pairs) assignParam(root, name, value, depth)
  return root
}

/** Puts one decoded pair into `root` (`a[b][]=v` nests and appends). */
export function assignParam(root: Params, name: string, value: ParamValue, depth: number): void {
  assignPath(root, splitKey(name, depth), 0, value)
}

/** `user[address][city]` → `['user', 'address', 'city']`; `tags[]` → `['tags', '']`. */
export function splitKey(name: string, depth = DEFAULT_DEPTH_LIMIT): string[] {
  const open = name.indexOf('[')
  if (open <= 0) return [name]
  const keys = [name.slice(0, open)]
  let at = open
  while (name.charCodeAt(at) === 0x5b) {
    const close = name.indexOf(']', at)
    if (close === -1) break
    // Refused as soon as it is too deep, so a name of a million brackets costs no more.
    if (keys.length === depth) throw tooDeep(name, depth)
    keys.push(name.slice(at + 1, close))
    at = close + 1
  }
  // Anything left after the brackets (e.g. `a[b]c` or an unclosed `[`) stays a literal key part.
  if (at < name.length) keys[keys.length - 1] += name.slice(at)
  return keys
}

function assignPath(target: Params, keys: string[], at: number, value: ParamValue): void {
  const key = keys[at]
  if (key === undefined) return
  if (at === keys.length - 1) {
    setOwn(target, key, value)
    return
  }
  if (keys[at + 1] === '') {
    appendToList(target, key, keys, at + 2, value)
    return
  }
  const child = Object.hasOwn(target, key) ? target[key] : undefined
  const map = isParams(child) ? child : {}
  setOwn(target, key, map)
  assignPath(map, keys, at + 1, value)
}

/** `a[]=v` appends; `a[][k]=v` adds `k` to the last map unless it has `k` already (Rack's rule). */
function appendToList(
  target: Params,
  key: string,
  keys: string[],
  after: number,
  value: ParamValue,
): void {
  const current = Object.hasOwn(target, key) ? target[key] : undefined
  const list = Array.isArray(current) ? current : []
  setOwn(target, key, list)
  if (after >= keys.length) {
    list.push(value)
    return
  }
  const last = list[list.length - 1]
  const head = keys[after] ?? ''
  if (isParams(last) && !Object.hasOwn(last, head)) {
    assignPath(last, keys, after, value)
    return
  }
  const fresh: Params = {}
  list.push(fresh)
  assignPath(fresh, keys, after, value)
}

/** The refusal for more than `max` parameters. */
export function tooManyParams(max: number): CinderError {
  return new CinderError(
    'CINDER_ERR_TOO_MANY_PARAMS',
    `more than ${max} parameters in the query string or form body (raise the parsers' \`params\` option)`,
  )
}

function tooDeep(name: string, depth: number): CinderError {
  return new CinderError(
    'CINDER_ERR_PARAMS_TOO_DEEP',
    `parameter ${describe(name.slice(0, 80))} nests deeper than ${depth} levels (raise the parsers' \`depth\` option)`,
  )
}

function isParams(value: ParamValue | undefined): value is Params {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Upload)
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
