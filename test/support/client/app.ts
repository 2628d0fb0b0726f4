/**
 * The browser entry: the official phoenix + phoenix_live_view clients,
 * unchanged, with the application's hooks. `scripts/build-client.mjs`
 * bundles it with esbuild (the same setup as Phoenix 1.8's generated app.js).
 */
import { Socket } from 'phoenix'
import { LiveSocket } from 'phoenix_live_view'
import { hooks, uploaders } from './hooks.ts'

const csrfToken = document.querySelector("meta[name='csrf-token']")?.getAttribute('content') ?? ''
const liveSocket = new LiveSocket('/live', Socket, {
  params: { _csrf_token: csrfToken },
  hooks,
  uploaders,
})
liveSocket.connect()

// For the console and for tests: liveSocket.enableDebug(), liveSocket.disconnect()…
;(window as unknown as { liveSocket: LiveSocket }).liveSocket = liveSocket
