/// <reference lib="dom" />
/**
 * The browser entry of Curve Fever: the official LiveView client, unchanged, with the game's
 * hooks. Bundled by esbuild when the server starts (see web/assets.ts).
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket } from 'phoenix'
import { LiveSocket } from 'phoenix_live_view'
import { hooks } from './hooks.ts'

const csrfToken = document.querySelector("meta[name='csrf-token']")?.getAttribute('content') ?? ''
const liveSocket = new LiveSocket('/live', Socket, { params: { _csrf_token: csrfToken }, hooks })
liveSocket.connect()
;(window as unknown as { liveSocket: LiveSocket }).liveSocket = liveSocket
