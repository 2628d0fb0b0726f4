/**
 * A server under test, in a child process of its own so that its memory is
 * its own: started with --expose-gc on an ephemeral port of 127.0.0.1, asked
 * for its memory over IPC, stopped (and killed if it lingers).
 *
 * Every server's young generation is pinned at V8's default largest size
 * (16 MB semispaces) from the start, and `memory` fills it before measuring
 * (control.ts). Left to grow, it grew during the first joins by anything from
 * 16 to 30 MB, depending on how much the server had allocated before (Cinder's
 * startup already grows it, a bare `ws` server's does not): 1.8 to 2.8 KiB per
 * socket at 10,000 sockets, more than the difference being measured.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { ControlRequest, CpuReport, MemoryReport } from '../peers/control.ts'
import type { Target } from './protocol.ts'
import { exited, spawnBenchScript, stopChild } from './spawn.ts'

export type ServerKind = 'cinder' | 'raw-ws' | 'socket.io'

export const serverLabels: Record<ServerKind, string> = {
  cinder: 'Cinder',
  'raw-ws': 'raw ws',
  'socket.io': 'socket.io',
}

const scripts: Record<ServerKind, string> = {
  cinder: 'peers/cinder',
  'raw-ws': 'peers/raw-ws',
  'socket.io': 'peers/socket-io',
}

const START_TIMEOUT_MS = 30_000

/** How `launch` runs a server script beyond its arguments. */
export interface LaunchOptions {
  /** A command Node runs under (see `spawnBenchScript`). */
  readonly wrapper?: readonly string[]
  /** How long it may take to listen. Default 30 s. */
  readonly startTimeoutMs?: number
}

/** Node flags of every server under test (see the module comment). */
export const SERVER_NODE_FLAGS = [
  '--expose-gc',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
] as const

export class ServerProcess<Kind extends string = ServerKind> {
  readonly kind: Kind
  readonly port: number
  readonly #child: ChildProcess

  private constructor(kind: Kind, port: number, child: ChildProcess) {
    this.kind = kind
    this.port = port
    this.#child = child
  }

  /** Starts a WebSocket server of `kind` and resolves once it listens. */
  static start(kind: ServerKind): Promise<ServerProcess> {
    return ServerProcess.launch(kind, scripts[kind])
  }

  /**
   * Starts any server script under bench/ that calls `serve` (control.ts),
   * with `args` after `--port 0`, and resolves once it listens.
   */
  static async launch<Kind extends string>(
    kind: Kind,
    script: string,
    args: readonly string[] = [],
    options: LaunchOptions = {},
  ): Promise<ServerProcess<Kind>> {
    const { wrapper = [], startTimeoutMs = START_TIMEOUT_MS } = options
    const argv = ['--port', '0', ...args]
    const child = spawnBenchScript(script, argv, SERVER_NODE_FLAGS, wrapper)
    const stdout = child.stdout
    if (stdout === null) throw new Error('the server process has no stdout pipe')
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`${kind} did not start within ${startTimeoutMs} ms`))
      }, startTimeoutMs)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${kind} exited with code ${code} before listening`))
      })
      const lines = createInterface({ input: stdout })
      lines.on('line', (line) => {
        const match = /^listening on (\d+)$/.exec(line.trim())
        if (match === null) return
        clearTimeout(timer)
        resolve(Number(match[1]))
      })
    })
    return new ServerProcess<Kind>(kind, port, child)
  }

  /** How the load generator's clients reach this server. */
  get target(): Target {
    return this.kind === 'socket.io'
      ? { protocol: 'socket.io', url: `http://127.0.0.1:${this.port}` }
      : { protocol: 'phoenix-v2', url: `ws://127.0.0.1:${this.port}/socket/websocket?vsn=2.0.0` }
  }

  /** The server's peak resident memory so far, in bytes (Linux: VmHWM of /proc/<pid>/status). */
  peakRss(): number {
    const status = readFileSync(`/proc/${this.#child.pid}/status`, 'utf8')
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) * 1024
  }

  /** The server's memory after full garbage collections. */
  memory(): Promise<MemoryReport> {
    return this.#ask<MemoryReport>('memory')
  }

  /** The CPU time (user + system, µs) the server has used so far. */
  async cpuUs(): Promise<number> {
    return (await this.#ask<CpuReport>('cpu')).cpuUs
  }

  #ask<T extends MemoryReport | CpuReport>(op: T['op']): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: MemoryReport | CpuReport): void => {
        if (message.op !== op) return
        this.#child.off('message', onMessage)
        resolve(message as T)
      }
      this.#child.on('message', onMessage)
      this.#child.send({ op } satisfies ControlRequest, (error) => {
        if (error !== null) {
          this.#child.off('message', onMessage)
          reject(error)
        }
      })
    })
  }

  /** Stops the server (kills it after `graceMs`). */
  stop(graceMs = 5_000): Promise<void> {
    return stopChild(
      this.#child,
      () => this.#child.send({ op: 'stop' } satisfies ControlRequest),
      graceMs,
    )
  }

  /** The process id (the wrapper's, when it runs under one). */
  get pid(): number {
    return this.#child.pid ?? 0
  }

  /** Resolves when the process has exited. */
  exited(): Promise<void> {
    return exited(this.#child)
  }
}
