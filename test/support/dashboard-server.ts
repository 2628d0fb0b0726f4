/**
 * A node with everything the dashboard shows, for its tests: a PubSub,
 * Presence, metrics, a supervisor with a worker that crashes on demand,
 * the `/socket` socket (channel `room:*`: `params.user` tracks a presence,
 * `shout` broadcasts), the `/live` socket, `/login` (puts `admin` in the
 * session) and the dashboard at `/dashboard`, guarded by `onMount` when
 * `guarded` (admins only).
 */
import {
  broadcast,
  channel,
  childSpec,
  createEndpoint,
  createLive,
  createMetrics,
  createPresence,
  createPubSub,
  defineSocket,
  fetchSession,
  liveDashboard,
  type Metrics,
  ok,
  type Pid,
  type PubSub,
  protectFromForgery,
  putSession,
  Router,
  redirect,
  reply,
  type SessionOptions,
  send,
  startSupervisor,
  stopProcess,
  supervisorSpec,
  whereis,
} from '../../src/extend.ts'

const SECRET = 'dashboard-test-secret-key-base-0123456789-0123456789-0123456789-abc'

export interface DashboardServer {
  readonly url: string
  readonly port: number
  readonly metrics: Metrics
  readonly pubsub: PubSub
  /** Makes the supervised worker crash (its supervisor restarts it). */
  crash(): void
  stop(): Promise<void>
}

/** A worker that crashes on `'crash'`; registered as `crasher`. */
const crasher = {
  name: 'crasher',
  init: () => 0,
  handleInfo(message: unknown): never {
    throw new Error(`crasher asked to crash (${String(message)})`)
  },
}

export async function startDashboardServer(
  options: { guarded?: boolean } = {},
): Promise<DashboardServer> {
  const pubsub = createPubSub({ name: 'dashboard-test', node: 'dash-node' })
  const presence = createPresence({ pubsub, name: 'dash-presence' })
  const metrics = createMetrics({ pubsub, presences: [presence], sampleInterval: 200 })
  const session: SessionOptions = {
    key: '_dash',
    secretKeyBase: SECRET,
    signingSalt: 'dash-session',
  }
  const live = createLive({ secretKeyBase: SECRET, signingSalt: 'dash-live-salt', session })
  const router = new Router({ name: 'DashboardTest' })
    .pipeline('browser', [fetchSession, protectFromForgery(), live.plug])
    .scope('/', { pipeThrough: ['browser'] }, (r) => {
      r.get('/login', (conn) => redirect(putSession(conn, 'admin', true), '/dashboard'))
      r.get('/', (conn) => conn.putRespContentType('text/plain').sendResp(200, 'home'))
      liveDashboard(r, '/dashboard', {
        metrics,
        refresh: 250,
        ...(options.guarded === true ? { onMount: (s) => s.admin === true, production: true } : {}),
      })
    })
  const Sockets = defineSocket({
    channels: [
      channel('room:*', {
        name: 'Room',
        join(_topic, params, socket) {
          if (typeof params.user === 'string') presence.track(socket, params.user, { at: 1 })
          return ok(socket)
        },
        handleIn(_event, payload, socket) {
          broadcast(socket, 'shouted', payload)
          return reply('ok', socket)
        },
      }),
    ],
  })
  const endpoint = createEndpoint({
    port: 0,
    pubsub,
    router,
    secretKeyBase: SECRET,
    session,
    requestLog: false,
    sockets: [
      { path: '/socket', socket: Sockets, websocket: { checkOrigin: false } },
      { path: '/live', socket: live.socket(router), websocket: { checkOrigin: false } },
    ],
  })
  const workers = supervisorSpec(
    'workers',
    [childSpec('crasher', { ...crasher }, null, { name: 'crasher' })],
    {
      maxRestarts: 1000,
      maxSeconds: 1,
    },
  )
  const root: Pid = await startSupervisor(
    [pubsub.childSpec(), presence.childSpec(), metrics.childSpec(), workers, endpoint.childSpec()],
    { strategy: 'rest_for_one' },
  )
  return {
    url: `http://127.0.0.1:${endpoint.port}`,
    port: endpoint.port,
    metrics,
    pubsub,
    crash() {
      const pid = whereis('crasher')
      if (pid !== undefined) send(pid, 'crash')
    },
    stop: () => stopProcess(root, 'shutdown').catch(() => {}),
  }
}
