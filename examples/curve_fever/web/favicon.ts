/**
 * The icon of the tab (`/favicon.svg`, linked by the layout), also at `/favicon.ico`, the path
 * browsers ask for on pages without a link (the dashboard, /metrics): a yellow curve on the dark
 * arena. Without it every page load logged a 404.
 */
import type { Conn, PlugResult } from 'cinder'

export const FAVICON_PATH = '/favicon.svg'

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#10131a"/>
<path d="M10 50 C 22 10, 38 58, 54 16" fill="none" stroke="#ffc914" stroke-width="7" stroke-linecap="round"/>
<circle cx="54" cy="16" r="6" fill="#fff8d6"/>
</svg>
`

export function serveFavicon(conn: Conn): PlugResult {
  const path = conn.requestPath
  if (path !== FAVICON_PATH && path !== '/favicon.ico') return conn
  if (conn.method !== 'GET' && conn.method !== 'HEAD') return conn
  return conn
    .putRespContentType('image/svg+xml')
    .putRespHeader('cache-control', 'public, max-age=86400')
    .sendResp(200, SVG)
    .halt()
}
