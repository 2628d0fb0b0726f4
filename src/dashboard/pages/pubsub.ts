/** PubSub: the link, broadcasts by scope, their fan-out, and the busiest topics. */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import type { TopicStats } from '../../metrics/index.ts'
import { num } from '../format.ts'
import type { PageSpec } from '../page.ts'

interface PubSubData {
  readonly link: string
  readonly scopes: { scope: string; count: number }[]
  readonly received: number
  readonly fanoutMean: number
  readonly topics: TopicStats[]
}

export const pubsub: PageSpec<PubSubData> = {
  path: 'pubsub',
  title: 'PubSub',
  load({ metrics }) {
    const f = metrics.families
    const p = metrics.pubsub
    const fanout = f.fanout.all[0]
    return {
      link:
        p === undefined
          ? 'no PubSub given to the metrics'
          : `${p.name} on node ${p.node}, adapter ${p.adapterKind}: ${p.connected ? 'up' : 'DOWN'}`,
      scopes: ['cluster', 'local', 'direct'].map((scope) => ({
        scope,
        count: f.broadcasts.get({ scope }),
      })),
      received: f.received.get(),
      fanoutMean: fanout === undefined || fanout.value === 0 ? 0 : (fanout.sum ?? 0) / fanout.value,
      topics: metrics.topics.top(50),
    }
  },
  render: (d) => html`<p id="pubsub-link">${d.link}</p>
<table id="scopes"><thead><tr><th>broadcasts</th><th>since the metrics started</th></tr></thead><tbody>
${each(
  d.scopes,
  (s) => s.scope,
  (s) =>
    html`<tr id=${`scope-${s.scope}`}><td>${s.scope}</td><td class="count">${s.count}</td></tr>`,
)}
<tr id="scope-received"><td>received from other nodes</td><td class="count">${d.received}</td></tr>
</tbody></table>
<p>Mean fan-out (subscribers on this node per broadcast): <span id="fanout">${num(d.fanoutMean)}</span></p>
<h2>Busiest topics</h2>
<table id="pubsub-topics"><thead><tr><th>topic</th><th>broadcasts</th><th>subscribers (last)</th><th>last</th></tr></thead>
<tbody>${each(
    d.topics,
    (t) => t.topic,
    (t) =>
      html`<tr data-topic=${t.topic}><td>${t.topic}</td><td class="count">${t.broadcasts}</td><td>${t.subscribers}</td><td>${new Date(t.last).toISOString().slice(11, 19)}</td></tr>`,
  )}</tbody></table>`,
}
