/**
 * The dashboard's scripts, served by the dashboard itself so it needs no
 * bundler and no build step: the official `phoenix` and
 * `phoenix_live_view` clients as their packages ship them (browser
 * builds defining `Phoenix` and `LiveView`), uPlot's browser build and
 * style sheet for the charts, and a few lines that connect the LiveSocket
 * with the dashboard's hooks. Read once, on first request,
 * and cached by the browser for a day.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Conn } from '../http/conn.ts'
import { CLIENT_SCRIPT } from './client-script.ts'

const require = createRequire(import.meta.url)

/** A package's browser build, next to the CommonJS entry it resolves to. */
function packageFile(name: string, file: string): () => string {
  let text: string | undefined
  return () => {
    text ??= readFileSync(join(dirname(require.resolve(name)), file), 'utf8')
    return text
  }
}

const SCRIPT_FILES: Readonly<Record<string, () => string>> = {
  'phoenix.js': packageFile('phoenix', 'phoenix.min.js'),
  'live_view.js': packageFile('phoenix_live_view', 'phoenix_live_view.min.js'),
  'uplot.js': packageFile('uplot', 'uPlot.iife.min.js'),
  'dashboard.js': () => CLIENT_SCRIPT,
}

const STYLE_FILES: Readonly<Record<string, () => string>> = {
  'uplot.css': packageFile('uplot', 'uPlot.min.css'),
}

/** The scripts the layout loads, in order. */
export const SCRIPTS = Object.keys(SCRIPT_FILES)

/** The style sheets the layout links. */
export const STYLESHEETS = Object.keys(STYLE_FILES)

/** The action of `GET <dashboard>/assets/:file`. */
export function serveAsset(conn: Conn, params: { file: string }): Conn {
  const script = SCRIPT_FILES[params.file]
  const style = STYLE_FILES[params.file]
  const read = script ?? style
  if (read === undefined) return conn.putRespContentType('text/plain').sendResp(404, 'Not Found')
  return conn
    .putRespContentType(script === undefined ? 'text/css' : 'text/javascript')
    .putRespHeader('cache-control', 'public, max-age=86400')
    .sendResp(200, read())
}
