/**
 * The pages an error turns into. In development (`debug`) a page with the
 * message, the stack and the request, every piece HTML-escaped (an error
 * message can carry user input); in production only the status and its
 * reason. Clients that ask for JSON get Phoenix's `{"errors": {"detail": …}}`.
 */
import type { Conn } from './conn.ts'
import { escapeHtml } from './escape-html.ts'
import { reasonPhrase } from './status.ts'

export interface ErrorPage {
  readonly contentType: string
  readonly body: string
}

/** Renders the page for `error` answered with `status`. */
export function renderErrorPage(
  conn: Conn,
  error: unknown,
  status: number,
  debug: boolean,
): ErrorPage {
  if (wantsJson(conn)) return jsonPage(error, status, debug)
  return {
    contentType: 'text/html',
    body: debug ? debugPage(conn, error, status) : plainPage(status),
  }
}

function wantsJson(conn: Conn): boolean {
  const accept = conn.getReqHeader('accept') ?? ''
  return /\bjson\b/.test(accept) && !accept.includes('text/html')
}

function jsonPage(error: unknown, status: number, debug: boolean): ErrorPage {
  const detail = debug ? messageOf(error) : reasonPhrase(status)
  return { contentType: 'application/json', body: JSON.stringify({ errors: { detail } }) }
}

function plainPage(status: number): string {
  const reason = escapeHtml(reasonPhrase(status))
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${reason}</title></head><body><h1>${reason}</h1></body></html>\n`
}

function debugPage(conn: Conn, error: unknown, status: number): string {
  const name = errorName(error)
  const title = `${name} at ${conn.method} ${conn.requestPath}`
  const sections = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="status">${status} ${escapeHtml(reasonPhrase(status))}</p>`,
    `<pre class="message">${escapeHtml(messageOf(error))}</pre>`,
    routesSection(error),
    `<h2>Stack</h2><pre class="stack">${escapeHtml(stackOf(error))}</pre>`,
    `<h2>Request</h2>${table(requestRows(conn))}`,
    `<h2>Headers</h2>${table(Object.entries(conn.reqHeaders).map(([k, v]) => [k, String(v)]))}`,
  ]
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#222}pre{background:#f6f6f6;padding:1rem;overflow:auto;white-space:pre-wrap}.message{background:#fff0f0;border-left:4px solid #c33}td{padding:.2rem 1rem .2rem 0;vertical-align:top}td:first-child{color:#666}</style>
</head><body>
${sections.filter((s) => s !== '').join('\n')}
</body></html>
`
}

function routesSection(error: unknown): string {
  const routes = (error as { routes?: unknown } | null)?.routes
  if (!Array.isArray(routes)) return ''
  const items = routes.map((r) => `<li><code>${escapeHtml(String(r))}</code></li>`).join('')
  return `<h2>Available routes</h2><ul>${items}</ul>`
}

function requestRows(conn: Conn): Array<[string, string]> {
  return [
    ['method', conn.method],
    ['path', conn.requestPath],
    ['query', conn.queryString],
    ['host', `${conn.scheme}://${conn.host}:${conn.port}`],
    ['remote address', conn.remoteIp],
  ]
}

function table(rows: Array<[string, string]>): string {
  const body = rows
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  return `<table>${body}</table>`
}

function errorName(error: unknown): string {
  if (!(error instanceof Error)) return 'Thrown value'
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? `${error.name} (${code})` : error.name
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}
