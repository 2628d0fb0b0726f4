// The live channel over a real connection: joins, tokens, CSRF, bad input.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import WebSocket from 'ws'
import type { Endpoint } from '../../src/index.ts'
import { connectLive, find } from '../../src/testing/index.ts'
import { startConformanceServer } from '../support/conformance-server.ts'

let endpoint: Endpoint
let base: string
const quiet = { info() {}, warn() {}, error() {} }

before(async () => {
  endpoint = await startConformanceServer({ port: 0, logger: quiet })
  base = `http://127.0.0.1:${endpoint.port}`
})
after(() => endpoint.stop())

interface Page {
  readonly cookie: string
  readonly csrf: string
  readonly id: string
  readonly session: string
  readonly static: string
  readonly html: string
}

async function getPage(path: string, cookie = ''): Promise<Page> {
  const response = await fetch(`${base}${path}`, { headers: cookie === '' ? {} : { cookie } })
  const html = await response.text()
  const set = response.headers.getSetCookie().map((c) => c.split(';', 1)[0])
  const container = find(html, '[data-phx-main]')
  return {
    cookie: cookie === '' ? set.join('; ') : cookie,
    csrf: find(html, 'meta[name="csrf-token"]')?.attributes.content ?? '',
    id: container?.attributes.id ?? '',
    session: container?.attributes['data-phx-session'] ?? '',
    static: container?.attributes['data-phx-static'] ?? '',
    html,
  }
}

type Frame = [string | null, string | null, string, string, Record<string, unknown>]

class Client {
  readonly ws: WebSocket
  readonly frames: Frame[] = []
  #ref = 0
  #waiters: Array<() => void> = []
  constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }
  static async open(page: Page, csrf = page.csrf, cookie = page.cookie): Promise<Client> {
    const url = `ws://127.0.0.1:${endpoint.port}/live/websocket?_csrf_token=${encodeURIComponent(csrf)}&_mounts=0&_live_referer=undefined&vsn=2.0.0`
    const ws = new WebSocket(url, { headers: { cookie } })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    return new Client(ws)
  }
  send(
    joinRef: string | null,
    topic: string,
    event: string,
    payload: Record<string, unknown>,
  ): string {
    const ref = String(++this.#ref)
    this.ws.send(JSON.stringify([joinRef ?? ref, ref, topic, event, payload]))
    return ref
  }
  async reply(ref: string): Promise<{ status: string; response: Record<string, unknown> }> {
    const frame = await this.next((f) => f[3] === 'phx_reply' && f[1] === ref)
    return frame[4] as { status: string; response: Record<string, unknown> }
  }
  async next(match: (frame: Frame) => boolean, timeout = 3000): Promise<Frame> {
    const until = Date.now() + timeout
    for (;;) {
      const found = this.frames.find(match)
      if (found !== undefined) return found
      if (Date.now() > until) throw new Error(`no matching frame in ${JSON.stringify(this.frames)}`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }
  join(page: Page, overrides: Record<string, unknown> = {}, topic = `lv:${page.id}`): string {
    return this.send(null, topic, 'phx_join', {
      url: `${base}/lv/counter`,
      params: { _csrf_token: page.csrf, _mounts: 0 },
      session: page.session,
      static: page.static,
      sticky: false,
      ...overrides,
    })
  }
  close(): void {
    this.ws.close(1001)
  }
}

test('connectLive drives a view over a real connection', async () => {
  const view = await connectLive(`${base}/lv/counter`)
  assert.equal(view.text('#count'), '0')
  await view.click('#inc')
  assert.equal(view.text('#count'), '1')
  await view.close()
})

test('the join reply is the full render with the client version, statics in "p"', async () => {
  const page = await getPage('/lv/counter')
  const client = await Client.open(page)
  const reply = await client.reply(client.join(page))
  assert.equal(reply.status, 'ok')
  assert.equal(reply.response.liveview_version, '1.2.12')
  const rendered = reply.response.rendered as Record<string, unknown>
  assert.equal(rendered.s, 0)
  assert.ok(Array.isArray((rendered.p as Record<string, unknown>)['0']))
  assert.equal(rendered['1'], '0', 'the count slot')
  assert.equal(reply.response.container, undefined, 'container only on live navigation')
  client.close()
})

test('an oversized event closes only its own connection (1009)', async () => {
  const a = await getPage('/lv/counter')
  const big = await Client.open(a)
  const small = await Client.open(a)
  assert.equal((await big.reply(big.join(a))).status, 'ok')
  const b = await getPage('/lv/counter', a.cookie)
  const joinB = small.join(b, {}, `lv:${b.id}`)
  assert.equal((await small.reply(joinB)).status, 'ok')
  const closed = new Promise<number>((resolve) => big.ws.once('close', resolve))
  big.send('1', `lv:${a.id}`, 'event', {
    type: 'form',
    event: 'x',
    value: 'a='.padEnd(100_000, 'a'),
  })
  assert.equal(await closed, 1009)
  const ref = small.send(joinB, `lv:${b.id}`, 'event', { type: 'click', event: 'inc', value: {} })
  assert.equal((await small.reply(ref)).status, 'ok')
  small.close()
})

test('an event for a view without handleEvent crashes that view', async () => {
  const page = await getPage('/lv/plain')
  const client = await Client.open(page)
  const join = client.join(page, { url: `${base}/lv/plain` })
  assert.equal((await client.reply(join)).status, 'ok')
  client.send(join, `lv:${page.id}`, 'event', { type: 'click', event: 'nope', value: {} })
  await client.next((f) => f[3] === 'phx_error')
  client.close()
})

test('forged, foreign and missing tokens answer stale', async () => {
  const page = await getPage('/lv/counter')
  const other = await getPage('/lv/counter', page.cookie)
  const client = await Client.open(page)
  const forged = await client.reply(
    client.join(page, { session: `${page.session.slice(0, -2)}xx` }),
  )
  assert.deepEqual(forged, { status: 'error', response: { reason: 'stale' } })
  // a valid token bound to another container id
  const foreign = await client.reply(client.join(other, {}, `lv:${page.id}`))
  assert.deepEqual(foreign, { status: 'error', response: { reason: 'stale' } })
  const missing = await client.reply(client.join(page, { session: undefined }, 'lv:phx-nothing'))
  assert.deepEqual(missing, { status: 'error', response: { reason: 'stale' } })
  const badStatic = await client.reply(client.join(page, { static: other.static }))
  assert.deepEqual(badStatic, { status: 'error', response: { reason: 'stale' } })
  client.close()
})

test('a socket whose CSRF token does not match its session answers stale to every join', async () => {
  const page = await getPage('/lv/counter')
  const other = await getPage('/lv/counter')
  const client = await Client.open(page, other.csrf)
  const reply = await client.reply(client.join(page))
  assert.deepEqual(reply, { status: 'error', response: { reason: 'stale' } })
  client.close()
})

test('a token joins only URLs of its live_session; navigation replies a container', async () => {
  const page = await getPage('/lv/counter')
  const client = await Client.open(page)
  const plain = await client.reply(client.join(page, { url: `${base}/lv/plain` }))
  assert.deepEqual(plain, { status: 'error', response: { reason: 'unauthorized' } })
  const unknown = await client.reply(client.join(page, { url: `${base}/nowhere` }))
  assert.deepEqual(unknown, { status: 'error', response: { reason: 'unauthorized' } })
  const nav = await client.reply(
    client.join(page, { url: undefined, redirect: `${base}/lv/nav?page=5` }),
  )
  assert.equal(nav.status, 'ok')
  assert.deepEqual(nav.response.container, ['div', {}])
  assert.match(JSON.stringify(nav.response.rendered), /"5"/)
  client.close()
})

test('bad input crashes only the view it was sent to; the socket and other views go on', async () => {
  const a = await getPage('/lv/counter')
  const b = await getPage('/lv/counter', a.cookie)
  const client = await Client.open(a)
  const joinA = client.join(a)
  assert.equal((await client.reply(joinA)).status, 'ok')
  const joinB = client.join(b, {}, `lv:${b.id}`)
  assert.equal((await client.reply(joinB)).status, 'ok')
  const topicA = `lv:${a.id}`
  // a form event whose value is not urlencoded text
  client.send(joinA, topicA, 'event', {
    type: 'form',
    event: 'validate',
    value: { not: 'a string' },
  })
  await client.next((f) => f[2] === topicA && f[3] === 'phx_error')
  // B still answers
  const ref = client.send(joinB, `lv:${b.id}`, 'event', { type: 'click', event: 'inc', value: {} })
  assert.deepEqual(await client.reply(ref), { status: 'ok', response: { diff: { 1: '1' } } })
  // a rejoin of A mounts afresh
  const rejoin = client.join(a, { params: { _csrf_token: a.csrf, _mounts: 1 } })
  assert.equal((await client.reply(rejoin)).status, 'ok')
  const inc = client.send(rejoin, topicA, 'event', { type: 'click', event: 'inc', value: {} })
  assert.deepEqual(await client.reply(inc), { status: 'ok', response: { diff: { 1: '1' } } })
  // unknown topics: leave is ok, an event is unmatched
  const leave = client.send(null, 'lv:', 'phx_leave', {})
  assert.equal((await client.reply(leave)).status, 'ok')
  client.close()
})

test('uploads: a forged token, an undeclared input and a bad allow_upload are refused clearly', async () => {
  const page = await getPage('/lv/upload')
  const client = await Client.open(page)
  const joined = await client.reply(client.join(page, { url: `${base}/lv/upload` }))
  assert.equal(joined.status, 'ok')
  const forged = await client.reply(client.send(null, 'lvu:0', 'phx_join', { token: 'forged' }))
  assert.deepEqual(forged, { status: 'error', response: { reason: 'invalid_token' } })
  const topic = `lv:${page.id}`
  const undeclared = await client.reply(
    client.send('1', topic, 'allow_upload', { ref: 'phx-nope', entries: [] }),
  )
  assert.deepEqual(undeclared.response, { ref: 'phx-nope', error: [['phx-nope', 'disallowed']] })
  // A real preflight: the token opens lvu:0, whose chunks may not exceed the declared size.
  const rendered = JSON.stringify(joined.response)
  // An upload input's id is its upload's ref (the first one rendered is `doc`).
  const docRef = / id=\\"(phx-[A-Za-z0-9_-]+)\\"/.exec(rendered)?.[1]
  assert.ok(docRef, 'the doc input is rendered with its ref')
  const preflight = await client.reply(
    client.send('1', topic, 'allow_upload', {
      ref: docRef,
      entries: [{ ref: '0', name: 'a.txt', size: 4, type: 'text/plain', last_modified: 1 }],
    }),
  )
  const token = (preflight.response.entries as Record<string, string>)['0']
  assert.equal(typeof token, 'string')
  const uploadRef = client.send(null, 'lvu:0', 'phx_join', { token })
  assert.equal((await client.reply(uploadRef)).status, 'ok')
  // Another connection presenting the same token: the entry already has its channel.
  const intruder = await Client.open(page)
  const again = await intruder.reply(intruder.send(null, 'lvu:0', 'phx_join', { token }))
  assert.deepEqual(again, { status: 'error', response: { reason: 'already_registered' } })
  intruder.close()
  const chunkRef = '900'
  const fields = [uploadRef, chunkRef, 'lvu:0', 'chunk'].map((f) => Buffer.from(f))
  client.ws.send(
    Buffer.concat([
      Buffer.from([0, ...fields.map((f) => f.length)]),
      ...fields,
      Buffer.from('too many bytes'),
    ]),
  )
  const tooBig = await client.reply(chunkRef)
  assert.deepEqual(tooBig, {
    status: 'error',
    response: { reason: 'file_size_limit_exceeded', limit: 4 },
  })
  // A form change naming an input the view never declared crashes only this view.
  const other = await getPage('/lv/counter', page.cookie)
  const bystander = await Client.open(other)
  assert.equal((await bystander.reply(bystander.join(other))).status, 'ok')
  client.send('1', topic, 'event', {
    type: 'form',
    event: 'validate',
    value: '',
    uploads: { 'phx-nope': [{ ref: '0', name: 'a', size: 1 }] },
  })
  await client.next((f) => f[3] === 'phx_error' && f[2] === topic)
  const ping = await bystander.reply(
    bystander.send('1', `lv:${other.id}`, 'event', { type: 'click', event: 'inc', value: {} }),
  )
  assert.equal(ping.status, 'ok', 'other views are unaffected')
  client.close()
  bystander.close()
})

test('nested: a child needs its parent alive on this socket, and stops when the parent stops', async () => {
  const page = await getPage('/lv/nested')
  const client = await Client.open(page)
  // Before the parent joined, the child's dead-render token names a parent with no process.
  const early = /id="child" data-phx-session="([^"]+)"/.exec(page.html)?.[1] ?? ''
  assert.notEqual(early, '')
  const orphan = await client.reply(
    client.send(null, 'lv:child', 'phx_join', { session: early, static: '', params: {} }),
  )
  assert.deepEqual(orphan, { status: 'error', response: { reason: 'unauthorized' } })
  const parentRef = client.join(page, { url: `${base}/lv/nested` })
  const parent = await client.reply(parentRef)
  assert.equal(parent.status, 'ok')
  // The same claims as the parent's render gives: child id, view, session, parent id.
  const token = early
  const child = await client.reply(
    client.send(null, 'lv:child', 'phx_join', { session: token, static: '', params: {} }),
  )
  assert.equal(child.status, 'ok')
  const forged = await client.reply(
    client.send(null, 'lv:child2', 'phx_join', { session: token, static: '', params: {} }),
  )
  assert.deepEqual(
    forged,
    { status: 'error', response: { reason: 'stale' } },
    'the token is bound to its id',
  )
  client.send(parentRef, `lv:${page.id}`, 'phx_leave', {})
  await client.next((f) => f[2] === 'lv:child' && f[3] === 'phx_close')
  client.close()
})

test("nested: the dead render holds each child's HTML in its container, sticky ones too", async () => {
  const page = await getPage('/lv/nested')
  const child = find(page.html, '#child')
  assert.equal(child?.attributes['data-phx-parent-id'], page.id)
  assert.match(child?.text ?? '', /from-parent\s+0\s+child \+/)
  const sticky = find(page.html, '#sticky-child')
  assert.match(sticky?.text ?? '', /sticky\s+0/)
  assert.equal(sticky?.attributes['data-phx-parent-id'], undefined)
})

test('uploads: an upload channel that receives no chunk for chunkTimeout is closed', async () => {
  const page = await getPage('/lv/uploads-more')
  const client = await Client.open(page)
  const topic = `lv:${page.id}`
  const joinRef = client.join(page, { url: `${base}/lv/uploads-more` })
  const joinReply = await client.reply(joinRef)
  assert.equal(joinReply.status, 'ok')
  // the connected render's ref (each mount names its uploads afresh)
  const rendered = JSON.stringify(joinReply.response)
  const ref = /name=\\"stall\\"[\s\S]*?data-phx-upload-ref=\\"([\w-]+)\\"/.exec(rendered)?.[1] ?? ''
  const entries = [{ ref: '0', name: 's.bin', size: 10, type: '', last_modified: 0 }]
  const uploads = { [ref]: entries }
  const change = { type: 'form', event: 'validate', value: '', meta: {}, uploads }
  assert.equal((await client.reply(client.send(joinRef, topic, 'event', change))).status, 'ok')
  const preflight = await client.reply(
    client.send(joinRef, topic, 'allow_upload', { ref, entries }),
  )
  const token = (preflight.response.entries as Record<string, string>)['0']
  const started = Date.now()
  const joined = await client.reply(client.send(null, 'lvu:0', 'phx_join', { token }))
  assert.equal(joined.status, 'ok')
  await client.next((f) => f[2] === 'lvu:0' && f[3] === 'phx_close', 3000)
  const waited = Date.now() - started
  assert.ok(waited >= 250 && waited < 2500, `closed after ${waited} ms (chunkTimeout 300 ms)`)
  client.close()
})
