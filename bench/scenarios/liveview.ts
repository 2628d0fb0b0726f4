/**
 * LiveView: what one event costs on the wire and on the server, and what a
 * mounted view costs in memory, on the real stack (the conformance server's
 * fixture views, the `/live` socket, the official V2 JSON framing):
 *
 * (a) wire bytes: a raw `ws` client speaks the LiveView join protocol to
 *     `/lv/list?n=300` and `/lv/counter` through a TCP relay that records
 *     every byte the server writes; one `#bump` click and one `#inc` click,
 *     reply frame = WebSocket header + JSON. Compared with what Phoenix sends
 *     for the same click (its frame, same refs, its 16-character container
 *     ids) and with a naive server that re-renders the whole HTML;
 * (b) server time per render+diff: the `LiveRenderer` on the list fixture's
 *     own `render` (300 rows, one changed; 1,000 rows, one changed; 1,000
 *     rows, all changed; 1,000 rows, the complete join render), against the
 *     floor `renderToString` of the same template (what a naive server does);
 * (c) memory per mounted LiveView beyond its socket: a child process
 *     (`--expose-gc`) runs the conformance server; this process opens N real
 *     WebSockets to it, (1) joined to nothing, (2) each joined to a plain
 *     channel, (3) each joined to a `/lv/counter` LiveView; heap + external
 *     of the server after full GCs, per connection.
 *
 * (d) responsiveness: `/lv/async?delay=200` loads a value with a 200 ms
 *     `assignAsync`; clicks sent meanwhile, each timed to its reply.
 *
 * Scale with BENCH_QUICK=1 or BENCH_LIVEVIEW_VIEWS (default 2,000).
 */
import { createServer, type Server, Socket } from 'node:net'
import { cpus } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import type { Endpoint } from '../../src/index.ts'
import { LiveRenderer, renderToString, type Template } from '../../src/live/index.ts'
import { find } from '../../src/testing/index.ts'
import { CounterLive } from '../../test/support/live-fixtures/counter.ts'
import { ListLive } from '../../test/support/live-fixtures/list.ts'
import { runMode, spawnBenchScript, stopChild } from '../load/spawn.ts'

const CHILD_FLAG = '--liveview-memory-child'
const quiet = { info() {}, warn() {}, error() {} }
/** The refs of a fresh page: the official client's join of the main view is ref 4 (see protocol notes §2.3). */
const JOIN_REF = '4'
const CLICK_REF = '5'
/** Phoenix's container ids: `phx-` and 16 base64url characters (96 bits). */
const PHOENIX_TOPIC = `lv:phx-${'F'.repeat(16)}`

type Frame = [string | null, string | null, string, string, Record<string, unknown>]

// ---- (a) wire bytes ---------------------------------------------------------

interface Page {
  readonly cookie: string
  readonly csrf: string
  readonly id: string
  readonly session: string
  readonly static: string
}

async function getPage(base: string, path: string): Promise<Page> {
  const response = await fetch(`${base}${path}`)
  const html = await response.text()
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`)
  const container = find(html, '[data-phx-main]')
  return {
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(';', 1)[0])
      .join('; '),
    csrf: find(html, 'meta[name="csrf-token"]')?.attributes.content ?? '',
    id: container?.attributes.id ?? '',
    session: container?.attributes['data-phx-session'] ?? '',
    static: container?.attributes['data-phx-static'] ?? '',
  }
}

/** A TCP relay that keeps every chunk the server writes, so frames can be weighed as sent. */
class Tap {
  readonly server: Server
  readonly fromServer: Buffer[] = []
  readonly #sockets = new Set<Socket>()
  constructor(target: number) {
    this.server = createServer((client) => {
      const upstream = new Socket().connect(target, '127.0.0.1')
      for (const s of [client, upstream]) {
        this.#sockets.add(s)
        s.on('error', () => {})
        s.on('close', () => this.#sockets.delete(s))
      }
      client.pipe(upstream)
      upstream.on('data', (chunk: Buffer) => this.fromServer.push(chunk))
      upstream.pipe(client)
    })
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const address = this.server.address()
    if (address === null || typeof address === 'string') throw new Error('no tap address')
    return address.port
  }
  /** The bytes written by the server since the last call. */
  take(): Buffer {
    return Buffer.concat(this.fromServer.splice(0))
  }
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

/** A V2 JSON client on one socket, counting its own frames' payloads. */
class RawClient {
  readonly ws: WebSocket
  readonly #replies = new Map<string, (frame: Frame, text: string) => void>()
  /** Called with each frame that is not a reply (diff pushes…). */
  onPush: ((frame: Frame) => void) | undefined
  constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data) => {
      const text = String(data)
      const frame = JSON.parse(text) as Frame
      const ref = frame[1]
      if (frame[3] !== 'phx_reply' || ref === null) {
        this.onPush?.(frame)
        return
      }
      const waiter = this.#replies.get(ref)
      this.#replies.delete(ref)
      waiter?.(frame, text)
    })
  }
  static open(url: string, cookie = ''): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        headers: cookie === '' ? {} : { cookie },
        perMessageDeflate: false,
      })
      ws.once('open', () => resolve(new RawClient(ws)))
      ws.once('error', reject)
    })
  }
  /** Sends a frame; resolves with the reply frame and its text. */
  request(frame: Frame): Promise<{ frame: Frame; text: string; sent: number }> {
    const out = JSON.stringify(frame)
    const ref = frame[1] ?? ''
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${out.slice(0, 80)}`)), 10_000)
      this.#replies.set(ref, (reply, text) => {
        clearTimeout(timer)
        resolve({ frame: reply, text, sent: Buffer.byteLength(out) })
      })
      this.ws.send(out)
    })
  }
  close(): void {
    this.ws.close(1001)
  }
}

function liveSocketUrl(port: number, page: Page): string {
  const query = new URLSearchParams({ _csrf_token: page.csrf, _mounts: '0', vsn: '2.0.0' })
  return `ws://127.0.0.1:${port}/live/websocket?${query}`
}

function joinFrame(base: string, path: string, page: Page, joinRef: string): Frame {
  return [
    joinRef,
    joinRef,
    `lv:${page.id}`,
    'phx_join',
    {
      url: `${base}${path}`,
      params: { _csrf_token: page.csrf, _mounts: 0 },
      session: page.session,
      static: page.static,
      sticky: false,
    },
  ]
}

/** A server→client WebSocket frame: FIN+text, unmasked length (7, 16 or 64 bits), payload. */
function frameHeaderBytes(payloadBytes: number): number {
  return payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10
}

/** A client→server frame adds a 4-byte mask key. */
function clientFrameBytes(payloadBytes: number): number {
  return frameHeaderBytes(payloadBytes) + 4 + payloadBytes
}

/** Parses the raw bytes into unmasked server frames (text or binary payloads). */
function serverFrames(raw: Buffer): Array<{ header: number; payload: string }> {
  const frames: Array<{ header: number; payload: string }> = []
  let at = 0
  while (at < raw.length) {
    const second = raw[at + 1] ?? 0
    if ((second & 0x80) !== 0) throw new Error('a server frame is masked')
    let length = second & 0x7f
    let header = 2
    if (length === 126) {
      length = raw.readUInt16BE(at + 2)
      header = 4
    } else if (length === 127) {
      length = Number(raw.readBigUInt64BE(at + 2))
      header = 10
    }
    frames.push({ header, payload: raw.subarray(at + header, at + header + length).toString() })
    at += header + length
  }
  return frames
}

interface WireFigure {
  readonly label: string
  /** Bytes the server wrote for the reply (WebSocket header + payload). */
  readonly wire: number
  readonly payload: string
  readonly diff: unknown
  /** The click frame the client sent, on the wire. */
  readonly sent: number
  /** Phoenix's reply frame for the same diff, same refs, on the wire. */
  readonly phoenix: number
  /** A naive server's reply: the whole HTML of the view after the click, same envelope. */
  readonly naive: number
}

async function clickOnce(
  base: string,
  tapPort: number,
  tap: Tap,
  path: string,
  event: string,
  value: Record<string, unknown>,
  html: (diff: unknown) => string,
): Promise<WireFigure> {
  const page = await getPage(base, path)
  const client = await RawClient.open(liveSocketUrl(tapPort, page), page.cookie)
  try {
    const joined = await client.request(joinFrame(base, path, page, JOIN_REF))
    if (joined.frame[4].status !== 'ok') throw new Error(`join refused: ${joined.text}`)
    tap.take()
    const topic = `lv:${page.id}`
    const click = await client.request([
      JOIN_REF,
      CLICK_REF,
      topic,
      'event',
      { type: 'click', event, value },
    ])
    // the relay saw the bytes before the client did; let its data event settle
    await sleep(5)
    const raw = tap.take()
    const frames = serverFrames(raw)
    const [only] = frames
    if (frames.length !== 1 || only === undefined || only.payload !== click.text) {
      throw new Error(`expected one reply frame on the wire, got ${frames.length}: ${raw}`)
    }
    const response = click.frame[4].response as { diff?: unknown }
    const phoenixText = JSON.stringify([
      JOIN_REF,
      CLICK_REF,
      PHOENIX_TOPIC,
      'phx_reply',
      // Jason writes a small map's atom keys in term order: response, status
      { response: { diff: response.diff }, status: 'ok' },
    ])
    const naiveText = JSON.stringify([
      JOIN_REF,
      CLICK_REF,
      topic,
      'phx_reply',
      { status: 'ok', response: { html: html(response.diff) } },
    ])
    const weigh = (text: string) =>
      frameHeaderBytes(Buffer.byteLength(text)) + Buffer.byteLength(text)
    return {
      label: '',
      wire: raw.length,
      payload: click.text,
      diff: response.diff,
      sent: clientFrameBytes(click.sent),
      phoenix: weigh(phoenixText),
      naive: weigh(naiveText),
    }
  } finally {
    client.close()
  }
}

/** The list fixture's HTML after one bump, as a naive server would send it. */
function listHtml(n: number, bumped: number): string {
  return renderToString(ListLive.render(listAssigns(rowsOf(n, bumped))))
}

function counterHtml(count: number): string {
  return renderToString(
    CounterLive.render({ count, pageTitle: 'Counter', flash: {}, liveAction: undefined }),
  )
}

async function measureWire(endpoint: Endpoint): Promise<WireFigure[]> {
  const base = `http://127.0.0.1:${endpoint.port}`
  const tap = new Tap(endpoint.port)
  const tapPort = await tap.listen()
  try {
    const list = await clickOnce(base, tapPort, tap, '/lv/list?n=300', 'bump', { value: '' }, () =>
      listHtml(300, 1),
    )
    const counter = await clickOnce(
      base,
      tapPort,
      tap,
      '/lv/counter',
      'inc',
      { step: '1', value: '' },
      () => counterHtml(1),
    )
    return [
      { ...list, label: '`/lv/list?n=300`, `#bump` (row 0 changes)' },
      { ...counter, label: '`/lv/counter`, `#inc` (0 → 1)' },
    ]
  } finally {
    await tap.close()
  }
}

// ---- (b) server time per render+diff --------------------------------------

interface Row {
  readonly id: number
  readonly label: string
  readonly bumps: number
}

function rowsOf(n: number, bumps = 0): Row[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    label: `Row ${id}`,
    bumps: id === 0 ? bumps : 0,
  }))
}

function listAssigns(rows: readonly Row[]) {
  return { rows, pageTitle: 'List', flash: {}, liveAction: undefined }
}

/** The fixture's `bump`: a new first row, the others kept. */
function bumpFirst(rows: readonly Row[]): Row[] {
  const [first, ...rest] = rows
  return first === undefined ? [] : [{ ...first, bumps: first.bumps + 1 }, ...rest]
}

/** Every row changes (a 1,000-row re-render). */
function bumpAll(rows: readonly Row[]): Row[] {
  return rows.map((row) => ({ ...row, bumps: row.bumps + 1 }))
}

interface Timing {
  readonly label: string
  /** Median µs per step of the LiveRenderer (render + diff), and with the JSON encoding of the diff. */
  readonly diffUs: number
  readonly diffEncodeUs: number
  readonly diffBytes: number
  /** Median µs per step of renderToString (and its bytes). */
  readonly floorUs: number
  readonly floorBytes: number
}

/**
 * Median µs per call of each step, over `batches` batches of `count` calls;
 * the steps take turns batch by batch, so a noisy neighbour hits them alike.
 */
function timeSteps(batches: number, count: number, steps: ReadonlyArray<() => void>): number[] {
  const samples = steps.map((): number[] => [])
  for (let b = 0; b < batches + 2; b++) {
    steps.forEach((step, s) => {
      const started = process.hrtime.bigint()
      for (let i = 0; i < count; i++) step()
      const us = Number(process.hrtime.bigint() - started) / 1000 / count
      if (b >= 2) samples[s]?.push(us) // two warm-up batches
    })
  }
  return samples.map((means) => {
    means.sort((x, y) => x - y)
    return means[Math.floor(means.length / 2)] ?? Number.NaN
  })
}

function timeList(
  label: string,
  n: number,
  change: ((rows: readonly Row[]) => Row[]) | 'join',
  count: number,
): Timing {
  const view = (rows: readonly Row[]): Template => ListLive.render(listAssigns(rows))
  /** One state per step, each changed the same way. */
  const state = () => {
    let rows = rowsOf(n)
    let renderer = new LiveRenderer()
    renderer.render(view(rows))
    return () => {
      if (change === 'join') renderer = new LiveRenderer()
      else rows = change(rows)
      return { rows, renderer }
    }
  }
  // the bytes of the first change, as on the wire (later ones carry longer counts)
  const first = state()()
  const diffBytes = Buffer.byteLength(JSON.stringify(first.renderer.render(view(first.rows))))
  const floorBytes = Buffer.byteLength(renderToString(view(state()().rows)))
  const [diff, encode, floor] = [state(), state(), state()]
  const [diffUs = 0, diffEncodeUs = 0, floorUs = 0] = timeSteps(9, count, [
    () => {
      const { rows, renderer } = diff()
      renderer.render(view(rows))
    },
    () => {
      const { rows, renderer } = encode()
      JSON.stringify(renderer.render(view(rows)))
    },
    () => {
      renderToString(view(floor().rows))
    },
  ])
  return { label, diffUs, diffEncodeUs, diffBytes, floorUs, floorBytes }
}

function measureTimings(quick: boolean): Timing[] {
  const k = quick ? 4 : 1
  return [
    timeList('300 rows, one changed (`#bump`)', 300, bumpFirst, 400 / k),
    timeList('1,000 rows, one changed', 1_000, bumpFirst, 150 / k),
    timeList('1,000 rows, all changed (full re-render)', 1_000, bumpAll, 40 / k),
    timeList('1,000 rows, complete render (join)', 1_000, 'join', 40 / k),
  ]
}

// ---- (c) memory per mounted view -------------------------------------------

type MemoryMode = 'socket' | 'channel' | 'live'

interface MemoryFigure {
  readonly mode: MemoryMode
  readonly perConnection: number
}

type ChildMessage = { port: number } | { used: number }

/** In the child: the conformance server, measured on request. */
async function memoryChild(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('the memory child needs --expose-gc')
  const { startConformanceServer } = await import('../../test/support/conformance-server.ts')
  const endpoint = await startConformanceServer({ port: 0, logger: quiet })
  const send = (message: ChildMessage): void => {
    process.send?.(message)
  }
  process.on('message', async (message: unknown) => {
    if (message === 'measure') {
      for (let i = 0; i < 4; i++) {
        gc()
        await sleep(20)
      }
      const usage = process.memoryUsage()
      send({ used: usage.heapUsed + usage.external })
    } else if (message === 'stop') {
      await endpoint.stop()
      process.exit(0)
    }
  })
  send({ port: endpoint.port })
}

class ChildServer {
  readonly #child = spawnBenchScript('scenarios/liveview', [CHILD_FLAG], ['--expose-gc'])
  #waiting: ((message: ChildMessage) => void) | undefined
  constructor() {
    this.#child.on('message', (message: ChildMessage) => {
      const wake = this.#waiting
      this.#waiting = undefined
      wake?.(message)
    })
  }
  #next(): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      this.#waiting = resolve
      this.#child.once('exit', (code) => reject(new Error(`the memory child exited (${code})`)))
    })
  }
  async port(): Promise<number> {
    const message = await this.#next()
    if (!('port' in message)) throw new Error('expected the port first')
    return message.port
  }
  async measure(): Promise<number> {
    const reply = this.#next()
    this.#child.send('measure')
    const message = await reply
    if (!('used' in message)) throw new Error('expected a measurement')
    return message.used
  }
  stop(): Promise<void> {
    this.#child.removeAllListeners('exit')
    return stopChild(this.#child, () => this.#child.send('stop'), 5_000)
  }
}

async function openConnections(
  mode: MemoryMode,
  port: number,
  page: Page,
  count: number,
): Promise<RawClient[]> {
  const base = `http://127.0.0.1:${port}`
  const clients: RawClient[] = []
  const one = async (i: number): Promise<RawClient> => {
    if (mode === 'live') {
      const client = await RawClient.open(liveSocketUrl(port, page), page.cookie)
      const joined = await client.request(joinFrame(base, '/lv/counter', page, '1'))
      if (joined.frame[4].status !== 'ok') throw new Error(`join refused: ${joined.text}`)
      return client
    }
    const client = await RawClient.open(`ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0`)
    if (mode === 'channel') {
      const joined = await client.request(['1', '1', `room:bench-${i}`, 'phx_join', {}])
      if (joined.frame[4].status !== 'ok') throw new Error(`join refused: ${joined.text}`)
    }
    return client
  }
  const BATCH = 50
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => one(i + j))
    clients.push(...(await Promise.all(batch)))
  }
  return clients
}

async function memoryOf(mode: MemoryMode, views: number): Promise<MemoryFigure> {
  const child = new ChildServer()
  let clients: RawClient[] = []
  try {
    const port = await child.port()
    // One page for every join: its tokens verify for each socket (a topic is per socket).
    const page = await getPage(`http://127.0.0.1:${port}`, '/lv/counter')
    // warm up the code paths (and lazily built state) before the baseline
    for (const client of await openConnections(mode, port, page, 20)) client.close()
    await sleep(100)
    const before = await child.measure()
    clients = await openConnections(mode, port, page, views)
    const after = await child.measure()
    return { mode, perConnection: (after - before) / views }
  } finally {
    for (const client of clients) client.close()
    await child.stop()
  }
}

// ---- (d) responsiveness while an assignAsync runs ----------------------------

interface AsyncFigure {
  readonly pages: number
  readonly clicks: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** Median ms from the join reply to the diff with the loaded value. */
  readonly loadedAfter: number
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN

/**
 * `/lv/async?delay=200`: the view's mount starts an `assignAsync` of 200 ms.
 * Right after the join, `#inc` is clicked again and again (each click waits
 * for its reply) until the loaded value's diff arrives; per click, the time
 * to its reply.
 */
async function measureAsync(endpoint: Endpoint, pages: number): Promise<AsyncFigure> {
  const base = `http://127.0.0.1:${endpoint.port}`
  const path = '/lv/async?delay=200'
  const latencies: number[] = []
  const loaded: number[] = []
  for (let p = 0; p < pages; p++) {
    const page = await getPage(base, path)
    const client = await RawClient.open(liveSocketUrl(endpoint.port, page), page.cookie)
    try {
      let done = false
      client.onPush = (frame) => {
        if (frame[3] === 'diff' && JSON.stringify(frame[4]).includes('Acme')) done = true
      }
      const joined = await client.request(joinFrame(base, path, page, JOIN_REF))
      if (joined.frame[4].status !== 'ok') throw new Error(`join refused: ${joined.text}`)
      const started = performance.now()
      for (let ref = 10; !done; ref++) {
        const t0 = performance.now()
        const reply = await client.request([JOIN_REF, String(ref), `lv:${page.id}`, 'event', inc])
        latencies.push(performance.now() - t0)
        if (reply.frame[4].status !== 'ok') throw new Error(`click refused: ${reply.text}`)
        if (performance.now() - started > 5_000) throw new Error('the async value never came')
        // A person clicks at most a few hundred times a second; unpaced, a quiet machine
        // would send thousands and meet the socket's rate limit (1000 messages/s).
        await sleep(Math.max(0, t0 + CLICK_EVERY_MS - performance.now()))
      }
      loaded.push(performance.now() - started)
    } finally {
      client.close()
    }
  }
  latencies.sort((a, b) => a - b)
  loaded.sort((a, b) => a - b)
  return {
    pages,
    clicks: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    loadedAfter: percentile(loaded, 50),
  }
}

const inc = { type: 'click', event: 'inc', value: { value: '' } }
/** The pace of the clicks in (d): 200 a second, a fifth of a socket's rate limit. */
const CLICK_EVERY_MS = 5

// ---- the report --------------------------------------------------------------

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

export async function run(): Promise<string> {
  const quick = process.env.BENCH_QUICK === '1'
  const views = Number(process.env.BENCH_LIVEVIEW_VIEWS ?? (quick ? 500 : 2_000))
  if (!Number.isInteger(views) || views < 1)
    throw new Error(`BENCH_LIVEVIEW_VIEWS must be a positive integer, got ${views}`)

  const { startConformanceServer } = await import('../../test/support/conformance-server.ts')
  const endpoint = await startConformanceServer({ port: 0, logger: quiet })
  let wire: WireFigure[]
  let responsive: AsyncFigure
  try {
    wire = await measureWire(endpoint)
    responsive = await measureAsync(endpoint, quick ? 5 : 20)
  } finally {
    await endpoint.stop()
  }
  const timings = measureTimings(quick)
  const memory: MemoryFigure[] = []
  for (const mode of ['socket', 'channel', 'live'] as const)
    memory.push(await memoryOf(mode, views))
  const per = (mode: MemoryMode): number =>
    memory.find((m) => m.mode === mode)?.perConnection ?? Number.NaN

  const lines = [
    '## LiveView',
    '',
    `Conditions: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${runMode === 'tsx' ? 'run from the sources through tsx (its keepNames adds ~1 KB per view of function-name properties to the memory figure)' : 'compiled'}${quick ? ', BENCH_QUICK' : ''}. The conformance server's fixture views over the \`/live\` socket (V2 JSON, no compression), a raw \`ws\` client speaking the join protocol through a TCP relay that records what the server writes. Refs as on a fresh page (join ${JOIN_REF}, click ${CLICK_REF}); each extra digit of a ref adds a byte. Phoenix's frame: the same diff in Phoenix's envelope, same refs, its 16-character container ids.`,
    '',
    '### Wire bytes per event (reply frame: WebSocket header + JSON)',
    '',
    '| event | Cinder on the wire | of which the diff | Phoenix (computed) | naive: whole HTML | ratio to naive | click frame sent |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const w of wire) {
    const diffBytes = Buffer.byteLength(JSON.stringify(w.diff))
    lines.push(
      `| ${w.label} | ${w.wire} B | ${diffBytes} B | ${w.phoenix} B | ${fmt(w.naive)} B | ${fmt(w.wire / w.naive, 3)}× | ${w.sent} B |`,
    )
  }
  lines.push('', 'The frames as sent:', '')
  for (const w of wire) lines.push(`- \`${w.payload}\``)
  lines.push(
    '',
    "### Server time per render + diff (in process, the list fixture's own `render`)",
    '',
    '| case | LiveRenderer | + JSON encode | diff bytes | floor: renderToString | its bytes | time vs floor |',
    '|---|---:|---:|---:|---:|---:|---:|',
  )
  for (const t of timings) {
    lines.push(
      `| ${t.label} | ${fmt(t.diffUs, 1)} µs | ${fmt(t.diffEncodeUs, 1)} µs | ${fmt(t.diffBytes)} B | ${fmt(t.floorUs, 1)} µs | ${fmt(t.floorBytes)} B | ${fmt(t.diffUs / t.floorUs, 2)}× |`,
    )
  }
  lines.push(
    '',
    `### Memory per mounted LiveView (${fmt(views)} connections per case, server in a child process, heap + external after full GCs)`,
    '',
    '| case | per connection | beyond the case above |',
    '|---|---:|---:|',
    `| a WebSocket, no channel | ${fmt(per('socket'))} B | — |`,
    `| a WebSocket + a plain channel join (the floor) | ${fmt(per('channel'))} B | ${fmt(per('channel') - per('socket'))} B |`,
    `| a WebSocket + a \`/lv/counter\` LiveView | ${fmt(per('live'))} B | ${fmt(per('live') - per('channel'))} B beyond the channel join, ${fmt(per('live') - per('socket'))} B beyond the socket |`,
    '',
    '### Clicks while an `assignAsync` of 200 ms runs',
    '',
    `\`/lv/async?delay=200\`: its mount loads a value with \`assignAsync\` (a 200 ms task). Right after the join, \`#inc\` is clicked in a loop, one click every ${CLICK_EVERY_MS} ms or after the previous reply if later, until the value's diff arrives; ${responsive.pages} pages one after another, server and client in this process.`,
    '',
    '| clicks answered meanwhile | p50 | p99 | max | loaded value arrived after (median) |',
    '|---:|---:|---:|---:|---:|',
    `| ${fmt(responsive.clicks)} | ${fmt(responsive.p50, 2)} ms | ${fmt(responsive.p99, 2)} ms | ${fmt(responsive.max, 2)} ms | ${fmt(responsive.loadedAfter)} ms |`,
    '',
  )
  return lines.join('\n')
}

if (process.argv.includes(CHILD_FLAG)) await memoryChild()
