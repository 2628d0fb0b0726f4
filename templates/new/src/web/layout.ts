/** The document around every page: the stylesheet and the script that esbuild builds from assets/. */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { html, type LiveLayout } from 'cinder'
import type { Config } from '../config.ts'

export function layout(config: Config): LiveLayout {
  const css = assetPath(config, 'assets/app.css')
  const js = assetPath(config, 'assets/app.js')
  return ({ inner, csrfToken, title }) => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="csrf-token" content=${csrfToken}>
    <title>${title ?? '<%= title %>'}</title>
    <link rel="stylesheet" href=${css}>
    <script defer src=${js}></script>
    ${config.liveReload && html`<script defer src=${config.liveReload}></script>`}
  </head>
  <body>${inner}</body>
</html>`
}

/**
 * An asset's URL. In production it carries `?vsn=<content hash>`, which the static plug serves
 * with a year-long cache: a new build is a new URL. In development files change under the same
 * URL, so they are revalidated instead.
 */
function assetPath(config: Config, file: string): string {
  if (config.dev) return `/${file}`
  try {
    const content = readFileSync(join(config.root, 'public', file))
    return `/${file}?vsn=${createHash('sha256').update(content).digest('hex').slice(0, 12)}`
  } catch {
    return `/${file}`
  }
}
