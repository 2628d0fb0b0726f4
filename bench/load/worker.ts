/**
 * A load generator worker: a child process holding up to a few thousand
 * clients, driven by its parent over IPC (see protocol.ts). It measures on
 * the spot (arrival times, latencies) and reports compact figures, so the
 * parent stays idle while the load runs.
 */
import { type LoadClient, openClient } from './clients.ts'
import { DeliveryLog } from './fanout.ts'
import {
  type ConnectCommand,
  type ConnectResult,
  nowUs,
  type RequestReplyCommand,
  type RequestReplyResult,
  serveCommands,
  type WorkerCommand,
} from './protocol.ts'

// Phoenix clients send a heartbeat every 30 s; servers drop a socket silent for 60 s.
const HEARTBEAT_MS = 30_000

const clients: LoadClient[] = []
const deliveries = new DeliveryLog()
const recordDelivery = (payload: unknown, arrivedUs: number): void =>
  deliveries.record(payload, arrivedUs)

async function connect(command: ConnectCommand): Promise<ConnectResult> {
  let next = 0
  let failed = 0
  let firstError: string | null = null
  const topic = (index: number) =>
    command.rooms === 1 ? command.topicPrefix : `${command.topicPrefix}:${index % command.rooms}`
  const lane = async (): Promise<void> => {
    while (next < command.count) {
      const index = command.firstIndex + next++
      const address = command.addresses[index % command.addresses.length] ?? '127.0.0.1'
      try {
        const client = await openClient(command.target, address)
        clients.push(client)
        await client.join(topic(index))
        client.onMessage = recordDelivery
      } catch (error) {
        failed++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, lane))
  return { connected: command.count - failed, failed, firstError }
}

/**
 * Open loop on a fixed schedule: request k is due at start + k / rate, and its
 * latency counts from then, so a lagging server (or worker) cannot hide its
 * queueing by slowing the sender down (no coordinated omission).
 */
function requestReply(command: RequestReplyCommand): Promise<RequestReplyResult> {
  const { rate, warmupMs, durationMs, timeoutMs } = command
  const total = Math.floor((rate * (warmupMs + durationMs)) / 1000)
  const firstMeasured = Math.floor((rate * warmupMs) / 1000)
  const latencies = new Float64Array(total - firstMeasured)
  const start = nowUs() + 1000
  const intervalUs = 1e6 / rate
  let sent = 0
  let replied = 0
  return new Promise((resolve) => {
    let lastSentUs = start
    const finish = () =>
      resolve({
        measured: total - firstMeasured,
        replied,
        latenciesMs: latencies.slice(0, replied),
        sentRate: (sent * 1e6) / Math.max(1, lastSentUs - start),
      })
    let deadline: NodeJS.Timeout | undefined
    let outstanding = total
    const send = (k: number, due: number): void => {
      const client = clients[k % clients.length]
      if (client === undefined) return
      client.ping({ k }, () => {
        if (k >= firstMeasured) latencies[replied++] = (nowUs() - due) / 1000
        outstanding--
        if (outstanding === 0 && sent === total) {
          clearTimeout(deadline)
          finish()
        }
      })
    }
    const tick = (): void => {
      const now = nowUs()
      const due = Math.min(total, Math.floor((now - start) / intervalUs) + 1)
      while (sent < due) {
        send(sent, start + sent * intervalUs)
        sent++
      }
      lastSentUs = now
      if (sent < total) setTimeout(tick, 1)
      else deadline = setTimeout(finish, timeoutMs)
    }
    if (clients.length === 0 || total === 0) finish()
    else setTimeout(tick, 1)
  })
}

function closeAll(): null {
  for (const client of clients) client.close()
  clients.length = 0
  return null
}

async function execute(command: WorkerCommand): Promise<unknown> {
  switch (command.op) {
    case 'connect':
      return connect(command)
    case 'reqrep':
      return requestReply(command)
    case 'ready':
      return null
    case 'fanout-reset':
      return deliveries.reset()
    case 'fanout-report':
      return deliveries.report()
    case 'close':
      return closeAll()
  }
}

serveCommands(execute, closeAll)
if (process.argv.includes('--spread-heartbeats')) {
  // Each client still beats every 30 s, but a slice of them every second, as
  // independent clients would: 15,000 heartbeats in one burst stall the
  // server for seconds, and handshakes queued meanwhile time out.
  const SLICES = 30
  let slice = 0
  setInterval(() => {
    for (let i = slice; i < clients.length; i += SLICES) clients[i]?.heartbeat()
    slice = (slice + 1) % SLICES
  }, HEARTBEAT_MS / SLICES).unref()
} else {
  setInterval(() => {
    for (const client of clients) client.heartbeat()
  }, HEARTBEAT_MS).unref()
}
