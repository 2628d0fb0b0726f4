/**
 * The floor: a bare `ws` server speaking just enough of Phoenix's V2 JSON
 * frames for the benchmarks, with the operations of the conformance server.
 * It parses each frame, keeps a `Set` of sockets per topic, answers
 * `phx_join`, `ping` and `heartbeat` with a `phx_reply`, and for `broadcast`
 * serializes the `msg` frame once and sends that same string to every socket
 * of the topic. No channel processes, no validation beyond what it needs.
 *
 *   node --expose-gc --import tsx bench/peers/raw-ws.ts --port 4001
 */
import { createServer } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'
import { type RunningServer, serve } from './control.ts'

type Frame = [string | null, string | null, string, string, unknown]

const topics = new Map<string, Set<WebSocket>>()
// The topics each socket joined, to leave them when it closes.
const joined = new WeakMap<WebSocket, string[]>()

function reply(ws: WebSocket, frame: Frame, status: string, response: unknown): void {
  ws.send(JSON.stringify([frame[0], frame[1], frame[2], 'phx_reply', { status, response }]))
}

function join(ws: WebSocket, topic: string): void {
  let set = topics.get(topic)
  if (set === undefined) {
    set = new Set()
    topics.set(topic, set)
  }
  set.add(ws)
  const mine = joined.get(ws)
  if (mine === undefined) joined.set(ws, [topic])
  else mine.push(topic)
}

function leaveAll(ws: WebSocket): void {
  for (const topic of joined.get(ws) ?? []) {
    const set = topics.get(topic)
    set?.delete(ws)
    if (set?.size === 0) topics.delete(topic)
  }
}

function broadcast(topic: string, payload: unknown): void {
  const set = topics.get(topic)
  if (set === undefined) return
  const data = JSON.stringify([null, null, topic, 'msg', payload])
  for (const ws of set) ws.send(data)
}

function handle(ws: WebSocket, data: string): void {
  let frame: Frame
  try {
    frame = JSON.parse(data) as Frame
  } catch {
    return
  }
  const [, , topic, event, payload] = frame
  switch (event) {
    case 'phx_join':
      join(ws, topic)
      reply(ws, frame, 'ok', {})
      break
    case 'heartbeat':
      reply(ws, frame, 'ok', {})
      break
    case 'ping':
      reply(ws, frame, 'ok', payload)
      break
    case 'broadcast':
      broadcast(topic, payload)
      reply(ws, frame, 'ok', {})
      break
    default:
      reply(ws, frame, 'error', { reason: 'unknown event' })
  }
}

/** Starts the floor server on 127.0.0.1. */
export function startRawWsServer(port: number): Promise<RunningServer> {
  const http = createServer((_req, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({
    server: http,
    path: '/socket/websocket',
    perMessageDeflate: false,
    clientTracking: true,
  })
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) handle(ws, data.toString())
    })
    ws.on('close', () => leaveAll(ws))
    ws.on('error', () => ws.terminate())
  })
  return new Promise((resolve) => {
    http.listen(port, '127.0.0.1', () => {
      const address = http.address()
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        stop: () =>
          new Promise((done) => {
            for (const ws of wss.clients) ws.terminate()
            wss.close()
            http.close(() => done())
          }),
      })
    })
  })
}

const entry = process.argv[1]
if (entry !== undefined && /raw-ws\.(js|ts)$/.test(entry)) void serve(startRawWsServer)
