/**
 * The conformance server as a cluster (`--workers N`, see
 * test/support/conformance-cluster.ts) in a child process tree of its own:
 * started on a given port, measured from the outside through /proc (resident
 * memory and file descriptors of the primary and of every worker: no process
 * of the tree has to answer while it is loaded), stopped, and every process
 * of the tree killed if it lingers.
 */
import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Target } from './protocol.ts'
import { spawnBenchScript, stopChild } from './spawn.ts'

const START_TIMEOUT_MS = 60_000

/** One process of the tree, as /proc shows it. */
export interface ProcessFigures {
  readonly pid: number
  /** Resident memory now and at its peak (VmRSS, VmHWM), bytes. */
  readonly rss: number
  readonly peakRss: number
  /** Open file descriptors (one per socket, plus a few). */
  readonly fds: number
}

function status(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? Number.NaN) * 1024
  } catch {
    return Number.NaN // gone meanwhile
  }
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length
  } catch {
    return Number.NaN
  }
}

/** The pids of every descendant of `root` (children first found through /proc/<pid>/stat). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name may hold spaces and parentheses: the fields follow its last `)`.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parentOf.set(Number(entry), ppid)
    } catch {
      // exited while listing
    }
  }
  const found: number[] = []
  let frontier = [root]
  while (frontier.length > 0) {
    const next: number[] = []
    for (const [pid, ppid] of parentOf) if (frontier.includes(ppid)) next.push(pid)
    found.push(...next)
    frontier = next
  }
  return found
}

export class ClusterServer {
  readonly port: number
  readonly workers: number
  readonly #child: ChildProcess
  /** Every pid the tree ever showed, so that a stop can kill stragglers. */
  readonly #seen = new Set<number>()

  private constructor(port: number, workers: number, child: ChildProcess) {
    this.port = port
    this.workers = workers
    this.#child = child
  }

  /**
   * Starts the conformance server with `workers` workers on 127.0.0.1:`port`;
   * `nodeFlags` go to the primary, and from it to the workers (runCluster's default).
   */
  static async start(
    port: number,
    workers: number,
    nodeFlags: readonly string[] = [],
  ): Promise<ClusterServer> {
    const child = spawnBenchScript(
      '../test/support/conformance-server',
      ['--port', String(port), '--workers', String(workers)],
      nodeFlags,
    )
    const stdout = child.stdout
    if (stdout === null) throw new Error('the server process has no stdout pipe')
    const server = new ClusterServer(port, workers, child)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void server.stop(0)
        reject(new Error(`the cluster did not start within ${START_TIMEOUT_MS} ms`))
      }, START_TIMEOUT_MS)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the cluster exited with code ${code} before listening`))
      })
      createInterface({ input: stdout }).on('line', (line) => {
        if (!/^listening on \d+$/.test(line.trim())) return
        clearTimeout(timer)
        resolve()
      })
    })
    return server
  }

  get target(): Target {
    return { protocol: 'phoenix-v2', url: `ws://127.0.0.1:${this.port}/socket/websocket?vsn=2.0.0` }
  }

  /** The primary first, then its workers. */
  processes(): ProcessFigures[] {
    const root = this.#child.pid
    if (root === undefined) return []
    const pids = [root, ...descendants(root)]
    for (const pid of pids) this.#seen.add(pid)
    return pids.map((pid) => ({
      pid,
      rss: status(pid, 'VmRSS'),
      peakRss: status(pid, 'VmHWM'),
      fds: fdCount(pid),
    }))
  }

  /** Stops the cluster gracefully (SIGTERM), then kills whatever of the tree remains. */
  async stop(graceMs = 30_000): Promise<void> {
    this.processes()
    await stopChild(this.#child, () => this.#child.kill('SIGTERM'), graceMs)
    for (const pid of this.#seen) {
      try {
        // Only a server process: a pid freed by an exit may have been reused meanwhile.
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('conformance-server'))
          process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
}
