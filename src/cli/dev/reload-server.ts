/**
 * The live-reload server of `cinder dev` (the idea of Phoenix's LiveReloader): a small HTTP
 * server beside the application that serves the pages' script (reload-client.ts) and a
 * server-sent event stream telling them to reload or to swap their stylesheets. It outlives the
 * application's restarts, so a page hears `reload` only once the new server is listening.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RELOAD_CLIENT } from './reload-client.ts'

export const CLIENT_PATH = '/cinder-live-reload.js'
const EVENTS_PATH = '/events'
/** A comment on the stream this often keeps proxies and idle timeouts from closing it. */
const KEEPALIVE_MS = 20_000
/** How soon an EventSource reconnects after the stream drops. */
const RETRY_MS = 500

export interface ReloadServer {
  /** The script's URL, for the layout (CINDER_LIVE_RELOAD). */
  readonly scriptUrl: string
  /** Pages listening now. */
  readonly clients: number
  /** Every page reloads. */
  reload(): void
  /** Every page swaps the stylesheets at these URL paths (all of them if none). */
  css(paths: readonly string[]): void
  close(): Promise<void>
}

/** Listens on `host:port` (port 0: a free one); `publicHost` is the host pages use. */
export async function startReloadServer(options: {
  readonly host: string
  readonly port: number
  readonly publicHost: string
}): Promise<ReloadServer> {
  const session = randomBytes(8).toString('hex')
  const streams = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === CLIENT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' })
      res.end(RELOAD_CLIENT)
    } else if (path === EVENTS_PATH) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      })
      res.write(`retry: ${RETRY_MS}\nevent: hello\ndata: ${session}\n\n`)
      streams.add(res)
      res.on('close', () => streams.delete(res))
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('cinder dev: live reload\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, resolve)
  })
  const send = (frame: string): void => {
    for (const res of streams) res.write(frame)
  }
  const keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS).unref()
  const { port } = server.address() as AddressInfo
  return {
    scriptUrl: `http://${options.publicHost}:${port}${CLIENT_PATH}`,
    get clients() {
      return streams.size
    },
    reload: () => send('event: reload\ndata: {}\n\n'),
    css: (paths) => send(`event: css\ndata: ${JSON.stringify(paths)}\n\n`),
    close() {
      clearInterval(keepalive)
      for (const res of streams) res.end()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
