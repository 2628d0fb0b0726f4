/**
 * Controller helpers, as in Phoenix.Controller: an action is a function
 * `(conn, params) => conn` and these helpers write the response. Each keeps a
 * status set earlier with `conn.putStatus` (default 200) and a content type set
 * earlier, and sends.
 */
import { basename } from 'node:path'
import { CinderError, describe } from '../errors.ts'
import type { Conn } from './conn.ts'
import { escapeHtml } from './escape-html.ts'
import { isTextType, mimeType } from './mime.ts'

/** Sends `data` as JSON. */
export function json(conn: Conn, data: unknown, status?: number): Conn {
  return sendAs(conn, 'application/json', JSON.stringify(data) ?? 'null', status)
}

/** Sends an HTML document or fragment. */
export function sendHtml(conn: Conn, body: string, status?: number): Conn {
  return sendAs(conn, 'text/html', body, status)
}

/** Sends plain text. */
export function text(conn: Conn, body: string, status?: number): Conn {
  return sendAs(conn, 'text/plain', body, status)
}

function sendAs(conn: Conn, type: string, body: string, status: number | undefined): Conn {
  if (conn.getRespHeader('content-type') === undefined) conn.putRespContentType(type)
  return conn.sendResp(status ?? conn.status ?? 200, body)
}

/** Where `redirect` goes: a local path, or an external URL said out loud. */
export type RedirectTarget = string | { readonly to: string } | { readonly external: string }

/**
 * Redirects (302 unless a 3xx status was put). A plain string must be a local
 * path (`/…`, not `//…`): open redirects need `{ external: url }`.
 *
 * @example
 * redirect(conn, '/login')
 * redirect(conn, { external: 'https://example.com' })
 */
export function redirect(conn: Conn, target: RedirectTarget): Conn {
  const url = redirectUrl(target)
  const status = conn.status !== null && conn.status >= 300 && conn.status < 400 ? conn.status : 302
  const body = `<html><body>You are being <a href="${escapeHtml(url)}">redirected</a>.</body></html>`
  return conn.putRespHeader('location', url).putRespContentType('text/html').sendResp(status, body)
}

function redirectUrl(target: RedirectTarget): string {
  if (typeof target === 'object' && target !== null && 'external' in target) {
    return String(target.external)
  }
  const to = typeof target === 'string' ? target : target?.to
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.includes('\\')) {
    throw new CinderError(
      'CINDER_ERR_PLUG_OPTIONS',
      `redirect expects a local path starting with "/" (use { external: url } for other sites), got: ${describe(to)}`,
    )
  }
  return to
}

export interface DownloadOptions {
  /** The name the browser saves as (default: the file's base name). */
  readonly filename?: string
  readonly contentType?: string
  /** `attachment` (save) or `inline` (show). Default `attachment`. */
  readonly disposition?: 'attachment' | 'inline'
}

/**
 * Sends a file, or bytes, as a download.
 *
 * @example
 * await sendDownload(conn, { file: '/srv/reports/q1.pdf' })
 * await sendDownload(conn, { binary: csv, filename: 'export.csv' })
 */
export async function sendDownload(
  conn: Conn,
  source: { readonly file: string } | { readonly binary: string | Uint8Array },
  options: DownloadOptions = {},
): Promise<Conn> {
  const fallbackName = 'file' in source ? basename(source.file) : 'download'
  const filename = options.filename ?? fallbackName
  const type = options.contentType ?? mimeType(filename)
  conn
    .putRespContentType(type, isTextType(type) ? 'utf-8' : null)
    .putRespHeader(
      'content-disposition',
      contentDisposition(options.disposition ?? 'attachment', filename),
    )
  if ('file' in source) return conn.sendFile(conn.status ?? 200, source.file)
  return conn.sendResp(conn.status ?? 200, source.binary)
}

/** RFC 6266: an ASCII fallback name plus the exact UTF-8 name. */
function contentDisposition(kind: string, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}
