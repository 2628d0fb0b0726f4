/**
 * `/lv/async?delay=MS`: background work (`assignAsync`, `startAsync`).
 *
 * - `#org` loads for `delay` ms (default 200) after mount: `Loading…`, then
 *   `Org: Acme (load N)`; `#reload` loads again (keeping the old name while
 *   it loads), `#fail` loads with a task that throws (`Failed: boom`, the old
 *   name kept in `#org-last`), `#cancel` cancels the running load.
 * - `#start` runs `startAsync('job')` for `delay` ms; `handleAsync` writes
 *   `done: N` in `#job` (or `failed: …`); `#start-fail` runs a job that throws.
 * - `#count` / `#inc`: events are handled while the tasks run.
 */
import { type AsyncResult, html, type LiveView } from '../../../src/extend.ts'

type Org = { name: string; load: number }
type Assigns = {
  org: AsyncResult<Org>
  job: string
  count: number
  loads: number
  delay: number
  pageTitle: string
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(new Error('aborted'))
    })
  })

function load(socket: Parameters<NonNullable<LiveView<Assigns>['mount']>>[2], fail = false) {
  const { delay } = socket.assigns
  const n = socket.assigns.loads + 1
  socket.assign({ loads: n })
  socket.assignAsync('org', async (signal) => {
    await sleep(delay, signal)
    if (fail) throw new Error('boom')
    return { name: 'Acme', load: n }
  })
}

export const AsyncLive: LiveView<Assigns> = {
  name: 'AsyncLive',
  mount(params, _session, socket) {
    const delay = Number(params.delay ?? 200)
    socket.assign({ job: 'idle', count: 0, loads: 0, delay, pageTitle: 'Async' })
    load(socket)
  },
  handleEvent(event, _value, socket) {
    switch (event) {
      case 'inc':
        socket.update('count', (n) => n + 1)
        return
      case 'reload':
        return load(socket)
      case 'fail':
        return load(socket, true)
      case 'cancel':
        socket.cancelAsync('org', 'cancelled by the user')
        return
      case 'start':
      case 'start-fail': {
        const { delay, count } = socket.assigns
        socket.assign({ job: 'running' })
        socket.startAsync('job', async (signal) => {
          await sleep(delay, signal)
          if (event === 'start-fail') throw new Error('job failed')
          return count
        })
        return
      }
      default:
        throw new Error(`AsyncLive has no event ${event}`)
    }
  },
  handleAsync(name, outcome, socket) {
    if (name !== 'job') return
    socket.assign({
      job: outcome.ok ? `done: ${outcome.value}` : `failed: ${(outcome.reason as Error).message}`,
    })
  },
  render: ({ org, job, count }) => html`<div id="async">
  <p id="org">${org.match({
    loading: () => 'Loading…',
    failed: (reason) => `Failed: ${reason instanceof Error ? reason.message : String(reason)}`,
    ok: (o) => `Org: ${o.name} (load ${o.load})`,
  })}</p>
  <p id="org-last">${org.result?.name ?? ''}</p>
  <button id="reload" phx-click="reload">reload</button>
  <button id="fail" phx-click="fail">fail</button>
  <button id="cancel" phx-click="cancel">cancel</button>
  <p id="job">${job}</p>
  <button id="start" phx-click="start">start</button>
  <button id="start-fail" phx-click="start-fail">start failing</button>
  <span id="count">${count}</span>
  <button id="inc" phx-click="inc">+</button>
</div>`,
}
