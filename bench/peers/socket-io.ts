/**
 * The socket.io peer: rooms for topics, the same operations as the
 * conformance server. Events (client to server): `join(topic, ack)` joins the
 * room and acks `{status: 'ok'}`; `ping(payload, ack)` acks the payload;
 * `broadcast(topic, payload, ack)` emits `msg` with the payload to the room
 * (`io.to(room).emit`, which encodes the packet once) and acks. WebSocket
 * transport only, so no long-polling handshake or upgrade is measured.
 *
 *   node --expose-gc --import tsx bench/peers/socket-io.ts --port 4002
 */
import { createServer, type Server as HttpServer } from 'node:http'
import { requireBenchDependency } from './bench-package.ts'
import { type RunningServer, serve } from './control.ts'

type Ack = (response?: unknown) => void

// The little of socket.io used here (its types live in bench/node_modules).
interface IoSocket {
  join(room: string): void
  on(event: string, listener: (...args: never[]) => void): void
}
interface IoServer {
  on(event: 'connection', listener: (socket: IoSocket) => void): void
  to(room: string): { emit(event: string, payload: unknown): void }
  disconnectSockets(close: boolean): void
  close(callback: () => void): void
}
interface IoModule {
  Server: new (http: HttpServer, options: Record<string, unknown>) => IoServer
}

const ack = (fn: unknown, response?: unknown): void => {
  if (typeof fn === 'function') (fn as Ack)(response)
}

/** Starts the socket.io peer on 127.0.0.1. */
export function startSocketIoServer(port: number): Promise<RunningServer> {
  const { Server } = requireBenchDependency('socket.io') as IoModule
  const http = createServer()
  const io = new Server(http, { transports: ['websocket'], serveClient: false })
  io.on('connection', (socket) => {
    socket.on('join', (topic: string, done: unknown) => {
      socket.join(topic)
      ack(done, { status: 'ok' })
    })
    socket.on('ping', (payload: unknown, done: unknown) => ack(done, payload))
    socket.on('broadcast', (topic: string, payload: unknown, done: unknown) => {
      io.to(topic).emit('msg', payload)
      ack(done)
    })
  })
  return new Promise((resolve) => {
    http.listen(port, '127.0.0.1', () => {
      const address = http.address()
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        stop: () =>
          new Promise((done) => {
            io.disconnectSockets(true)
            io.close(() => done())
          }),
      })
    })
  })
}

const entry = process.argv[1]
if (entry !== undefined && /socket-io\.(js|ts)$/.test(entry)) void serve(startSocketIoServer)
