/**
 * The load generator's clients: as little as can speak to each server, so
 * that 5,000 of them fit in one worker and the generator leaves the CPU to
 * the server. `phoenix-v2` is a raw `ws` socket speaking V2 JSON frames (the
 * official client would cost more than the server); `socket.io` uses
 * socket.io-client, as a socket.io application would.
 */
import WebSocket from 'ws'
import { requireBenchDependency } from '../peers/bench-package.ts'
import { nowUs, type Target } from './protocol.ts'

/** Called with a `msg` payload and its arrival time (µs, {@link nowUs}). */
export type MessageListener = (payload: unknown, arrivedUs: number) => void

/** One connected client, joined to one topic. */
export interface LoadClient {
  join(topic: string): Promise<void>
  /** Sends `ping` with `payload`; `onReply` runs when the reply arrives. */
  ping(payload: unknown, onReply: () => void): void
  /** Asks the server to broadcast `msg` with `payload` to the joined topic. */
  broadcast(payload: unknown): void
  /** Keeps the connection alive where the protocol needs it (Phoenix's heartbeat). */
  heartbeat(): void
  close(): void
  onMessage: MessageListener
}

const HANDSHAKE_TIMEOUT_MS = 20_000
const ignore: MessageListener = () => {}

function timeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), HANDSHAKE_TIMEOUT_MS)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

type Frame = [string | null, string | null, string, string, unknown]

const FANOUT_HEAD = Buffer.from('"msg",{"seq":')

/**
 * A fan-out broadcast's `seq` and `t` without parsing its body: the
 * publisher writes them first, so a large storm costs the generator a scan
 * of its first bytes, not a JSON parse of every frame.
 */
function fanoutHead(data: Buffer): { seq: number; t: number } | undefined {
  if (data[1] !== 0x6e) return undefined // `[null,null,…`: a broadcast, not a reply
  const at = data.indexOf(FANOUT_HEAD, 0)
  if (at === -1 || at > 200) return undefined
  let i = at + FANOUT_HEAD.length
  let seq = 0
  while (i < data.length && data[i] !== 0x2c) seq = seq * 10 + ((data[i++] ?? 0) - 0x30)
  if (data.toString('latin1', i, i + 5) !== ',"t":') return undefined
  i += 5
  let t = 0
  while (i < data.length && data[i] !== 0x2c && data[i] !== 0x7d)
    t = t * 10 + ((data[i++] ?? 0) - 0x30)
  return { seq, t }
}

/** A V2 JSON client on a raw `ws` socket: one topic, refs counted per socket. */
class PhoenixV2Client implements LoadClient {
  onMessage: MessageListener = ignore
  readonly #ws: WebSocket
  readonly #pending = new Map<string, (payload: unknown) => void>()
  #ref = 0
  #topic = ''
  #joinRef: string | null = null

  constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data, isBinary) => {
      const arrived = nowUs()
      if (isBinary) return
      const fanout = fanoutHead(data as Buffer)
      if (fanout !== undefined) {
        this.onMessage(fanout, arrived)
        return
      }
      let frame: Frame
      try {
        frame = JSON.parse(data.toString()) as Frame
      } catch {
        return
      }
      this.#receive(frame, arrived)
    })
    ws.on('error', () => {})
  }

  static open(url: string, localAddress: string): Promise<PhoenixV2Client> {
    const ws = new WebSocket(url, {
      localAddress,
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new PhoenixV2Client(ws)))
      ws.once('error', reject)
    })
  }

  join(topic: string): Promise<void> {
    this.#topic = topic
    const ref = this.#nextRef()
    this.#joinRef = ref
    return timeout(
      new Promise<void>((resolve, reject) => {
        this.#pending.set(ref, (payload) => {
          const status = (payload as { status?: unknown }).status
          if (status === 'ok') resolve()
          else reject(new Error(`join ${topic} answered ${JSON.stringify(payload)}`))
        })
        this.#send(ref, 'phx_join', {})
      }),
      `join ${topic}`,
    )
  }

  ping(payload: unknown, onReply: () => void): void {
    const ref = this.#nextRef()
    this.#pending.set(ref, onReply)
    this.#send(ref, 'ping', payload)
  }

  broadcast(payload: unknown): void {
    const ref = this.#nextRef()
    this.#pending.set(ref, () => {})
    this.#send(ref, 'broadcast', payload)
  }

  heartbeat(): void {
    this.#ws.send(`[null,"${this.#nextRef()}","phoenix","heartbeat",{}]`)
  }

  close(): void {
    this.#ws.terminate()
  }

  #nextRef(): string {
    this.#ref += 1
    return String(this.#ref)
  }

  #send(ref: string, event: string, payload: unknown): void {
    this.#ws.send(JSON.stringify([this.#joinRef, ref, this.#topic, event, payload]))
  }

  #receive(frame: Frame, arrivedUs: number): void {
    const [, ref, , event, payload] = frame
    if (event === 'phx_reply' && ref !== null) {
      const done = this.#pending.get(ref)
      if (done === undefined) return
      this.#pending.delete(ref)
      done(payload)
    } else if (event === 'msg') {
      this.onMessage(payload, arrivedUs)
    }
  }
}

// The little of socket.io-client used here (its types live in bench/node_modules).
interface IoClientSocket {
  emit(event: string, ...args: unknown[]): void
  on(event: string, listener: (...args: never[]) => void): void
  once(event: string, listener: (...args: never[]) => void): void
  disconnect(): void
}
interface IoClientModule {
  io(url: string, options: Record<string, unknown>): IoClientSocket
}

let ioClient: IoClientModule | undefined

/** A socket.io-client socket (its own connection: `forceNew`), WebSocket transport only. */
class SocketIoClient implements LoadClient {
  onMessage: MessageListener = ignore
  readonly #socket: IoClientSocket
  #topic = ''

  constructor(socket: IoClientSocket) {
    this.#socket = socket
    socket.on('msg', (payload: unknown) => this.onMessage(payload, nowUs()))
  }

  static open(url: string, localAddress: string): Promise<SocketIoClient> {
    ioClient ??= requireBenchDependency('socket.io-client') as IoClientModule
    const socket = ioClient.io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: HANDSHAKE_TIMEOUT_MS,
      localAddress,
    })
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new SocketIoClient(socket)))
      socket.once('connect_error', (error: Error) => {
        socket.disconnect()
        reject(error)
      })
    })
  }

  join(topic: string): Promise<void> {
    this.#topic = topic
    return timeout(
      new Promise<void>((resolve) => this.#socket.emit('join', topic, () => resolve())),
      `join ${topic}`,
    )
  }

  ping(payload: unknown, onReply: () => void): void {
    this.#socket.emit('ping', payload, onReply)
  }

  broadcast(payload: unknown): void {
    this.#socket.emit('broadcast', this.#topic, payload, () => {})
  }

  heartbeat(): void {
    // engine.io keeps the connection alive by itself.
  }

  close(): void {
    this.#socket.disconnect()
  }
}

/** Opens one client to `target` from `localAddress`. */
export function openClient(target: Target, localAddress: string): Promise<LoadClient> {
  return target.protocol === 'socket.io'
    ? SocketIoClient.open(target.url, localAddress)
    : PhoenixV2Client.open(target.url, localAddress)
}
