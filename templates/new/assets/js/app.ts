/// <reference lib="dom" />
/**
 * The browser's entry: the official LiveView client, connected to `/live`. esbuild bundles it
 * into public/assets/app.js (`npm run build`; `npm run dev` rebuilds it on every change).
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket } from 'phoenix'
import { LiveSocket } from 'phoenix_live_view'

// The channels of src/web/channels/user-socket.ts, from this page: uncomment the next line.
// import './user-socket.ts'

const csrfToken = document.querySelector("meta[name='csrf-token']")?.getAttribute('content') ?? ''
const liveSocket = new LiveSocket('/live', Socket, { params: { _csrf_token: csrfToken } })
liveSocket.connect()

// In the browser's console: liveSocket.enableDebug(), liveSocket.enableLatencySim(1000).
;(window as unknown as { liveSocket: LiveSocket }).liveSocket = liveSocket
