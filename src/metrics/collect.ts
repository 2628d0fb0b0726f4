/**
 * The gauges read from live state at each scrape (and each history
 * sample): the census of processes, sockets and channels, the transports'
 * frame counters, memory and event loop, the PubSub link, the presences.
 */
import { traffic } from '../socket/traffic.ts'
import type { TransportName } from '../wire/connection.ts'
import type { Census } from './census.ts'
import type { Metrics } from './metrics.ts'
import { presenceCensus } from './presence-census.ts'
import { cinderVersion } from './version.ts'

const TRANSPORTS: readonly TransportName[] = ['websocket', 'longpoll']

/** Sets every gauge read from live state; returns the census it took. */
export function setLiveGauges(metrics: Metrics): Census {
  const f = metrics.families
  const census = metrics.census()
  f.info.set({ cinder: cinderVersion(), nodejs: process.version }, 1)
  f.uptime.set({}, process.uptime())
  f.processes.set({}, census.processes)
  f.liveViews.set({}, census.liveViews)
  for (const transport of TRANSPORTS) {
    const t = traffic[transport]
    f.sockets.set({ transport }, census.sockets[transport])
    f.channels.set({ transport }, census.channels[transport])
    f.messagesIn.set({ transport }, t.framesIn)
    f.messagesOut.set({ transport }, t.framesOut)
    f.bytesIn.set({ transport }, t.bytesIn)
    f.bytesOut.set({ transport }, t.bytesOut)
  }
  setRuntime(metrics)
  setPubSub(metrics)
  setPresences(metrics)
  return census
}

function setRuntime(metrics: Metrics): void {
  const f = metrics.families
  const delay = metrics.runtime.loopDelay
  f.loopDelay.set({ quantile: '0.5' }, delay.p50)
  f.loopDelay.set({ quantile: '0.99' }, delay.p99)
  f.loopDelay.set({ quantile: '1' }, delay.max)
  const memory = process.memoryUsage()
  f.memory.set({ kind: 'rss' }, memory.rss)
  f.memory.set({ kind: 'heap_used' }, memory.heapUsed)
  f.memory.set({ kind: 'heap_total' }, memory.heapTotal)
  f.memory.set({ kind: 'external' }, memory.external)
  f.memory.set({ kind: 'array_buffers' }, memory.arrayBuffers)
}

function setPubSub(metrics: Metrics): void {
  const { pubsub, families: f } = metrics
  if (pubsub === undefined) return
  f.pubsubUp.set({ pubsub: pubsub.name, adapter: pubsub.adapterKind }, pubsub.connected ? 1 : 0)
  f.pubsubRoundTrip.reset()
  for (const peer of metrics.peers) {
    f.pubsubRoundTrip.set({ pubsub: pubsub.name, peer: peer.peer }, peer.roundTrip)
  }
}

function setPresences(metrics: Metrics): void {
  const f = metrics.families
  for (const presence of metrics.presences) {
    const census = presenceCensus(presence)
    if (census === undefined) continue
    f.presences.set({ tracker: census.tracker, scope: 'local' }, census.local)
    f.presences.set({ tracker: census.tracker, scope: 'cluster' }, census.all)
    f.presenceTopics.set({ tracker: census.tracker }, census.topics.size)
  }
}
