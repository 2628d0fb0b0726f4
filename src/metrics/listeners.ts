/**
 * The events metrics count: joins, crashes, restarts, broadcasts and their
 * fan-out, overload closes, request and render times. Subscribing makes
 * the emitters build their payloads, so only events worth a series are
 * listened to (no `handle_in`: frames are counted by the transports).
 */
import {
  channelCrash,
  channelJoin,
  endpointRequest,
  liveHandleEvent,
  liveRender,
  liveSnapshot,
  processCrash,
  processRestart,
  pubsubBroadcast,
  pubsubReceive,
  socketConnect,
  socketOverload,
  subscribePoint,
  subscribeSpan,
  supervisorIntensity,
} from '../telemetry/index.ts'
import type { CinderFamilies } from './families.ts'

/** What the listeners tell besides the families (the dashboard's PubSub traffic by topic). */
export interface TrafficSink {
  broadcast(topic: string, subscribers: number): void
}

/** Subscribes the families to Cinder's events; returns a function that unsubscribes them all. */
export function listen(f: CinderFamilies, sink?: TrafficSink): () => void {
  const offs = [
    subscribePoint(processCrash, () => f.processCrashes.inc()),
    subscribePoint(processRestart, (e) => f.restarts.inc({}, e.children.length)),
    subscribePoint(supervisorIntensity, () => f.intensity.inc()),
    subscribePoint(channelCrash, (e) => f.channelCrashes.inc({ transport: e.transport })),
    subscribePoint(liveSnapshot, (e) => f.liveSnapshots.inc({ outcome: e.outcome })),
    subscribePoint(socketOverload, (e) =>
      f.overload.inc({ transport: e.transport, reason: e.reason }),
    ),
    subscribePoint(pubsubBroadcast, (e) => {
      f.broadcasts.inc({ scope: e.scope })
      f.fanout.observe({}, e.subscribers)
      sink?.broadcast(e.topic, e.subscribers)
    }),
    subscribePoint(pubsubReceive, (e) => {
      f.received.inc()
      f.receivedBytes.inc({}, e.bytes)
      sink?.broadcast(e.topic, e.subscribers)
    }),
    subscribeSpan(channelJoin, {
      stop: (ctx) => {
        const result = ctx.error !== undefined ? 'crash' : (ctx.result ?? 'error')
        f.joins.inc({ transport: ctx.transport, result })
      },
    }),
    subscribeSpan(socketConnect, {
      stop: (ctx) => {
        const result = ctx.error !== undefined ? 'crash' : ctx.result === 'ok' ? 'ok' : 'refused'
        f.connects.inc({ transport: ctx.transport, result })
      },
    }),
    subscribeSpan(endpointRequest, {
      stop: (ctx) => {
        const status = ctx.status === undefined ? 'none' : `${Math.floor(ctx.status / 100)}xx`
        f.requests.observe({ method: ctx.method, status }, seconds(ctx.duration))
      },
    }),
    subscribeSpan(liveRender, {
      stop: (ctx) => {
        f.renderTime.observe({ view: ctx.view }, seconds(ctx.duration))
        if (ctx.diffBytes !== undefined) f.diffSize.observe({ view: ctx.view }, ctx.diffBytes)
      },
    }),
    subscribeSpan(liveHandleEvent, {
      stop: (ctx) => f.eventTime.observe({ view: ctx.view }, seconds(ctx.duration)),
    }),
  ]
  return () => {
    for (const off of offs) off()
  }
}

function seconds(ms: number | undefined): number {
  return (ms ?? 0) / 1000
}
