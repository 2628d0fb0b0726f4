/**
 * Static files, as Plug.Static: serves GET/HEAD requests under `at` from the
 * directory `from`, and lets every other request through untouched.
 *
 * - Caching: a strong ETag and Last-Modified on every file, 304 for a matching
 *   If-None-Match or a fresh If-Modified-Since; `?vsn=` (digested asset URLs)
 *   gets a year-long immutable cache-control instead.
 * - Precompressed `.br` / `.gz` siblings are sent when Accept-Encoding allows.
 * - Byte ranges: one range gives 206, an unsatisfiable one 416 (several ranges
 *   get the whole file, as Plug does).
 * - Path traversal: `..`, separators, NUL and drive letters inside a segment
 *   (after percent-decoding) are a 400; the resolved path must stay in `from`.
 */
import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { CinderError, describe } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { splitPath } from '../conn.ts'
import { isTextType, mimeType } from '../mime.ts'

export interface StaticOptions {
  /** URL prefix served, e.g. `/` or `/assets`. */
  readonly at: string
  /** Directory the files come from. */
  readonly from: string
  /** First path segments allowed (Phoenix's `static_paths`), e.g. `['assets', 'favicon.ico']`. Default: all. */
  readonly only?: readonly string[]
  /** Serve `file.gz` when the client accepts gzip. Default true. */
  readonly gzip?: boolean
  /** Serve `file.br` when the client accepts br. Default true. */
  readonly brotli?: boolean
  /** Cache-control with an ETag (no `vsn`). Default `public`. */
  readonly cacheControlForEtags?: string
  /** Cache-control for `?vsn=` requests. Default `public, max-age=31536000, immutable`. */
  readonly cacheControlForVsnRequests?: string
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>
}

interface Variant {
  readonly path: string
  readonly stats: Stats
  readonly encoding: 'br' | 'gzip' | undefined
}

/**
 * @example
 * pipeline([staticFiles({ at: '/', from: './priv/static', only: ['assets', 'favicon.ico'] }), router.plug])
 */
export function staticFiles(options: StaticOptions) {
  const {
    gzip = true,
    brotli = true,
    cacheControlForEtags = 'public',
    cacheControlForVsnRequests = 'public, max-age=31536000, immutable',
    headers = {},
  } = options
  const root = resolve(options.from)
  const prefix = splitPath(options.at)
  const only = options.only === undefined ? undefined : new Set(options.only)
  return async function staticPlug(conn: Conn): Promise<Conn> {
    if (conn.method !== 'GET' && conn.method !== 'HEAD') return conn
    const segments = segmentsUnder(conn.pathInfo, prefix)
    if (segments === undefined || segments.length === 0) return conn
    if (only !== undefined && !only.has(segments[0] as string)) return conn
    const path = safePath(root, segments.map(decodeSegment))
    const variant = await pickVariant(conn, path, { gzip, brotli })
    if (variant === undefined) return conn
    conn.mergeRespHeaders(headers)
    putHeaders(conn, path, variant, { gzip, brotli })
    const vsn = conn.queryParams.vsn !== undefined
    conn.putRespHeader('cache-control', vsn ? cacheControlForVsnRequests : cacheControlForEtags)
    if (notModified(conn, variant.stats)) return conn.sendResp(304, '').halt()
    return (await sendRange(conn, variant)).halt()
  }
}

function segmentsUnder(
  pathInfo: readonly string[],
  prefix: readonly string[],
): string[] | undefined {
  for (let i = 0; i < prefix.length; i++) if (pathInfo[i] !== prefix[i]) return undefined
  return pathInfo.slice(prefix.length)
}

function decodeSegment(segment: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    throw invalidPath(segment)
  }
  if (decoded === '..' || decoded === '.' || /[/\\\0:]/.test(decoded)) throw invalidPath(segment)
  return decoded
}

function safePath(root: string, segments: readonly string[]): string {
  const path = join(root, ...segments)
  if (!path.startsWith(root + sep)) throw invalidPath(segments.join('/'))
  return path
}

function invalidPath(segment: string): CinderError {
  return new CinderError(
    'CINDER_ERR_BAD_REQUEST',
    `invalid path for a static file: ${describe(segment)}`,
  )
}

async function pickVariant(
  conn: Conn,
  path: string,
  allow: { gzip: boolean; brotli: boolean },
): Promise<Variant | undefined> {
  const accepted = acceptedEncodings(conn.getReqHeader('accept-encoding'))
  if (allow.brotli && accepted.has('br')) {
    const stats = await fileStats(`${path}.br`)
    if (stats !== undefined) return { path: `${path}.br`, stats, encoding: 'br' }
  }
  if (allow.gzip && accepted.has('gzip')) {
    const stats = await fileStats(`${path}.gz`)
    if (stats !== undefined) return { path: `${path}.gz`, stats, encoding: 'gzip' }
  }
  const stats = await fileStats(path)
  return stats === undefined ? undefined : { path, stats, encoding: undefined }
}

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path)
    return stats.isFile() ? stats : undefined
  } catch {
    return undefined
  }
}

function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>()
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    const q = params.find((p) => p.startsWith('q='))
    if (name !== '' && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name)
  }
  return accepted
}

function putHeaders(
  conn: Conn,
  path: string,
  variant: Variant,
  allow: { gzip: boolean; brotli: boolean },
): void {
  const type = mimeType(path)
  conn.putRespContentType(type, isTextType(type) ? 'utf-8' : null)
  conn.putRespHeader('etag', etagOf(variant.stats))
  conn.putRespHeader('last-modified', variant.stats.mtime.toUTCString())
  conn.putRespHeader('accept-ranges', variant.encoding === undefined ? 'bytes' : 'none')
  if (allow.gzip || allow.brotli) conn.putRespHeader('vary', 'accept-encoding')
  if (variant.encoding !== undefined) conn.putRespHeader('content-encoding', variant.encoding)
}

function etagOf(stats: Stats): string {
  return `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
}

function notModified(conn: Conn, stats: Stats): boolean {
  const ifNoneMatch = conn.getReqHeader('if-none-match')
  if (ifNoneMatch !== undefined) {
    const etag = etagOf(stats)
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === etag || tag === '*')
  }
  const ifModifiedSince = Date.parse(conn.getReqHeader('if-modified-since') ?? '')
  return (
    !Number.isNaN(ifModifiedSince) && Math.floor(stats.mtimeMs / 1000) * 1000 <= ifModifiedSince
  )
}

async function sendRange(conn: Conn, variant: Variant): Promise<Conn> {
  const size = variant.stats.size
  const header = conn.getReqHeader('range')
  if (
    header === undefined ||
    variant.encoding !== undefined ||
    !ifRangeHolds(conn, variant.stats)
  ) {
    return conn.sendFile(200, variant.path)
  }
  const range = parseRange(header, size)
  if (range === 'ignore') return conn.sendFile(200, variant.path)
  if (range === 'unsatisfiable') {
    return conn.putRespHeader('content-range', `bytes */${size}`).sendResp(416, '')
  }
  const [start, end] = range
  conn.putRespHeader('content-range', `bytes ${start}-${end}/${size}`)
  return conn.sendFile(206, variant.path, { offset: start, length: end - start + 1 })
}

/** If-Range names the current ETag or Last-Modified, or is absent. */
function ifRangeHolds(conn: Conn, stats: Stats): boolean {
  const ifRange = conn.getReqHeader('if-range')
  return ifRange === undefined || ifRange === etagOf(stats) || ifRange === stats.mtime.toUTCString()
}

/** One `bytes=` range as inclusive [start, end]; several ranges or garbage are ignored. */
function parseRange(header: string, size: number): [number, number] | 'ignore' | 'unsatisfiable' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return 'ignore'
  const [, from = '', to = ''] = match
  if (from === '' && to === '') return 'ignore'
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return [Math.max(size - suffix, 0), size - 1]
  }
  const start = Number(from)
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  if (start >= size || start > end) return 'unsatisfiable'
  return [start, end]
}
