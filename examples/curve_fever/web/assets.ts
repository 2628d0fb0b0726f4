/**
 * The browser bundle: examples/curve_fever/client/app.ts (the official phoenix and
 * phoenix_live_view clients plus the game's hooks), built by esbuild in memory when the server
 * starts, so `npm start` never serves a stale bundle and needs no build step of its own. The
 * sources are found from the repository root, so this works from `.build/` too.
 */

import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Conn, PlugResult } from 'cinder'

/** The repository root: the nearest folder above this file holding package.json. */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return dir
}

export interface Bundle {
  readonly js: string
  /** A content hash for the URL (`/assets/app-<hash>.js`): cached forever, never stale. */
  readonly path: string
}

export async function buildBundle(options: { minify?: boolean } = {}): Promise<Bundle> {
  const root = repositoryRoot()
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: [join(root, 'examples', 'curve_fever', 'client', 'app.ts')],
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    minify: options.minify ?? false,
    legalComments: 'none',
    logLevel: 'error',
    absWorkingDir: root,
    write: false,
  })
  const js = result.outputFiles[0]?.text
  if (js === undefined) throw new Error('esbuild produced no output for the Curve Fever client')
  const hash = createHash('sha256').update(js).digest('hex').slice(0, 12)
  return { js, path: `/assets/app-${hash}.js` }
}

/** Serves the bundle at its hashed path, with an immutable cache header. */
export function serveBundle(bundle: Bundle) {
  return function curveFeverAssets(conn: Conn): PlugResult {
    if (conn.requestPath !== bundle.path || (conn.method !== 'GET' && conn.method !== 'HEAD'))
      return conn
    return conn
      .putRespContentType('text/javascript')
      .putRespHeader('cache-control', 'public, max-age=31536000, immutable')
      .sendResp(200, bundle.js)
      .halt()
  }
}
