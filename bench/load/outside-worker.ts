/**
 * The outside load generator's worker: the same IPC commands as worker.ts
 * (connect, fan-out reports, close), but none of our client code. Each
 * client is the official `phoenix` client (a `Socket` and one joined
 * channel) on Node's own WebSocket (undici's, `--experimental-websocket` on
 * Node 20), not `ws`: it parses every frame and dispatches it to the
 * channel's bindings, as an application's client does. Source addresses
 * cannot be chosen through the WHATWG WebSocket; every client connects from
 * 127.0.0.1.
 */
import { DeliveryLog } from './fanout.ts'
import {
  type ConnectCommand,
  type ConnectResult,
  nowUs,
  serveCommands,
  type WorkerCommand,
} from './protocol.ts'

/** The few members of the official client used here (the package ships no types). */
interface Push {
  receive(status: string, callback: (response: unknown) => void): Push
}
interface Socket {
  connect(): void
  disconnect(): void
  channel(
    topic: string,
    params: object,
  ): {
    join(): Push
    on(event: string, callback: (payload: unknown) => void): number
  }
}
type SocketCtor = new (url: string, options: object) => Socket

const phoenix: string = 'phoenix'
const { Socket } = (await import(phoenix)) as { Socket: SocketCtor }
const NodeWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket
if (NodeWebSocket === undefined) throw new Error('start this worker with --experimental-websocket')

const JOIN_TIMEOUT_MS = 30_000
const sockets: Socket[] = []
const deliveries = new DeliveryLog()

const recordDelivery = (payload: unknown): void => deliveries.record(payload, nowUs())

/** One official client: connects, joins `topic`, resolves once joined. */
function openJoined(url: string, topic: string): Promise<Socket> {
  const socket = new Socket(url, {
    transport: NodeWebSocket,
    timeout: JOIN_TIMEOUT_MS,
    // A dropped client stays dropped: a reconnect would hide a loss.
    reconnectAfterMs: () => 3_600_000,
  })
  sockets.push(socket)
  socket.connect()
  const channel = socket.channel(topic, {})
  channel.on('msg', recordDelivery)
  return new Promise((resolve, reject) => {
    channel
      .join()
      .receive('ok', () => resolve(socket))
      .receive('error', (reason: unknown) => reject(new Error(`join refused: ${String(reason)}`)))
      .receive('timeout', () => reject(new Error('join timed out')))
  })
}

async function connect(command: ConnectCommand): Promise<ConnectResult> {
  const base = command.target.url.replace(/\/websocket\?.*$/, '')
  let next = 0
  let connected = 0
  let failed = 0
  let firstError: string | null = null
  const lane = async (): Promise<void> => {
    while (next < command.count) {
      next++
      try {
        await openJoined(base, command.topicPrefix)
        connected++
      } catch (error) {
        failed++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, lane))
  return { connected, failed, firstError }
}

function closeAll(): null {
  for (const socket of sockets) socket.disconnect()
  sockets.length = 0
  return null
}

async function execute(command: WorkerCommand): Promise<unknown> {
  switch (command.op) {
    case 'connect':
      return connect(command)
    case 'ready':
      return null
    case 'fanout-reset':
      return deliveries.reset()
    case 'fanout-report':
      return deliveries.report()
    case 'close':
      return closeAll()
    case 'reqrep':
      throw new Error('the outside generator measures fan-out only')
  }
}

serveCommands(execute, closeAll)
