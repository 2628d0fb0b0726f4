// Helpers for multi-process cluster tests: conformance-server nodes as child processes, the
// official client's Presence, and a TCP proxy to cut a node set off its broker and back.
import { type ChildProcess, spawn } from 'node:child_process'
import { connect, createServer, type Socket as NetSocket, type Server } from 'node:net'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'

// Works from the sources (tsx) and from the compiled copy in .build/.
const here = dirname(fileURLToPath(import.meta.url))
const compiled = here.includes(`${sep}.build${sep}`)
const repo = compiled ? resolve(here, '..', '..', '..') : resolve(here, '..', '..')

/** One conformance server running as its own Node process. */
export interface NodeProcess {
  readonly name: string
  readonly port: number
  readonly url: string
  readonly child: ChildProcess
  /** Everything it printed (stdout and stderr). */
  readonly output: string[]
  /** Resolves once the process has exited. */
  readonly exited: Promise<number | null>
  kill(signal: NodeJS.Signals): Promise<void>
}

/**
 * Starts `test/support/conformance-server` with `--port 0` and `args` (Node flags in `nodeArgs`, e.g. a
 * heap limit); resolves once it listens.
 */
export function startNode(
  name: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<NodeProcess> {
  const script = compiled
    ? [join(repo, '.build', 'test', 'support', 'conformance-server.js')]
    : ['--import', 'tsx', join(repo, 'test', 'support', 'conformance-server.ts')]
  const argv = [...nodeArgs, ...script, '--port', '0', '--node', name, ...args]
  const child = spawn(process.execPath, argv, {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  return new Promise((resolveNode, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${name} did not start within 60 s:\n${output.join('')}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      output.push(String(chunk))
      const match = /listening on (\d+)/.exec(output.join(''))
      if (match === null) return
      child.stdout?.off('data', onData)
      child.stdout?.on('data', (more: Buffer) => output.push(String(more)))
      clearTimeout(timer)
      const port = Number(match[1])
      resolveNode({
        name,
        port,
        url: `ws://127.0.0.1:${port}/socket`,
        child,
        output,
        exited,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await exited
        },
      })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => output.push(String(chunk)))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node ${name} exited with ${code} before listening:\n${output.join('')}`))
    })
  })
}

/** A TCP proxy to a local service that a test can cut (refuse and drop everything) and restore. */
export class TcpProxy {
  readonly #target: number
  readonly #sockets = new Set<NetSocket>()
  #server: Server | undefined
  #port = 0

  constructor(target: number) {
    this.#target = target
  }

  get port(): number {
    return this.#port
  }

  /** Listens (on an ephemeral port the first time, on the same port after a cut). */
  async start(): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.#target })
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream)
      upstream.pipe(client)
    })
    await new Promise<void>((done, fail) => {
      server.once('error', fail)
      server.listen(this.#port, '127.0.0.1', () => done())
    })
    const address = server.address()
    if (typeof address === 'object' && address !== null) this.#port = address.port
    this.#server = server
    return this.#port
  }

  /** Stops accepting and drops every connection through the proxy. */
  async cut(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
    if (server !== undefined) await new Promise<void>((done) => server.close(() => done()))
  }

  /** Accepts again, on the same port. */
  async restore(): Promise<void> {
    await this.start()
  }

  async close(): Promise<void> {
    await this.cut()
  }
}

// --- The official client ----------------------------------------------------------------

interface Group {
  metas: { name?: string; phx_ref: string }[]
}
export interface PhxChannel {
  join(): { receive(status: string, cb: (r: unknown) => void): unknown }
  push(
    event: string,
    payload: object,
  ): { receive(status: string, cb: (r: unknown) => void): unknown }
  on(event: string, cb: (payload: unknown) => void): number
}
interface PhxSocket {
  connect(): void
  disconnect(): void
  channel(topic: string, params?: object): PhxChannel
  onOpen(cb: () => void): void
}
interface ClientPresence {
  onSync(cb: () => void): void
  list<T>(chooser: (key: string, presence: Group) => T): T[]
}

const phoenix: string = 'phoenix'
const { Socket, Presence } = (await import(phoenix)) as {
  Socket: new (url: string, options: object) => PhxSocket
  Presence: new (channel: PhxChannel) => ClientPresence
}

/** A client on one node, joined to `topic` and tracked as `name`. */
export interface ClusterClient {
  readonly socket: PhxSocket
  readonly channel: PhxChannel
  /** Keys listed by the client's Presence, sorted; each as `key×metas` when metas > 1. */
  keys(): string[]
  readonly messages: unknown[]
  /** The node's socket URL. */
  readonly url: string
  readonly closed: boolean
  close(): void
}

export async function joinClient(url: string, topic: string, name: string): Promise<ClusterClient> {
  const socket = new Socket(url, {
    transport: WebSocket,
    reconnectAfterMs: () => 100,
    rejoinAfterMs: () => 100,
  })
  const opened = new Promise<void>((done) => socket.onOpen(done))
  socket.connect()
  await opened
  const channel = socket.channel(topic, { track: name })
  const presence = new Presence(channel)
  const messages: unknown[] = []
  channel.on('msg', (payload) => messages.push(payload))
  await new Promise<void>((done, fail) => {
    channel.join().receive('ok', () => done())
    setTimeout(() => fail(new Error(`join of ${topic} on ${url} timed out`)), 5000).unref()
  })
  let closed = false
  return {
    socket,
    channel,
    messages,
    url,
    get closed() {
      return closed
    },
    keys: () =>
      presence.list((key, p) => (p.metas.length > 1 ? `${key}×${p.metas.length}` : key)).sort(),
    close() {
      closed = true
      socket.disconnect()
    },
  }
}

/** Polls `condition` every 20 ms; fails with `what` after `ms`. */
export async function until(
  what: () => string,
  condition: () => boolean,
  ms = 10_000,
): Promise<number> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what()}`)
    await new Promise((done) => setTimeout(done, 20))
  }
  return Date.now() - start
}
