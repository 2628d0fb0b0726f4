/**
 * The conformance server's `--workers N` flag (what bench/scenarios/sockets-100k.ts
 * runs): the program forks N workers on one port, prints the port they share
 * once all are ready, serves channels with broadcasts, and SIGTERM stops it
 * all. That broadcasts cross workers is cluster-run.test.ts's business.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { join, nextEvent, openClient, outcome, type PhxSocket } from '../conformance/support.ts'

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const script = fileURLToPath(new URL(`../support/conformance-server${ext}`, import.meta.url))

function listening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no `listening on` within 30 s')), 30_000)
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)))
    createInterface({ input: child.stdout ?? assert.fail('no stdout') }).on('line', (line) => {
      const match = /^listening on (\d+)$/.exec(line)
      if (match === null) return
      clearTimeout(timer)
      resolve(Number(match[1]))
    })
  })
}

test('--workers 2: one port, channels and broadcasts, SIGTERM stops every process', async () => {
  const child = spawn(
    process.execPath,
    [...process.execArgv, script, '--port', '0', '--workers', '2'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const sockets: PhxSocket[] = []
  try {
    const port = await listening(child)
    assert.ok(port > 0, 'the port the workers got, not 0')
    for (let n = 0; n < 4; n++) sockets.push(await openClient(`ws://127.0.0.1:${port}/socket`))
    const channels = await Promise.all(sockets.map((socket) => join(socket, 'room:cli')))
    const arrivals = channels.map((channel) => nextEvent(channel, 'msg'))
    const sender = channels[0] ?? assert.fail('no channel')
    assert.deepEqual(await outcome(sender.push('broadcast', { body: 'hi' })), ['ok', {}])
    for (const payload of await Promise.all(arrivals)) assert.deepEqual(payload, { body: 'hi' })
  } finally {
    for (const socket of sockets) socket.disconnect()
    child.kill('SIGTERM')
  }
  assert.equal(await exited, 0)
})
