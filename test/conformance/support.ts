// Helpers for the conformance tests: the conformance server in-process, the
// official `phoenix` client in Node (with `ws` as its transport), and a raw
// `ws` client for exact frames.
import { WebSocket } from 'ws'
import { type Endpoint, type Logger, setLogger } from '../../src/index.ts'
import { type ConformanceOptions, startConformanceServer } from '../support/conformance-server.ts'

// Channel crashes are expected here; the process runtime would print each one.
setLogger({ info() {}, warn() {}, error() {} })

// The client ships no types: the few members the tests use.
export interface PhxPush {
  receive(status: string, callback: (response: unknown) => void): PhxPush
}
export interface PhxChannel {
  readonly state: string
  readonly topic: string
  join(timeout?: number): PhxPush
  leave(timeout?: number): PhxPush
  push(event: string, payload: object, timeout?: number): PhxPush
  on(event: string, callback: (payload: unknown, ref?: unknown, joinRef?: unknown) => void): number
  onError(callback: (reason: unknown) => void): void
  onClose(callback: (reason: unknown) => void): void
  joinRef(): string
}
export interface PhxMessage {
  join_ref: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}
export interface PhxSocket {
  connect(): void
  disconnect(callback?: () => void, code?: number, reason?: string): void
  channel(topic: string, params?: object): PhxChannel
  onOpen(callback: () => void): string
  onClose(callback: (event: { code: number; reason: string }) => void): string
  onError(callback: (error: unknown) => void): string
  onMessage(callback: (message: PhxMessage) => void): string
  isConnected(): boolean
}
type SocketCtor = new (url: string, options?: object) => PhxSocket

const phoenix: string = 'phoenix'
export const { Socket } = (await import(phoenix)) as { Socket: SocketCtor }

/** A logger that keeps lines for assertions instead of printing them. */
export function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  }
}

export interface Server {
  endpoint: Endpoint
  url: string
  port: number
  logs: string[]
  stop(): Promise<void>
}

export async function startServer(options: ConformanceOptions = {}): Promise<Server> {
  const logger = quietLogger()
  const endpoint = await startConformanceServer({ port: 0, host: '127.0.0.1', logger, ...options })
  return {
    endpoint,
    port: endpoint.port,
    url: `ws://127.0.0.1:${endpoint.port}/socket`,
    logs: logger.lines,
    stop: () => endpoint.stop(),
  }
}

/** A phoenix client socket; resolves once open. */
export async function openClient(url: string, options: object = {}): Promise<PhxSocket> {
  const socket = new Socket(url, { transport: WebSocket, ...options })
  const opened = new Promise<void>((resolve) => socket.onOpen(resolve))
  socket.connect()
  await opened
  return socket
}

/** Resolves with [status, response] of a push (join, push, leave). */
export function outcome(push: PhxPush): Promise<[string, unknown]> {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout']) {
      push.receive(status, (response) => resolve([status, response]))
    }
  })
}

export async function join(
  socket: PhxSocket,
  topic: string,
  params: object = {},
): Promise<PhxChannel> {
  const channel = socket.channel(topic, params)
  const [status, response] = await outcome(channel.join())
  if (status !== 'ok')
    throw new Error(`join of ${topic} answered ${status} ${JSON.stringify(response)}`)
  return channel
}

/** The next payload of `event` on `channel`. */
export function nextEvent(channel: PhxChannel, event: string): Promise<unknown> {
  return new Promise((resolve) => channel.on(event, resolve))
}

/** Resolves after `ms`, for "nothing arrives" checks. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A raw `ws` client collecting every frame (text parsed as JSON). */
export interface RawClient {
  ws: WebSocket
  frames: unknown[]
  next(): Promise<unknown>
  closed: Promise<{ code: number; reason: string }>
  send(frame: unknown): void
}

export function rawClient(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<RawClient> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} })
  const frames: unknown[] = []
  const waiters: Array<(frame: unknown) => void> = []
  let read = 0
  ws.on('message', (data, isBinary) => {
    const frame = isBinary ? Buffer.from(data as Buffer) : JSON.parse(String(data))
    frames.push(frame)
    waiters.shift()?.(frame)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  )
  ws.on('error', () => {})
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        closed,
        next() {
          const index = read++
          if (index < frames.length) return Promise.resolve(frames[index])
          return new Promise((r) => waiters.push(r))
        },
        send(frame) {
          ws.send(
            typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame),
          )
        },
      }),
    )
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}
