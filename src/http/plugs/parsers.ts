/**
 * Request body parsers, as Plug.Parsers: JSON, urlencoded and multipart bodies
 * become `conn.bodyParams` (and so `conn.params`). Too long: 413. Malformed
 * JSON or form encoding: 400 saying what is wrong. A content type no parser
 * takes: 415, unless `pass` lets it through untouched.
 */
import { CinderError, describe } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { decodeQuery, type Params } from '../query.ts'
import { type MultipartOptions, parseMultipart } from './multipart.ts'

export type ParserName = 'json' | 'urlencoded' | 'multipart'

export interface ParsersOptions {
  /** Default: all three. */
  readonly parsers?: readonly ParserName[]
  /** Content types to leave unparsed instead of a 415, e.g. `['text/*']`. Default `['*\/*']`. */
  readonly pass?: readonly string[]
  /** Most bytes in a JSON or urlencoded body. Default 8 MB. */
  readonly length?: number
  /** JSON decoder. Default `JSON.parse`. */
  readonly jsonDecoder?: (text: string) => unknown
  readonly multipart?: MultipartOptions
}

/**
 * @example
 * pipeline([parsers({ length: 1_000_000, multipart: { fileSize: 20_000_000 } }), methodOverride()])
 */
export function parsers(options: ParsersOptions = {}) {
  const {
    parsers: enabled = ['urlencoded', 'multipart', 'json'],
    pass = ['*/*'],
    length = 8_000_000,
    jsonDecoder = JSON.parse,
    multipart = {},
  } = options
  // Synchronous unless there is a body to read, so bodiless requests stay on
  // the pipeline's synchronous path.
  return function parsersPlug(conn: Conn): Conn | Promise<Conn> {
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
    if (parser === 'multipart')
      return conn.putBodyParams(await parseMultipart(conn, length, multipart))
    const text = (await conn.readBody({ limit: length })).toString('utf8')
    if (parser === 'urlencoded') return conn.putBodyParams(decodeQuery(text))
    return conn.putBodyParams(parseJson(text, jsonDecoder))
  }
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

/** An empty body is `{}`; a top-level non-object lands under `_json`, as in Phoenix. */
function parseJson(text: string, decode: (text: string) => unknown): Params {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = decode(text)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new CinderError('CINDER_ERR_BAD_REQUEST', `malformed JSON body: ${why}`)
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Params
  return { _json: value as Params[string] }
}
