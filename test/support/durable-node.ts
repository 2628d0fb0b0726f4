/**
 * One node of a LiveView application whose view persists its state (issue 19): `/durable`,
 * a counter (`#count`, `#inc`) and a half-filled form (`#note-form`, `phx-change="edit"`),
 * and `#node` saying which node rendered it. Nodes started with the same store share the
 * snapshots, as nodes of a cluster share Redis.
 */
import {
  type ClusterStore,
  createEndpoint,
  createHandler,
  createLive,
  type Endpoint,
  fetchFlash,
  fetchSession,
  html,
  type LiveSnapshotOptions,
  type LiveView,
  type Logger,
  liveSession,
  parsers,
  pipeline,
  protectFromForgery,
  Router,
  type SessionOptions,
  session,
} from '../../src/extend.ts'
import { serveClient } from './live-fixtures/index.ts'

const SECRET_KEY_BASE = 'cinder-durable-node-secret-key-base-0123456789-abcdefghijklmnopqrstuv'

const sessionOptions: SessionOptions = {
  key: '_cinder_durable',
  secretKeyBase: SECRET_KEY_BASE,
  signingSalt: 'durable-session',
}

type Assigns = { count: number; title: string; body: string; node: string; mounts: number }
type Saved = { count: number; title: string; body: string }

export interface DurableNodeOptions {
  /** What `#node` shows. */
  readonly node: string
  readonly port?: number
  readonly store?: ClusterStore
  readonly snapshots?: Omit<LiveSnapshotOptions, 'store'>
  readonly persistVersion?: number
  /** Leave out persist / restore (the control: nothing survives). */
  readonly durable?: boolean
  readonly logger?: Logger
}

export function durableLive(options: DurableNodeOptions): LiveView<Assigns, Saved> {
  const view: LiveView<Assigns, Saved> = {
    name: 'DurableLive',
    mount(_params, _session, socket) {
      socket.assign({ count: 0, title: '', body: '', node: options.node, mounts: 0 })
      if (socket.connected) socket.update('mounts', (n) => n + 1)
    },
    handleEvent(event, value, socket) {
      if (event === 'inc') socket.update('count', (n) => n + 1)
      if (event === 'crash') throw new Error('crash requested (durable fixture)')
      if (event === 'edit') {
        const note = (value.note ?? {}) as { title?: unknown; body?: unknown }
        socket.assign({ title: String(note.title ?? ''), body: String(note.body ?? '') })
      }
    },
    render: ({ count, title, body, node, mounts }) => html`<div id="durable">
  <p>Count: <span id="count">${count}</span> on <span id="node">${node}</span>,
    mounted <span id="mounts">${mounts}</span></p>
  <button id="inc" phx-click="inc">+</button>
  <button id="crash" phx-click="crash">crash</button>
  <form id="note-form" phx-change="edit">
    <input type="text" id="note_title" name="note[title]" value=${title}>
    <textarea id="note_body" name="note[body]">${body}</textarea>
  </form>
  <p id="echo">${title}|${body}</p>
</div>`,
  }
  if (options.durable === false) return view
  return {
    ...view,
    persistVersion: options.persistVersion ?? 1,
    persist: ({ count, title, body }) => ({ count, title, body }),
    restore(saved, socket) {
      socket.assign(saved)
    },
  }
}

/** Starts one node on `port` (0: any free port). */
export async function startDurableNode(options: DurableNodeOptions): Promise<Endpoint> {
  const live = createLive({
    secretKeyBase: SECRET_KEY_BASE,
    signingSalt: 'durable-live',
    session: sessionOptions,
    title: 'Durable',
    snapshots: {
      ...options.snapshots,
      ...(options.store === undefined ? {} : { store: options.store }),
    },
  })
  const DurableLive = durableLive(options)
  const router = new Router({ name: 'DurableNode' })
    .pipeline('browser', [fetchSession, fetchFlash, protectFromForgery(), live.plug])
    .get('/assets/app.js', serveClient)
    .scope('/', { pipeThrough: ['browser'] }, (r) => {
      liveSession(r, 'durable', (route) => route('/durable', DurableLive))
    })
  const endpoint = createEndpoint({
    port: options.port ?? 0,
    host: '127.0.0.1',
    handler: createHandler(pipeline([parsers(), session(sessionOptions), router.plug])),
    secretKeyBase: SECRET_KEY_BASE,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    sockets: [{ path: '/live', socket: live.socket(router), websocket: { checkOrigin: false } }],
    drainer: { batchInterval: 10 },
  })
  await endpoint.start()
  return endpoint
}
