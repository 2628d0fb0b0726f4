/**
 * What the load generator's parent and its workers say to each other over
 * IPC (serialization 'advanced', so typed arrays cross as they are), and the
 * clock they share.
 */

/** How a client reaches the server under test. */
export interface Target {
  /** `phoenix-v2`: raw `ws` speaking V2 JSON frames; `socket.io`: socket.io-client. */
  readonly protocol: 'phoenix-v2' | 'socket.io'
  /** `ws://127.0.0.1:PORT/socket/websocket?vsn=2.0.0` or `http://127.0.0.1:PORT`. */
  readonly url: string
}

/** Opens `count` clients, each joined to `topic(index)`, `concurrency` handshakes at a time. */
export interface ConnectCommand {
  readonly op: 'connect'
  readonly target: Target
  readonly count: number
  /** Index of this worker's first client in the whole population (for topics and addresses). */
  readonly firstIndex: number
  /** A client joins `${prefix}:${index % rooms}`, or `prefix` itself when `rooms` is 1. */
  readonly topicPrefix: string
  readonly rooms: number
  /** Source addresses, used round-robin so no single one runs out of ephemeral ports. */
  readonly addresses: readonly string[]
  readonly concurrency: number
}

/** Sends `ping` round-robin over the clients at `rate` per second (open loop, fixed schedule). */
export interface RequestReplyCommand {
  readonly op: 'reqrep'
  readonly rate: number
  readonly warmupMs: number
  readonly durationMs: number
  /** How long to wait for the last replies after the last request. */
  readonly timeoutMs: number
}

export type WorkerCommand =
  | ConnectCommand
  | RequestReplyCommand
  | { readonly op: 'ready' }
  | { readonly op: 'fanout-reset' }
  | { readonly op: 'fanout-report' }
  | { readonly op: 'close' }

export type WorkerRequest = WorkerCommand & { readonly id: number }

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }

export interface ConnectResult {
  readonly connected: number
  readonly failed: number
  readonly firstError: string | null
}

/** Per broadcast sequence number: deliveries, and the latest and summed delivery times (µs). */
export interface FanoutReport {
  readonly count: number[]
  readonly maxUs: number[]
  readonly sumUs: number[]
}

export interface RequestReplyResult {
  /** Requests sent after the warm-up (the measured ones). */
  readonly measured: number
  /** Replies to measured requests received before the timeout. */
  readonly replied: number
  /** Latency of every replied measured request, ms, from its scheduled send time. */
  readonly latenciesMs: Float64Array
  /** Requests sent per second over the whole step (falls behind `rate` when the worker lags). */
  readonly sentRate: number
}

/** The payload of a fan-out broadcast. */
export interface FanoutPayload {
  readonly seq: number
  /** Send time, µs on the shared monotonic clock ({@link nowUs}). */
  readonly t: number
  readonly body: string
}

/**
 * Microseconds on CLOCK_MONOTONIC, which every process of this host shares:
 * a time stamped in the publisher can be subtracted from one taken in a worker.
 */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n)

/**
 * A worker's side of the IPC: runs each command the parent sends through
 * `execute` and answers with its result or error; `shutdown` runs when the
 * parent goes away (finished or aborted), then the worker exits.
 */
export function serveCommands(
  execute: (command: WorkerCommand) => Promise<unknown>,
  shutdown: () => void,
): void {
  process.on('message', (request: WorkerRequest) => {
    execute(request).then(
      (result) => process.send?.({ id: request.id, ok: true, result } satisfies WorkerResponse),
      (error: unknown) =>
        process.send?.({
          id: request.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies WorkerResponse),
    )
  })
  process.once('disconnect', () => {
    shutdown()
    process.exit(0)
  })
}
