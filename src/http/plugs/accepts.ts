/**
 * Content negotiation, as Phoenix's `accepts`: picks the response format from
 * the `_format` param or the `accept` header, among the formats a pipeline
 * serves, and answers 406 when none fits.
 */
import { CinderError, describe } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { formatsOf, mimeType } from '../mime.ts'

/** `conn.private` key holding the negotiated format. */
export const FORMAT_KEY = 'cinderFormat'

/** The negotiated format (`'html'`, `'json'`…), if `accepts` ran. */
export function getFormat(conn: Conn): string | undefined {
  const format = conn.private[FORMAT_KEY]
  return typeof format === 'string' ? format : undefined
}

/**
 * Serves only `formats`; the first one is the default for `*\/*` or no header.
 *
 * @example
 * router.pipeline('browser', [accepts(['html'])])
 * router.pipeline('api', [accepts(['json'])])
 */
export function accepts(formats: readonly string[]) {
  if (formats.length === 0) {
    throw new CinderError(
      'CINDER_ERR_PLUG_OPTIONS',
      "accepts needs at least one format, e.g. accepts(['html'])",
    )
  }
  // Clients send a handful of distinct accept headers, so each is parsed once.
  const byHeader = new Map<string, string | null>()
  return function acceptsPlug(conn: Conn): Conn {
    const requested = formatParam(conn)
    if (typeof requested === 'string') {
      if (formats.includes(requested)) return conn.putPrivate(FORMAT_KEY, requested)
      throw notAcceptable(
        `unknown format ${describe(requested)} in _format, expected one of ${formats.join(', ')}`,
      )
    }
    const header = conn.getReqHeader('accept') ?? ''
    let format = byHeader.get(header)
    if (format === undefined) {
      format = negotiate(header, formats)
      if (byHeader.size >= NEGOTIATION_CACHE_SIZE) byHeader.clear()
      byHeader.set(header, format)
    }
    if (format === null) {
      throw notAcceptable(
        `no format in accept ${describe(header)} is served here, expected one of ${formats.join(', ')}`,
      )
    }
    conn.private[FORMAT_KEY] = format
    return conn
  }
}

const NEGOTIATION_CACHE_SIZE = 256

/** `conn.params._format` without merging the params: path beats body beats query. */
function formatParam(conn: Conn): unknown {
  if (conn.pathParams._format !== undefined) return conn.pathParams._format
  if (conn.bodyParams._format !== undefined) return conn.bodyParams._format
  return conn.queryString.includes('_format') ? conn.queryParams._format : undefined
}

/** The format `header` picks among `formats`, or null when none fits. */
function negotiate(header: string, formats: readonly string[]): string | null {
  if (header.trim() === '') return formats[0] as string
  for (const { type } of parseAccept(header)) {
    if (type === '*/*') return formats[0] as string
    const match = formats.find((format) => matches(type, format))
    if (match !== undefined) return match
  }
  return null
}

function matches(range: string, format: string): boolean {
  if (range.endsWith('/*')) {
    const prefix = range.slice(0, -1)
    return mimeType(format).startsWith(prefix)
  }
  return formatsOf(range).includes(format) || range === format
}

/** Media ranges by descending quality, order kept among equals; q=0 dropped. */
function parseAccept(header: string): Array<{ type: string; q: number }> {
  return header
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim())
      const q = params.find((p) => p.startsWith('q='))
      return { type: type.toLowerCase(), q: q === undefined ? 1 : Number(q.slice(2)) || 0, index }
    })
    .filter((range) => range.type !== '' && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
}

function notAcceptable(message: string): CinderError {
  return new CinderError('CINDER_ERR_NOT_ACCEPTABLE', message)
}
