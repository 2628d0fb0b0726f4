/**
 * The load generator: a few worker processes (each ≤ 5,000 sockets, under the
 * 20,000 file descriptor cap with room to spare), commanded over IPC. Client
 * sockets are spread over the source addresses 127.0.0.2–127.0.0.9 so that no
 * address runs out of ephemeral ports; the target is always 127.0.0.1.
 */
import type { ChildProcess } from 'node:child_process'
import type {
  ConnectResult,
  FanoutReport,
  RequestReplyResult,
  Target,
  WorkerCommand,
  WorkerResponse,
} from './protocol.ts'
import { spawnBenchScript, stopChild } from './spawn.ts'

export const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`)
const COMMAND_TIMEOUT_MS = 120_000

/** Whose client code the workers run: `own` (worker.ts) or `outside` (outside-worker.ts). */
export type GeneratorKind = 'own' | 'outside'

/** Options of a {@link LoadGenerator}; the defaults suit populations under 20,000. */
export interface LoadGeneratorOptions {
  /** How long one command to a worker may take, ms (default 120,000). */
  readonly commandTimeoutMs?: number
  /** The most sockets one worker may hold; `connect` refuses to go beyond (default: no cap). */
  readonly maxSocketsPerWorker?: number
  /** Spread each worker's heartbeats over the 30 s period instead of one burst (default: burst). */
  readonly spreadHeartbeats?: boolean
  /** `own`: our raw V2 clients; `outside`: the official client on Node's WebSocket (default own). */
  readonly kind?: GeneratorKind
}

class Worker {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (response: WorkerResponse) => void>()
  readonly #timeoutMs: number
  #nextId = 0
  /** Sockets opened through this worker and not closed since. */
  sockets = 0

  constructor(timeoutMs: number, spreadHeartbeats: boolean, kind: GeneratorKind) {
    this.#timeoutMs = timeoutMs
    this.#child =
      kind === 'own'
        ? spawnBenchScript('load/worker', spreadHeartbeats ? ['--spread-heartbeats'] : [])
        : spawnBenchScript('load/outside-worker', [], ['--experimental-websocket'])
    this.#child.on('message', (response: WorkerResponse) => {
      this.#pending.get(response.id)?.(response)
      this.#pending.delete(response.id)
    })
    this.#child.once('exit', (code) => {
      for (const settle of this.#pending.values())
        settle({ id: -1, ok: false, error: `load worker exited with code ${code}` })
      this.#pending.clear()
    })
  }

  run<T>(command: WorkerCommand): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`load worker: ${command.op} took over ${this.#timeoutMs} ms`))
      }, this.#timeoutMs)
      this.#pending.set(id, (response) => {
        clearTimeout(timer)
        if (response.ok) resolve(response.result as T)
        else reject(new Error(`load worker: ${command.op} failed: ${response.error}`))
      })
      this.#child.send({ ...command, id })
    })
  }

  stop(): Promise<void> {
    return stopChild(this.#child, () => this.#child.disconnect(), 5_000)
  }
}

/** Splits `total` into `parts` counts that differ by at most one. */
function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  )
}

export interface ConnectOptions {
  readonly count: number
  readonly topicPrefix: string
  /** Clients are spread over this many topics (1: all on `topicPrefix`). */
  readonly rooms?: number
  /** Index of the first client, to continue a population opened earlier. */
  readonly firstIndex?: number
  /** Handshakes in flight per worker. */
  readonly concurrency?: number
}

export class LoadGenerator {
  readonly #workers: Worker[]
  readonly #maxPerWorker: number

  constructor(workers: number, options: LoadGeneratorOptions = {}) {
    const timeoutMs = options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS
    const spread = options.spreadHeartbeats === true
    const kind = options.kind ?? 'own'
    this.#workers = Array.from({ length: workers }, () => new Worker(timeoutMs, spread, kind))
    this.#maxPerWorker = options.maxSocketsPerWorker ?? Number.POSITIVE_INFINITY
  }

  /** Resolves once every worker process is up and listening. */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.run({ op: 'ready' })))
  }

  get workers(): number {
    return this.#workers.length
  }

  /** Opens and joins `count` more clients, spread evenly over the workers. */
  async connect(target: Target, options: ConnectOptions): Promise<ConnectResult> {
    const counts = split(options.count, this.#workers.length)
    this.#workers.forEach((worker, i) => {
      const after = worker.sockets + (counts[i] ?? 0)
      if (after > this.#maxPerWorker)
        throw new Error(`a load worker would hold ${after} sockets (cap ${this.#maxPerWorker})`)
      worker.sockets = after
    })
    let firstIndex = options.firstIndex ?? 0
    const results = await Promise.all(
      this.#workers.map((worker, i) => {
        const count = counts[i] ?? 0
        const command = {
          op: 'connect',
          target,
          count,
          firstIndex,
          topicPrefix: options.topicPrefix,
          rooms: options.rooms ?? 1,
          addresses: SOURCE_ADDRESSES,
          concurrency: options.concurrency ?? 50,
        } as const
        firstIndex += count
        return worker.run<ConnectResult>(command)
      }),
    )
    return {
      connected: results.reduce((sum, r) => sum + r.connected, 0),
      failed: results.reduce((sum, r) => sum + r.failed, 0),
      firstError: results.find((r) => r.firstError !== null)?.firstError ?? null,
    }
  }

  /** Forgets the deliveries recorded so far. */
  async resetDeliveries(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.run({ op: 'fanout-reset' })))
  }

  /** Deliveries per broadcast, merged over the workers. */
  async deliveries(): Promise<FanoutReport> {
    const reports = await Promise.all(
      this.#workers.map((w) => w.run<FanoutReport>({ op: 'fanout-report' })),
    )
    const merged: FanoutReport = { count: [], maxUs: [], sumUs: [] }
    for (const report of reports) {
      report.count.forEach((count, seq) => {
        merged.count[seq] = (merged.count[seq] ?? 0) + (count ?? 0)
        merged.sumUs[seq] = (merged.sumUs[seq] ?? 0) + (report.sumUs[seq] ?? 0)
        const max = report.maxUs[seq] ?? Number.NEGATIVE_INFINITY
        if (max > (merged.maxUs[seq] ?? Number.NEGATIVE_INFINITY)) merged.maxUs[seq] = max
      })
    }
    return merged
  }

  /** One request/reply step at `rate` requests per second in total. */
  async requestReply(
    rate: number,
    warmupMs: number,
    durationMs: number,
    timeoutMs: number,
  ): Promise<RequestReplyResult> {
    const share = rate / this.#workers.length
    const results = await Promise.all(
      this.#workers.map((w) =>
        w.run<RequestReplyResult>({ op: 'reqrep', rate: share, warmupMs, durationMs, timeoutMs }),
      ),
    )
    const latencies = new Float64Array(results.reduce((n, r) => n + r.latenciesMs.length, 0))
    let offset = 0
    for (const r of results) {
      latencies.set(r.latenciesMs, offset)
      offset += r.latenciesMs.length
    }
    return {
      measured: results.reduce((n, r) => n + r.measured, 0),
      replied: results.reduce((n, r) => n + r.replied, 0),
      latenciesMs: latencies.sort(),
      sentRate: results.reduce((n, r) => n + r.sentRate, 0),
    }
  }

  /** Closes every client (the workers stay up). */
  async closeClients(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.run({ op: 'close' })))
    for (const worker of this.#workers) worker.sockets = 0
  }

  /** Stops the workers. */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.stop()))
  }
}
