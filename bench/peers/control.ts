/**
 * What every benchmarked server process shares: it parses `--port`, starts,
 * prints `listening on <port>`, and answers its parent over the IPC channel:
 * `memory` collects garbage (when run with --expose-gc) and reports
 * `process.memoryUsage()`; `cpu` reports the CPU time used so far (no GC);
 * `stop` closes the server and exits. The process
 * also exits when its parent goes away, so an aborted run leaves no server.
 */
import { parseArgs } from 'node:util'

/** A started server, as its peer module returns it. */
export interface RunningServer {
  readonly port: number
  stop(): Promise<void>
}

/** A request from the parent. */
export type ControlRequest =
  | { readonly op: 'memory' }
  | { readonly op: 'cpu' }
  | { readonly op: 'stop' }

/** The answer to `cpu`: user + system CPU time of the process so far. */
export interface CpuReport {
  readonly op: 'cpu'
  readonly cpuUs: number
}

/** The answer to `memory`. */
export interface MemoryReport {
  readonly op: 'memory'
  readonly gc: boolean
  readonly rss: number
  readonly heapUsed: number
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Allocates and drops a few hundred MB of small arrays, so that every page of
 * the young generation (pinned by the parent's flags) is resident before a
 * measurement: whether a server's earlier work happened to touch them all
 * must not show as memory per socket. The ring keeps each array alive long
 * enough that the compiler cannot optimise the allocation away.
 */
function fillYoungGeneration(): void {
  const ring: unknown[] = new Array(1024)
  for (let i = 0; i < 4_000_000; i++) ring[i & 1023] = [i, i + 1, i + 2, i + 3]
}

/** Full collections until the heap stops shrinking (at most a few), then the figures. */
async function measure(): Promise<MemoryReport> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    fillYoungGeneration()
    let before = Number.POSITIVE_INFINITY
    for (let i = 0; i < 4; i++) {
      gc()
      await settle()
      const used = process.memoryUsage().heapUsed
      if (used >= before * 0.995) break
      before = used
    }
  }
  const m = process.memoryUsage()
  return {
    op: 'memory',
    gc: gc !== undefined,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  }
}

function cpuReport(): CpuReport {
  const { user, system } = process.cpuUsage()
  return { op: 'cpu', cpuUs: user + system }
}

/** Runs a server as a benchmark child process (see the module comment). */
export async function serve(start: (port: number) => Promise<RunningServer>): Promise<void> {
  // Not strict: a server script may take flags of its own (parsed by itself).
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' } },
    strict: false,
    allowPositionals: true,
  })
  const server = await start(Number(values.port))
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= server.stop().finally(() => process.exit(0))
    return stopping
  }
  process.on('message', (message: ControlRequest) => {
    if (message.op === 'stop') void stop()
    else if (message.op === 'memory') void measure().then((report) => process.send?.(report))
    else if (message.op === 'cpu') process.send?.(cpuReport())
  })
  process.once('disconnect', () => void stop())
  process.once('SIGTERM', () => void stop())
  process.once('SIGINT', () => void stop())
  console.log(`listening on ${server.port}`)
}
