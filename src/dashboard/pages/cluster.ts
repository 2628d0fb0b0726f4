/**
 * Cluster: the nodes up (from the cluster's membership, when the dashboard
 * was given one), the PubSub link and the round trip to each peer, and the
 * latest node events (up, down and why).
 */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import type { DashboardContext, NodeEventRow, PageSpec } from '../page.ts'

interface NodeRow {
  readonly node: string
  readonly self: boolean
  readonly incarnation: string
  readonly roundTrip: string
}

interface ClusterData {
  readonly nodes: NodeRow[]
  readonly link: string
  readonly events: readonly NodeEventRow[]
}

export const cluster: PageSpec<ClusterData> = {
  path: 'cluster',
  title: 'Cluster',
  load: (ctx) => ({
    nodes: nodesOf(ctx),
    link: linkOf(ctx),
    events: [...ctx.nodeEvents].reverse(),
  }),
  render: (d) => html`<p id="link">${d.link}</p>
<table id="nodes"><thead><tr><th>node</th><th>incarnation</th><th>PubSub round trip</th></tr></thead>
<tbody>${each(
    d.nodes,
    (n) => n.node,
    (n) =>
      html`<tr class=${n.self ? 'self' : ''}><td>${n.node}${n.self ? ' (this node)' : ''}</td><td>${n.incarnation}</td><td>${n.roundTrip}</td></tr>`,
  )}</tbody></table>
<h2>Node events</h2>
<table id="node-events"><tbody>${each(
    d.events,
    (e) =>
      html`<tr><td>${new Date(e.at).toISOString().slice(11, 19)}</td><td>${e.type}</td><td>${e.node}</td><td>${e.reason}</td></tr>`,
  )}</tbody></table>`,
}

function nodesOf({ metrics, cluster }: DashboardContext): NodeRow[] {
  const peers = new Map(metrics.peers.map((p) => [p.peer, p.roundTrip]))
  const names = cluster?.running === true ? cluster.listNodes() : [metrics.node, ...peers.keys()]
  return [...new Set(names)].sort().map((node) => {
    const trip = peers.get(node)
    return {
      node,
      self: node === metrics.node,
      incarnation: cluster?.running === true ? (cluster.incarnationOf(node) ?? '') : '',
      roundTrip:
        node === metrics.node
          ? '—'
          : trip === undefined
            ? 'no answer yet'
            : `${(trip * 1000).toFixed(1)} ms`,
    }
  })
}

function linkOf({ metrics, cluster }: DashboardContext): string {
  const pubsub = metrics.pubsub
  const link =
    pubsub === undefined
      ? 'no PubSub given to the metrics'
      : `PubSub ${pubsub.name} over ${pubsub.adapterKind}: ${pubsub.connected ? 'link up' : 'link DOWN'}`
  return cluster === undefined ? `${link}; no cluster membership given` : link
}
