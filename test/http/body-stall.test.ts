// One big body must not stall everyone else: while a client posts the
// worst-case bodies the default limits let through (an 8 MB JSON body of 60k
// records, a 1 MB urlencoded body of 4096 parameters), another client's round
// trips on the same server keep going. Decoded in one go, the JSON body alone
// holds the event loop for 100 ms to over a second here; decoded in slices,
// the other client waits for a slice, or a garbage collection.
import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import {
  type Conn,
  createHandler,
  createHttpServer,
  type Params,
  parsers,
  pipeline,
} from '../../src/http/index.ts'

interface Body {
  readonly type: string
  readonly bytes: Buffer
  /** The params (or records) the server should count. */
  readonly count: number
}

function worstJson(): Body {
  const records: unknown[] = []
  let size = 20
  for (let i = 0; size < 7_990_000; i++) {
    const record = {
      id: i,
      name: `user${i}`,
      email: `u${i}@example.com`,
      score: i * 1.5,
      tags: ['a', 'b'],
    }
    records.push(record)
    size += JSON.stringify(record).length + 1
  }
  const bytes = Buffer.from(JSON.stringify({ records }))
  return { type: 'application/json', bytes, count: records.length }
}

function worstForm(): Body {
  const pairs = Array.from(
    { length: 4096 },
    (_, i) => `k${String(i).padStart(4, '0')}=${'%41'.repeat(78)}`,
  )
  return {
    type: 'application/x-www-form-urlencoded',
    bytes: Buffer.from(pairs.join('&')),
    count: 4096,
  }
}

/** Answers a GET with `pong`, a POST with how many params its body had. */
const app = pipeline([
  parsers(),
  (conn: Conn) => {
    const params = conn.bodyParams as Params
    const count = Array.isArray(params.records) ? params.records.length : Object.keys(params).length
    return conn.sendResp(200, conn.method === 'GET' ? 'pong' : String(count))
  },
])

function call(port: number, agent: Agent, body?: Body): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined ? {} : { 'content-type': body.type, 'content-length': body.bytes.length }
    const req = request(
      { port, host: '127.0.0.1', method: body === undefined ? 'GET' : 'POST', agent, headers },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve(`${res.statusCode} ${text}`))
      },
    )
    req.on('error', reject)
    req.end(body?.bytes)
  })
}

/** Round trips one after another until `stop()`; their times in ms. */
function pinger(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const times: number[] = []
  let running = true
  const done = (async () => {
    while (running) {
      const started = performance.now()
      assert.equal(await call(port, agent), '200 pong')
      times.push(performance.now() - started)
    }
    agent.destroy()
  })()
  return {
    async stop() {
      running = false
      await done
      return { count: times.length, worst: Math.max(...times) }
    },
  }
}

test('a worst-case body at the default limits leaves another client its round trips', async (t) => {
  const server = createHttpServer(createHandler(app))
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  const json = worstJson()
  const form = worstForm()
  assert.ok(json.bytes.length <= 8_000_000 && form.bytes.length <= 1_000_000)

  // The same client with nothing else going on: what this machine's load alone costs it.
  const quiet = pinger(port)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const control = await quiet.stop()

  const poster = new Agent({ keepAlive: true })
  const busy = pinger(port)
  for (const body of [json, form, json]) {
    assert.equal(await call(port, poster, body), `200 ${body.count}`)
  }
  const during = await busy.stop()
  poster.destroy()

  const bound = Math.max(100, 4 * control.worst)
  t.diagnostic(
    `round trips: quiet worst ${control.worst.toFixed(1)} ms (${control.count}); ` +
      `during the big bodies worst ${during.worst.toFixed(1)} ms (${during.count}); bound ${bound.toFixed(0)} ms`,
  )
  assert.ok(during.count >= 20, `only ${during.count} round trips while the bodies were decoded`)
  assert.ok(during.worst < bound, `a round trip took ${during.worst.toFixed(1)} ms`)
})
