// A private NATS server a test may kill and start again on the same port (the shared one on
// 4222 serves other tests). Under CI=true a missing `nats-server` binary is a failure.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as natsConnect } from 'nats'
import { createClient } from 'redis'
import { probe } from '../pubsub/service.ts'

/** A `nats-server` child process on 127.0.0.1. */
export class NatsServer {
  #child: ChildProcess | undefined
  #port = -1
  readonly #jetstream: boolean
  readonly #dir: string | undefined

  /** `jetstream`: enable JetStream (key-value), stored in a temporary directory. */
  constructor(options: { jetstream?: boolean } = {}) {
    this.#jetstream = options.jetstream ?? false
    this.#dir = this.#jetstream ? mkdtempSync(join(tmpdir(), 'cinder-nats-')) : undefined
  }

  get url(): string {
    return `nats://127.0.0.1:${this.#port}`
  }

  /** Starts it (on a free port the first time, on the same port afterwards); resolves once ready. */
  start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.#port)]
    if (this.#dir !== undefined) args.push('--jetstream', '--store_dir', this.#dir)
    const child = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    return new Promise((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`nats-server did not start within 10 s:\n${output}`))
      }, 10_000)
      const onData = (chunk: Buffer): void => {
        output += String(chunk)
        const port = /Listening for client connections on [^\s]+:(\d+)/.exec(output)
        if (port === null || !output.includes('Server is ready')) return
        clearTimeout(timer)
        this.#port = Number(port[1])
        resolve()
      }
      child.stderr?.on('data', onData)
      child.stdout?.on('data', onData)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`nats-server exited with ${code}:\n${output}`))
      })
    })
  }

  /** Stops it with `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }

  /** Stops it for good and removes its storage. */
  async close(): Promise<void> {
    await this.stop('SIGKILL')
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true })
  }
}

/** Undefined when `nats-server` can run here, else a skip (throws under CI=true). */
export async function requireNatsServer(): Promise<{ skip: string } | undefined> {
  const found = await new Promise<boolean>((resolve) => {
    const child = spawn('nats-server', ['--version'], { stdio: 'ignore' })
    child.once('error', () => resolve(false))
    child.once('exit', (code) => resolve(code === 0))
  })
  if (found) return undefined
  const message = 'the nats-server binary is not on the PATH'
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true this is a failure`)
  return { skip: `${message}; install it to run these tests` }
}

/**
 * Removes what a test left in the shared Redis (keys starting with `prefix`) and NATS (key-value
 * buckets whose names start with `prefix`), whichever of them runs.
 */
export async function dropTestData(prefix: string): Promise<void> {
  if ((await probe(6379)) === undefined) {
    const redis = createClient({ url: 'redis://127.0.0.1:6379' })
    await redis.connect()
    const keys: string[] = []
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      keys.push(...batch)
    }
    if (keys.length > 0) await redis.del(keys)
    await redis.close()
  }
  if ((await probe(4222)) === undefined) {
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' })
    const jsm = await nc.jetstreamManager()
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name
      if (name.startsWith(`KV_${prefix}`)) await jsm.streams.delete(name)
    }
    await nc.close()
  }
}
