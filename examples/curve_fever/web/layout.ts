/** The document around every page: styles inline (one request less), the client bundle deferred. */
import { html, type LiveLayout, raw } from 'cinder'
import { FAVICON_PATH } from './favicon.ts'

const STYLES = raw(`
:root { color-scheme: dark; --bg: #10131a; --panel: #181d27; --line: #2a3140; --text: #e8ebf2;
  --muted: #8b93a7; --accent: #ffc914; font-family: system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
header.top { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.25rem;
  border-bottom: 1px solid var(--line); }
header.top h1 { font-size: 1.25rem; margin: 0; letter-spacing: .04em; }
header.top .me { margin-left: auto; color: var(--muted); }
main { padding: 1.25rem; max-width: 1200px; margin: 0 auto; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.panel h2 { margin: 0 0 .75rem; font-size: 1rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .08em; }
.grid { display: grid; gap: 1rem; grid-template-columns: 1fr 1.6fr 1fr; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li { padding: .3rem 0; border-bottom: 1px solid var(--line); }
.dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .4rem;
  vertical-align: middle; }
.muted { color: var(--muted); }
.error { color: #ff6b6b; }
button, input[type=submit] { background: var(--accent); color: #111; border: 0; border-radius: 6px;
  padding: .5rem .9rem; font-weight: 600; cursor: pointer; }
button.ghost { background: transparent; color: var(--text); border: 1px solid var(--line); }
input[type=text] { background: #0c0f15; color: var(--text); border: 1px solid var(--line);
  border-radius: 6px; padding: .5rem; width: 100%; }
#chat-messages { height: 320px; overflow-y: auto; display: flex; flex-direction: column; gap: .25rem;
  margin-bottom: .5rem; }
#chat-messages .msg b { margin-right: .3rem; }
#chat-form { display: flex; gap: .5rem; }
.typing { min-height: 1.2rem; font-size: .85rem; }
.signin { max-width: 420px; margin: 8vh auto; }
.swatches { display: flex; gap: .5rem; margin: .75rem 0; flex-wrap: wrap; }
.swatches label { cursor: pointer; }
.swatches input { display: none; }
.swatches span { display: block; width: 2rem; height: 2rem; border-radius: 50%; border: 3px solid transparent; }
.swatches input:checked + span { border-color: var(--text); }
.game { display: grid; grid-template-columns: minmax(0, 1fr) 280px; gap: 1rem; align-items: start; }
@media (max-width: 900px) { .game { grid-template-columns: 1fr; } }
/* The whole arena on screen: as wide as its column, never taller than the window below the
   header (6rem: the header, the page's padding, the border), 800 px at most. */
canvas#game { width: min(100%, 800px, calc(100vh - 6rem)); width: min(100%, 800px, calc(100dvh - 6rem));
  aspect-ratio: 1; background: #05070b; margin: 0 auto;
  border: 2px solid var(--line); border-radius: 6px; touch-action: none; display: block; }
#scoreboard .row { display: flex; align-items: center; gap: .4rem; padding: .3rem 0;
  border-bottom: 1px solid var(--line); }
#scoreboard .row .score { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 700; }
#scoreboard .row.dead .name { text-decoration: line-through; color: var(--muted); }
#notice { min-height: 1.4rem; margin: .5rem 0; color: var(--accent); }
#notice .status { font-weight: 600; }
.controls { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .75rem; }
/* Shown while a socket is down: LiveView marks its container (phx-client-error when the
   connection is lost, phx-server-error when the view failed on the server), the game hook marks
   the body while the game socket reconnects. Both go when the sockets are back. */
#connection-lost { display: none; position: fixed; top: 0; left: 0; right: 0; z-index: 10;
  padding: .6rem 1rem; text-align: center; font-weight: 600; background: #b3261e; color: #fff; }
#connection-lost span { display: none; }
[data-phx-main].phx-client-error ~ #connection-lost,
[data-phx-main].phx-server-error ~ #connection-lost,
body.game-offline #connection-lost { display: block; }
[data-phx-main].phx-client-error ~ #connection-lost .client,
body.game-offline #connection-lost .client { display: inline; }
[data-phx-main].phx-server-error ~ #connection-lost .server { display: inline; }
[data-phx-main].phx-server-error ~ #connection-lost .client { display: none; }
`)

/** The root layout of the live pages; `liveReload` is the script of `npm run dev`, if any. */
export function layout(script: string, liveReload?: string): LiveLayout {
  return ({ inner, csrfToken, title }) => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="csrf-token" content=${csrfToken}>
    <title>${title ?? 'Curve Fever'}</title>
    <link rel="icon" type="image/svg+xml" href=${FAVICON_PATH}>
    <style>${STYLES}</style>
    <script defer type="text/javascript" src=${script}></script>
    ${liveReload && html`<script defer src=${liveReload}></script>`}
  </head>
  <body>${inner}
    <div id="connection-lost" role="status"><span class="client">Connection lost: reconnecting…</span><span class="server">Something went wrong on the server: reconnecting…</span></div>
  </body>
</html>`
}
