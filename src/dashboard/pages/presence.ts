/** Presence: for each Presence given to the metrics, its presences by topic. */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import { type PresenceTopic, presenceCensus } from '../../metrics/index.ts'
import type { PageSpec } from '../page.ts'

const SHOWN = 100

interface TrackerRow {
  readonly tracker: string
  readonly all: number
  readonly local: number
  readonly topics: PresenceTopic[]
}

export const presence: PageSpec<TrackerRow[]> = {
  path: 'presence',
  title: 'Presence',
  load: ({ metrics }) =>
    metrics.presences.flatMap((p) => {
      const census = presenceCensus(p)
      if (census === undefined) return []
      const topics = [...census.topics.values()].sort((a, b) => b.all - a.all).slice(0, SHOWN)
      return [{ tracker: census.tracker, all: census.all, local: census.local, topics }]
    }),
  render: (trackers) =>
    trackers.length === 0
      ? html`<p>No running Presence was given to the metrics (<code>createMetrics({ presences })</code>).</p>`
      : html`${each(
          trackers,
          (t) => t.tracker,
          (t) => html`<section class="tracker" data-tracker=${t.tracker}>
  <h2>${t.tracker}: <span class="all">${t.all}</span> presences, <span class="local">${t.local}</span> tracked on this node</h2>
  <table><thead><tr><th>topic</th><th>presences</th><th>keys</th><th>on this node</th></tr></thead>
  <tbody>${each(
    t.topics,
    (row) => row.topic,
    (row) =>
      html`<tr data-topic=${row.topic}><td>${row.topic}</td><td class="count">${row.all}</td><td class="keys">${row.keys.size}</td><td>${row.local}</td></tr>`,
  )}</tbody></table></section>`,
        )}`,
}
