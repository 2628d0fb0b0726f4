/// <reference lib="dom" />
/**
 * The browser's entry: the official LiveView client, connected to `/live`, with the pages'
 * hooks. esbuild bundles it into public/assets/app.js (`cinder assets`; `cinder dev` rebuilds
 * it on every change).
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket } from 'phoenix'
import { LiveSocket } from 'phoenix_live_view'
import { hooks } from './hooks.ts'

const csrfToken = document.querySelector("meta[name='csrf-token']")?.getAttribute('content') ?? ''
const liveSocket = new LiveSocket('/live', Socket, { params: { _csrf_token: csrfToken }, hooks })
liveSocket.connect()

// In the browser's console: liveSocket.enableDebug(), liveSocket.enableLatencySim(1000).
;(window as unknown as { liveSocket: LiveSocket }).liveSocket = liveSocket
