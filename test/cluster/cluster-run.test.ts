/**
 * runCluster: the worker count's sources, a crash loop that stops, a SIGTERM
 * that stops every worker's application, and the conformance server on two
 * workers sharing one port with official `phoenix` clients.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { type ClusterPrimary, clusterWorkerCount, runCluster } from '../../src/endpoint/index.ts'
import { CinderError } from '../../src/errors.ts'
import { join, nextEvent, outcome, type PhxSocket, Socket } from '../conformance/support.ts'

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}${ext}`, import.meta.url))
const quiet = { info() {}, warn() {}, error() {} }
const inWorkers = async (): Promise<never> => assert.fail('start runs in the workers (the fixture)')

const optionsError = (pattern: RegExp) => (err: unknown) =>
  err instanceof CinderError &&
  err.code === 'CINDER_ERR_ENDPOINT_CLUSTER_OPTIONS' &&
  pattern.test(err.message)

describe('runCluster: worker count', () => {
  test('--workers beats CINDER_WORKERS beats WEB_CONCURRENCY beats the option beats the cores', () => {
    const env = { CINDER_WORKERS: '3', WEB_CONCURRENCY: '5' }
    assert.equal(clusterWorkerCount(['--workers', '2'], env, 7), 2)
    assert.equal(clusterWorkerCount(['--port', '1', '--workers=4'], env, 7), 4)
    assert.equal(clusterWorkerCount([], env, 7), 3)
    assert.equal(clusterWorkerCount([], { WEB_CONCURRENCY: '5' }, 7), 5)
    assert.equal(clusterWorkerCount([], { CINDER_WORKERS: '' }, 7), 7)
    assert.equal(clusterWorkerCount([], {}), availableParallelism())
  })

  test('a count that is not a whole number >= 1 is refused, naming where it came from', () => {
    assert.throws(() => clusterWorkerCount(['--workers'], {}), optionsError(/--workers/))
    assert.throws(() => clusterWorkerCount(['--workers', 'two'], {}), optionsError(/"two"/))
    assert.throws(
      () => clusterWorkerCount([], { CINDER_WORKERS: '0' }),
      optionsError(/CINDER_WORKERS/),
    )
    assert.throws(
      () => clusterWorkerCount([], { WEB_CONCURRENCY: '1.5' }),
      optionsError(/WEB_CONCURRENCY/),
    )
    assert.throws(() => clusterWorkerCount([], {}, -1), optionsError(/workers option/))
  })

  test('bad restart intensity is refused before any worker is forked', async () => {
    await assert.rejects(
      runCluster({ start: inWorkers, workers: 1, maxRestarts: -1, argv: [], env: {} }),
      optionsError(/maxRestarts/),
    )
  })
})

describe('runCluster: lifecycle', () => {
  test('workers that cannot start stop the cluster after the restart intensity, saying why', async () => {
    const lines: string[] = []
    const logger = {
      info() {},
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    }
    await assert.rejects(
      runCluster({
        start: inWorkers,
        workers: 1,
        maxRestarts: 1,
        exec: fixture('failing-worker'),
        argv: [],
        env: {},
        handleSignals: false,
        logger,
      }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_ENDPOINT_CRASH_LOOP' &&
        /exited 2 times within 30 s \(maxRestarts 1\).*DATABASE_URL is not set/.test(err.message),
    )
    assert.equal(lines.filter((l) => /restarting it/.test(l)).length, 1, lines.join('\n'))
    assert.match(lines.at(-1) ?? '', /stopping the cluster/)
  })

  test('SIGTERM to the primary stops every worker’s application, then the program exits 0', async () => {
    const program = spawn(process.execPath, [...process.execArgv, fixture('signal-primary')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    program.stdout.setEncoding('utf8')
    const ready = new Promise<void>((resolve) => {
      program.stdout.on('data', (chunk: string) => {
        out += chunk
        if (out.includes('ready\n')) resolve()
      })
    })
    const exited = new Promise<number | null>((resolve) => program.once('exit', resolve))
    await ready
    program.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.deepEqual(
      out
        .split('\n')
        .filter((l) => l.startsWith('stopped'))
        .sort(),
      ['stopped sig-w1', 'stopped sig-w2'],
    )
  })
})

describe('runCluster: the conformance server on two workers', () => {
  test('official clients on both workers of one port; broadcasts cross; stop drains with 1012', async () => {
    const info = new Map<string, { port: number; adapter: string }>()
    const placed = new Map<string, string>() // client → worker node
    const onMessage = (_worker: Worker, message: unknown): void => {
      if (!Array.isArray(message)) return
      if (message[0] === 'test.info')
        info.set(message[1], { port: message[2], adapter: message[3] })
      if (message[0] === 'test.upgrade') placed.set(message[2], message[1])
    }
    const { default: cluster } = await import('node:cluster')
    cluster.on('message', onMessage)
    const primary = (await runCluster({
      start: inWorkers,
      workers: 2,
      node: 'conf',
      exec: fixture('conformance-worker'),
      argv: [],
      env: {},
      handleSignals: false,
      logger: quiet,
    })) as ClusterPrimary
    const sockets: PhxSocket[] = []
    try {
      const ports = new Set([...info.values()].map((i) => i.port))
      assert.equal(ports.size, 1, 'both workers listen on one port')
      const [port] = ports
      // Round-robin alternates, but other connections may interleave: open until both are hit.
      const clients: { name: string; socket: PhxSocket }[] = []
      for (let n = 1; n <= 8 && new Set(placed.values()).size < 2; n++) {
        const name = `c${n}`
        const socket = new Socket(`ws://127.0.0.1:${port}/socket`, {
          transport: WebSocket,
          params: { client: name },
          reconnectAfterMs: () => 60_000,
        })
        sockets.push(socket)
        const opened = new Promise<void>((resolve) => socket.onOpen(resolve))
        socket.connect()
        await opened
        clients.push({ name, socket })
      }
      assert.deepEqual(new Set(placed.values()), new Set(['conf-w1', 'conf-w2']))

      const channels = await Promise.all(clients.map((c) => join(c.socket, 'room:lobby')))
      assert.deepEqual(
        [...info.values()].map((i) => i.adapter),
        ['cluster', 'cluster'],
      )
      // A broadcast from one worker reaches the clients of both, through the primary.
      const senderChannel = channels[0]
      assert.ok(senderChannel !== undefined)
      const arrivals = channels.map((channel) => nextEvent(channel, 'msg'))
      assert.deepEqual(await outcome(senderChannel.push('broadcast', { body: 'to all' })), [
        'ok',
        {},
      ])
      for (const payload of await Promise.all(arrivals))
        assert.deepEqual(payload, { body: 'to all' })

      // A graceful stop: every client is told 1012 (service restart) before the workers exit.
      const codes = clients.map(
        (c) => new Promise<number>((resolve) => c.socket.onClose((event) => resolve(event.code))),
      )
      await primary.stop()
      assert.deepEqual(
        await Promise.all(codes),
        clients.map(() => 1012),
      )
      assert.equal(await primary.ended, 0)
    } finally {
      for (const socket of sockets) socket.disconnect()
      cluster.off('message', onMessage)
      await primary.stop()
    }
  })
})
