/** Home: the node, its versions, uptime, memory, event loop, and what it runs. */
import { html } from '../../live/html.ts'
import { cinderVersion } from '../../metrics/index.ts'
import { bytes, duration, ms } from '../format.ts'
import type { PageSpec } from '../page.ts'

interface Home {
  readonly uptime: number
  readonly memory: NodeJS.MemoryUsage
  readonly loop: { p50: number; p99: number; max: number }
  readonly processes: number
  readonly sockets: number
  readonly channels: number
  readonly liveViews: number
  readonly pubsub: string
}

export const home: PageSpec<Home> = {
  path: '',
  title: 'Home',
  load({ metrics }) {
    const census = metrics.census()
    const pubsub = metrics.pubsub
    return {
      uptime: process.uptime(),
      memory: process.memoryUsage(),
      loop: metrics.runtime.loopDelay,
      processes: census.processes,
      sockets: census.sockets.websocket + census.sockets.longpoll,
      channels: census.channels.websocket + census.channels.longpoll,
      liveViews: census.liveViews,
      pubsub:
        pubsub === undefined
          ? 'not given'
          : `${pubsub.name} (${pubsub.adapterKind}, ${pubsub.connected ? 'up' : 'down'})`,
    }
  },
  render: (d, _ui, { metrics }) => html`<section class="cards">
  <div class="card"><h2>Node</h2><dl>
    <dt>name</dt><dd id="node-name">${metrics.node}</dd>
    <dt>uptime</dt><dd id="uptime">${duration(d.uptime)}</dd>
    <dt>Cinder</dt><dd id="cinder-version">${cinderVersion()}</dd>
    <dt>Node.js</dt><dd id="node-version">${process.version}</dd>
    <dt>V8</dt><dd>${process.versions.v8}</dd>
    <dt>system</dt><dd>${process.platform} ${process.arch}, pid ${process.pid}</dd>
  </dl></div>
  <div class="card"><h2>Memory</h2><dl>
    <dt>resident</dt><dd id="rss">${bytes(d.memory.rss)}</dd>
    <dt>heap used</dt><dd id="heap-used">${bytes(d.memory.heapUsed)}</dd>
    <dt>heap total</dt><dd>${bytes(d.memory.heapTotal)}</dd>
    <dt>external</dt><dd>${bytes(d.memory.external)}</dd>
  </dl></div>
  <div class="card"><h2>Event loop delay</h2><dl>
    <dt>p50</dt><dd id="loop-p50">${ms(d.loop.p50)}</dd>
    <dt>p99</dt><dd id="loop-p99">${ms(d.loop.p99)}</dd>
    <dt>max</dt><dd>${ms(d.loop.max)}</dd>
  </dl></div>
  <div class="card"><h2>Runs</h2><dl>
    <dt>processes</dt><dd id="processes">${d.processes}</dd>
    <dt>sockets</dt><dd id="sockets">${d.sockets}</dd>
    <dt>channels</dt><dd id="channels">${d.channels}</dd>
    <dt>LiveViews</dt><dd id="live-views">${d.liveViews}</dd>
    <dt>PubSub</dt><dd id="pubsub">${d.pubsub}</dd>
  </dl></div>
</section>`,
}
