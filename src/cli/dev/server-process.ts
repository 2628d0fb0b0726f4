/**
 * The application's server under `cinder dev`: a child process stopped and started again on
 * every change. The next one waits ready as a warm spare (spare.ts: the loader and Cinder
 * already loaded), so a restart runs only the application's own modules. A restart is ready
 * when the port accepts connections again: pages are reloaded onto the new code, never onto a
 * dead port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { ReadyMessage, StartMessage } from './spare.ts'

export interface ServerCommand {
  /** Node's options (`--conditions=…`, `--import tsx`). */
  readonly nodeArgs: readonly string[]
  /** The entry, relative to `cwd`, and its arguments. */
  readonly entry: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Where the server listens once it is up. */
  readonly host: string
  readonly port: number
}

export type StartOutcome = 'ready' | 'exited' | 'timeout'

/** How long a server may take to stop on SIGTERM (draining its sockets) before SIGKILL. */
const STOP_GRACE_MS = 2000
/** How long a server may take to listen after it started. */
const READY_TIMEOUT_MS = 30_000
const POLL_MS = 20
/** How long after a restart the next spare starts loading. */
const SPARE_DELAY_MS = 1000

/** spare.ts beside this file, compiled or not. */
const SPARE = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './spare.ts' : './spare.js', import.meta.url),
)

export class ServerProcess {
  readonly #command: ServerCommand
  #current: ChildProcess | undefined
  #spare: ChildProcess | undefined
  readonly #retiring = new Set<Promise<void>>()
  #spareTimer: NodeJS.Timeout | undefined
  /** How long the last restart waited for the previous server to free its port, ms. */
  stoppedIn = 0
  /** Whether the last restart found a spare waiting. */
  warm = false

  readonly #onSpareReady: (ms: number) => void

  /** `onSpareReady` hears how long each spare took to load. */
  constructor(command: ServerCommand, onSpareReady: (ms: number) => void = () => {}) {
    this.#command = command
    this.#onSpareReady = onSpareReady
  }

  /**
   * Stops the running server, starts the spare (or a new process) and waits until it listens;
   * then readies the next spare. `fresh` discards the spare (it loaded what changed).
   */
  async restart(fresh = false): Promise<StartOutcome> {
    clearTimeout(this.#spareTimer)
    const begin = Date.now()
    await this.#retire()
    if (fresh) await this.#discardSpare()
    this.stoppedIn = Date.now() - begin
    this.warm = this.#spare !== undefined
    const child = this.#spare ?? this.#spawnSpare()
    this.#spare = undefined
    this.#current = child
    const { entry, args } = this.#command
    try {
      child.send({ start: { entry, args } } satisfies StartMessage)
    } catch {
      return 'exited' // the spare died while it waited (its error is on the terminal)
    }
    const outcome = await this.#whenListening(child)
    this.#readySpareSoon()
    return outcome
  }

  /**
   * Starts the next spare once the new server has served the pages that reload onto it:
   * loading Cinder costs a second of CPU, which those first requests should not compete with.
   */
  #readySpareSoon(): void {
    clearTimeout(this.#spareTimer)
    this.#spareTimer = setTimeout(() => {
      this.#spare ??= this.#spawnSpare()
    }, SPARE_DELAY_MS)
  }

  /**
   * Stops the running server, and resolves as soon as its port is free: a server stops
   * listening first, then drains its sockets, which may take seconds (1012 to each client);
   * the next one need not wait for that.
   */
  async #retire(): Promise<void> {
    const child = this.#current
    this.#current = undefined
    if (child === undefined) return
    const stopped = terminate(child)
    this.#retiring.add(stopped)
    void stopped.then(() => this.#retiring.delete(stopped))
    const { host, port } = this.#command
    for (let free = false; !free && running(child); ) {
      free = !(await accepts(host, port))
      if (!free) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  /** Stops the server and the spare; resolves once every process is gone. */
  async close(): Promise<void> {
    clearTimeout(this.#spareTimer)
    await Promise.all([this.#retire(), this.#discardSpare()])
    await Promise.all(this.#retiring)
  }

  #discardSpare(): Promise<void> {
    const spare = this.#spare
    this.#spare = undefined
    return spare === undefined ? Promise.resolve() : terminate(spare)
  }

  #spawnSpare(): ChildProcess {
    const { nodeArgs, cwd, env } = this.#command
    const spawned = Date.now()
    const child = spawn(process.execPath, [...nodeArgs, SPARE], {
      cwd,
      env,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    })
    child.on('error', () => {}) // a send to a process that just died; seen as its exit
    child.once('message', (message: Partial<ReadyMessage>) => {
      // Only a spare still waiting counts (a cold start loads while it is already needed).
      if (message.ready === true && this.#spare === child) this.#onSpareReady(Date.now() - spawned)
    })
    return child
  }

  async #whenListening(child: ChildProcess): Promise<StartOutcome> {
    const until = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < until) {
      if (!running(child) || this.#current !== child) return 'exited'
      if (await accepts(this.#command.host, this.#command.port)) return 'ready'
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    return 'timeout'
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/** SIGTERM, SIGKILL after the grace period; resolves once the process is gone. */
async function terminate(child: ChildProcess): Promise<void> {
  if (!running(child)) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(kill)
}

/** Whether a TCP connection to host:port opens. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
