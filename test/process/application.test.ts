// An application tree in a real child Node process: it must stop gracefully on
// SIGTERM (terminate callbacks in reverse start order) and, once stopped,
// leave nothing behind, so the Node process exits by itself.
import assert from 'node:assert/strict'
import { spawn as spawnNode } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fromSource = import.meta.url.endsWith('.ts')
const fixture = join(here, 'fixtures', fromSource ? 'app.ts' : 'app.js')

function runFixture(mode: string) {
  const child = spawnNode(
    process.execPath,
    [...(fromSource ? ['--import', 'tsx'] : []), fixture, mode],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const ready = async () => {
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20))
  }
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 8000)
  return { child, output: () => out, exited: exited.finally(() => clearTimeout(killTimer)), ready }
}

const expectedStops = [
  'terminate d shutdown',
  'terminate c shutdown',
  'terminate b shutdown',
  'terminate a shutdown',
]

test('SIGTERM stops the tree gracefully, in reverse start order, and Node exits with code 0', async () => {
  const run = runFixture('wait')
  await run.ready()
  await new Promise((r) => setTimeout(r, 100)) // let the tickers tick a little
  run.child.kill('SIGTERM')
  const [code, signal] = await run.exited
  assert.equal(signal, null, run.output())
  assert.equal(code, 0, run.output())
  const stops = run
    .output()
    .split('\n')
    .filter((l) => l.startsWith('terminate'))
  assert.deepEqual(stops, expectedStops)
})

test('once the tree stops, nothing is left and Node exits by itself', async () => {
  const started = Date.now()
  const run = runFixture('self-stop')
  const [code, signal] = await run.exited
  assert.equal(signal, null, `had to be killed: ${run.output()}`)
  assert.equal(code, 0, run.output())
  assert.deepEqual(
    run
      .output()
      .split('\n')
      .filter((l) => l.startsWith('terminate')),
    expectedStops,
  )
  assert.ok(Date.now() - started < 7000)
})
