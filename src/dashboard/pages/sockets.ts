/** Sockets: connections and channels by transport, the traffic, and the channels by topic. */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import type { TopicCount } from '../../metrics/index.ts'
import { type TransportTraffic, traffic } from '../../socket/traffic.ts'
import { bytes } from '../format.ts'
import type { PageSpec } from '../page.ts'

const SHOWN = 100
const TRANSPORTS = ['websocket', 'longpoll'] as const

interface Row {
  readonly transport: string
  readonly sockets: number
  readonly channels: number
  readonly traffic: TransportTraffic
}

interface SocketsData {
  readonly rows: Row[]
  readonly liveViews: number
  readonly topics: TopicCount[]
  readonly topicCount: number
}

export const sockets: PageSpec<SocketsData> = {
  path: 'sockets',
  title: 'Sockets',
  load({ metrics }) {
    const census = metrics.census({ topics: true })
    const topics = [...(census.topics?.values() ?? [])].sort((a, b) => b.count - a.count)
    return {
      rows: TRANSPORTS.map((transport) => ({
        transport,
        sockets: census.sockets[transport],
        channels: census.channels[transport],
        traffic: { ...traffic[transport] },
      })),
      liveViews: census.liveViews,
      topics: topics.slice(0, SHOWN),
      topicCount: topics.length,
    }
  },
  render: (
    d,
  ) => html`<table id="transports"><thead><tr><th>transport</th><th>sockets</th><th>channels</th>
  <th>messages in</th><th>messages out</th><th>bytes in</th><th>bytes out</th></tr></thead>
<tbody>${each(
    d.rows,
    (r) => r.transport,
    (r) =>
      html`<tr id=${`transport-${r.transport}`}><td>${r.transport}</td><td class="sockets">${r.sockets}</td><td class="channels">${r.channels}</td><td class="in">${r.traffic.framesIn}</td><td class="out">${r.traffic.framesOut}</td><td>${bytes(r.traffic.bytesIn)}</td><td>${bytes(r.traffic.bytesOut)}</td></tr>`,
  )}</tbody></table>
<p>Connected LiveViews: <span id="live-view-count">${d.liveViews}</span>. Topics joined: <span id="topic-count">${d.topicCount}</span>.</p>
<table id="topics"><thead><tr><th>topic</th><th>channel</th><th>joined</th></tr></thead>
<tbody>${each(
    d.topics,
    (t) => t.topic,
    (t) =>
      html`<tr data-topic=${t.topic}><td>${t.topic}</td><td>${t.channel}</td><td class="count">${t.count}</td></tr>`,
  )}</tbody></table>`,
}
