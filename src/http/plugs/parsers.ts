/**
 * Request body parsers, as Plug.Parsers: JSON, urlencoded and multipart bodies
 * become `conn.bodyParams` (and so `conn.params`). Each type has its own
 * length limit (urlencoded 1 MB, JSON and multipart 8 MB); past it, 413. Too
 * many parameters or too deep a name, malformed JSON or form encoding: 400
 * saying what is wrong. A content type no parser takes: 415, unless `pass`
 * lets it through untouched. Every refusal names the option that raises it.
 *
 * A body over 64 KB is decoded in slices of about 2 ms (src/http/body/), so
 * one big body never stalls the other requests; smaller ones are decoded in
 * one go, with no extra promise or turn of the event loop.
 */
import { CinderError, describe } from '../../errors.ts'
import { FormDecoder } from '../body/form.ts'
import { JsonDecoder } from '../body/json.ts'
import { readBodyBytes, SMALL_BODY } from '../body/read.ts'
import { runSliced } from '../body/slice.ts'
import type { Conn } from '../conn.ts'
import {
  DEFAULT_DEPTH_LIMIT,
  DEFAULT_PARAMS_LIMIT,
  decodeQuery,
  type Params,
  type QueryLimits,
} from '../query.ts'
import { type MultipartOptions, parseMultipart } from './multipart.ts'

export type ParserName = 'json' | 'urlencoded' | 'multipart'

/** Options of one body type. */
export interface BodyOptions {
  /** Most bytes in the body; past it, 413. */
  readonly length?: number
}

export interface ParsersOptions {
  /** Default: all three. */
  readonly parsers?: readonly ParserName[]
  /** Content types to leave unparsed instead of a 415, e.g. `['text/*']`. Default `['*\/*']`. */
  readonly pass?: readonly string[]
  /**
   * Most bytes in a body of any type whose own `length` is not given (as
   * Plug's `length`). Default: each type's own (urlencoded 1 MB, JSON 8 MB,
   * multipart 8 MB).
   */
  readonly length?: number
  /** JSON bodies. `length` default 8 MB. */
  readonly json?: BodyOptions
  /** urlencoded bodies. `length` default 1 MB. */
  readonly urlencoded?: BodyOptions
  /**
   * JSON decoder. Default: `JSON.parse` for bodies up to 64 KB, Cinder's
   * sliced decoder above. A custom decoder gets the whole text at once.
   */
  readonly jsonDecoder?: (text: string) => unknown
  readonly multipart?: MultipartOptions
  /**
   * Most parameters in the query string or an urlencoded body (`&`-separated
   * parts, as Rack's `params_limit`), and most keys at the top of a JSON
   * body; past it, 400. Default 4096.
   */
  readonly params?: number
  /** Most levels in a bracketed parameter name (`a[b][c]` is 3); past it, 400. Default 32. */
  readonly depth?: number
}

const MB = 1_000_000

/**
 * @example
 * pipeline([parsers({ urlencoded: { length: 2_000_000 }, multipart: { fileSize: 20_000_000 } }), methodOverride()])
 */
export function parsers(options: ParsersOptions = {}) {
  const {
    parsers: enabled = ['urlencoded', 'multipart', 'json'],
    pass = ['*/*'],
    jsonDecoder,
    multipart = {},
  } = options
  const lengths = {
    json: checkLimit('json.length', options.json?.length ?? options.length ?? 8 * MB),
    urlencoded: checkLimit('urlencoded.length', options.urlencoded?.length ?? options.length ?? MB),
    multipart: checkLimit('length', options.length ?? 8 * MB),
  }
  const limits: Required<QueryLimits> = {
    params: checkLimit('params', options.params ?? DEFAULT_PARAMS_LIMIT),
    depth: checkLimit('depth', options.depth ?? DEFAULT_DEPTH_LIMIT),
  }
  // Only non-default limits need the query decoded here; otherwise it stays lazy.
  const queryLimits = options.params !== undefined || options.depth !== undefined
  // Synchronous unless there is a body to read, so bodiless requests stay on
  // the pipeline's synchronous path.
  return function parsersPlug(conn: Conn): Conn | Promise<Conn> {
    if (queryLimits) conn.fetchQueryParams(limits)
    const header = conn.getReqHeader('content-type')
    if (header === undefined || conn.method === 'GET' || conn.method === 'HEAD') return conn
    return parseBody(conn, header)
  }

  async function parseBody(conn: Conn, header: string): Promise<Conn> {
    const type = mediaType(header)
    const parser = pickParser(type, enabled)
    if (parser === undefined) {
      if (passes(type, pass)) return conn
      throw new CinderError(
        'CINDER_ERR_UNSUPPORTED_MEDIA_TYPE',
        `no body parser for content-type ${describe(header)} (parsers: ${enabled.join(', ')})`,
      )
    }
    if (parser === 'multipart') {
      return conn.putBodyParams(await parseMultipart(conn, lengths.multipart, multipart, limits))
    }
    const limit = lengths[parser]
    const bytes = await readBodyBytes(conn, limit, () => tooLarge(parser, limit))
    const params =
      parser === 'urlencoded'
        ? decodeForm(bytes, limits)
        : decodeJson(bytes, jsonDecoder, limits.params)
    return conn.putBodyParams(params instanceof Promise ? await params : params)
  }
}

function decodeForm(bytes: Buffer, limits: QueryLimits): Params | Promise<Params> {
  if (bytes.length <= SMALL_BODY) return decodeQuery(bytes.toString('utf8'), limits)
  return runSliced(new FormDecoder(bytes, limits))
}

/** An empty body is `{}`; a top-level non-object lands under `_json`, as in Phoenix. */
function decodeJson(
  bytes: Buffer,
  decoder: ((text: string) => unknown) | undefined,
  maxKeys: number,
): Params | Promise<Params> {
  if (bytes.length <= SMALL_BODY || decoder !== undefined) {
    const text = bytes.toString('utf8')
    if (text.trim() === '') return {}
    return toParams(decodeText(text, decoder ?? JSON.parse), maxKeys)
  }
  const decoded = runSliced(
    new JsonDecoder(bytes, { topLevelKeys: maxKeys, tooManyKeys: tooManyKeys }),
  )
  return decoded instanceof Promise
    ? decoded.then((value) => toParams(value, maxKeys))
    : toParams(decoded, maxKeys)
}

function decodeText(text: string, decode: (text: string) => unknown): unknown {
  try {
    return decode(text)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new CinderError('CINDER_ERR_BAD_REQUEST', `malformed JSON body: ${why}`)
  }
}

function toParams(value: unknown, maxKeys: number): Params {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { _json: value as Params[string] }
  }
  // Its keys become params: `conn.params` copies them, so their number is bounded too.
  if (Object.keys(value).length > maxKeys) throw tooManyKeys(maxKeys)
  return value as Params
}

function mediaType(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase()
}

function pickParser(type: string, enabled: readonly ParserName[]): ParserName | undefined {
  if (enabled.includes('json') && (type === 'application/json' || type.endsWith('+json')))
    return 'json'
  if (enabled.includes('urlencoded') && type === 'application/x-www-form-urlencoded')
    return 'urlencoded'
  if (enabled.includes('multipart') && type === 'multipart/form-data') return 'multipart'
  return undefined
}

function passes(type: string, pass: readonly string[]): boolean {
  return pass.some(
    (p) => p === '*/*' || p === type || (p.endsWith('/*') && type.startsWith(p.slice(0, -1))),
  )
}

function tooLarge(parser: 'json' | 'urlencoded', limit: number): CinderError {
  return new CinderError(
    'CINDER_ERR_BODY_TOO_LARGE',
    `the ${parser === 'json' ? 'JSON' : 'urlencoded'} body is larger than ${limit} bytes (raise the parsers' \`${parser}.length\` option)`,
  )
}

function tooManyKeys(max: number): CinderError {
  return new CinderError(
    'CINDER_ERR_TOO_MANY_PARAMS',
    `the JSON body's top-level object has more than ${max} keys (raise the parsers' \`params\` option)`,
  )
}

function checkLimit(name: string, value: number): number {
  if (Number.isInteger(value) && value > 0) return value
  throw new CinderError(
    'CINDER_ERR_PLUG_OPTIONS',
    `parsers: ${name} must be a positive integer; got: ${describe(value)}`,
  )
}
