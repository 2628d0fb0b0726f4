/** The dashboard's own document: its styles, the socket it joins, its scripts. */

import { raw } from '../live/escape.ts'
import { html, type Template } from '../live/html.ts'
import type { LiveLayout } from '../live/live-config.ts'
import { SCRIPTS, STYLESHEETS } from './assets.ts'

const STYLES = raw(`
:root { color-scheme: light dark; --line: #8884; --muted: #888; --accent: #e4572e; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0; }
.dash header { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
.dash header .node { font-family: ui-monospace, monospace; }
.dash nav { display: flex; gap: .25rem; padding: .4rem 1rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.dash nav a { padding: .25rem .6rem; border-radius: 4px; text-decoration: none; color: inherit; }
.dash nav a.active { background: var(--accent); color: white; }
.dash main { padding: 1rem; }
.dash h1 { font-size: 1.2rem; margin: 0 0 1rem; }
.dash h2 { font-size: 1rem; }
.muted { color: var(--muted); }
.cards { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .8rem; }
.card h2 { margin: 0 0 .5rem; font-size: .8rem; text-transform: uppercase; color: var(--muted); }
dl { display: grid; grid-template-columns: auto 1fr; gap: .2rem .8rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .2rem .6rem; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
th button { font: inherit; background: none; border: 0; color: inherit; cursor: pointer; text-decoration: underline dotted; }
th button.active { color: var(--accent); }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; margin: 0; }
ul.tree button.node { font: inherit; background: none; border: 0; color: inherit; cursor: pointer; padding: .1rem; }
ul.tree .pid { color: var(--muted); font-family: ui-monospace, monospace; font-size: .85em; }
ul.tree .mailbox { color: var(--accent); }
.charts { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.chart-card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem; margin: 0; }
.chart-card figcaption { font-weight: 600; }
.chart .plot { min-height: 0; }
`)

/** The layout of every dashboard page; `socketPath` is the LiveView socket to join. */
export function dashboardLayout(base: string, socketPath: string): LiveLayout {
  return ({ inner, csrfToken, title }): Template => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="csrf-token" content=${csrfToken}>
    <meta name="cinder-dashboard-socket" content=${socketPath}>
    <meta name="robots" content="noindex">
    <link rel="icon" href="data:,">
    <title>${title ?? 'Cinder dashboard'}</title>
    ${STYLESHEETS.map((file) => html`<link rel="stylesheet" href=${`${base}/assets/${file}`}>`)}
    <style>${STYLES}</style>
    ${SCRIPTS.map((file) => html`<script defer src=${`${base}/assets/${file}`}></script>`)}
  </head>
  <body>${inner}</body>
</html>`
}
