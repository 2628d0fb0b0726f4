/**
 * Cinder's metric families: their names, help texts, labels and buckets.
 * docs/observability.md lists each with its meaning. Every sample also
 * carries `node` (the registry's constant label), so the series of a
 * cluster's nodes add up with `sum by (…)`.
 */
import { Counter, Gauge, Histogram, type MetricRegistry } from './registry.ts'

/** Seconds: 0.5 ms to 10 s. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
]
/** Bytes: 16 B to 1 MiB. */
const SIZE_BUCKETS = [16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576]
/** Subscribers reached by one broadcast. */
const FANOUT_BUCKETS = [0, 1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000]

function counter(registry: MetricRegistry, name: string, help: string, labels: string[] = []) {
  return registry.add(new Counter({ name, help, labels }))
}

function gauge(registry: MetricRegistry, name: string, help: string, labels: string[] = []) {
  return registry.add(new Gauge({ name, help, labels }))
}

function histogram(
  registry: MetricRegistry,
  name: string,
  help: string,
  labels: string[],
  buckets: number[],
) {
  return registry.add(new Histogram({ name, help, labels, buckets }))
}

/** The node: versions, processes, supervision, event loop, memory. */
function runtimeFamilies(r: MetricRegistry) {
  return {
    info: gauge(r, 'cinder_node_info', 'Always 1; the versions in labels', ['cinder', 'nodejs']),
    uptime: gauge(r, 'cinder_uptime_seconds', 'Seconds since the Node process started'),
    processes: gauge(r, 'cinder_processes', 'Live Cinder processes on this node'),
    processCrashes: counter(r, 'cinder_process_crashes_total', 'Processes that crashed'),
    restarts: counter(r, 'cinder_process_restarts_total', 'Children restarted by supervisors'),
    intensity: counter(
      r,
      'cinder_supervisor_intensity_exceeded_total',
      'Supervisors that passed their restart intensity and gave up',
    ),
    loopDelay: gauge(
      r,
      'cinder_event_loop_delay_seconds',
      'Event loop delay over the last window (quantile 0.5, 0.99, or 1 for the max)',
      ['quantile'],
    ),
    memory: gauge(
      r,
      'cinder_memory_bytes',
      'Memory of the Node process by kind (process.memoryUsage)',
      ['kind'],
    ),
  }
}

/** Sockets and channels: counts, joins, traffic, limits. */
function socketFamilies(r: MetricRegistry) {
  return {
    sockets: gauge(r, 'cinder_sockets', 'Open socket connections', ['transport']),
    channels: gauge(r, 'cinder_channels', 'Joined channels (LiveViews included)', ['transport']),
    liveViews: gauge(r, 'cinder_live_views', 'Connected LiveViews (joined lv:* channels)'),
    liveSnapshots: counter(
      r,
      'cinder_live_snapshots_total',
      'LiveView snapshots (persist/restore) by outcome',
      ['outcome'],
    ),
    joins: counter(r, 'cinder_channel_joins_total', 'Channel joins by outcome', [
      'transport',
      'result',
    ]),
    channelCrashes: counter(r, 'cinder_channel_crashes_total', 'Channel processes that crashed', [
      'transport',
    ]),
    messagesIn: counter(r, 'cinder_messages_in_total', 'Frames received from clients', [
      'transport',
    ]),
    messagesOut: counter(r, 'cinder_messages_out_total', 'Frames sent to clients', ['transport']),
    bytesIn: counter(r, 'cinder_bytes_in_total', 'Payload bytes received from clients', [
      'transport',
    ]),
    bytesOut: counter(r, 'cinder_bytes_out_total', 'Payload bytes sent to clients', ['transport']),
    overload: counter(
      r,
      'cinder_overload_closes_total',
      'Connections closed or refused by a limit',
      ['transport', 'reason'],
    ),
    connects: counter(r, 'cinder_socket_connects_total', 'Socket connect callbacks by result', [
      'transport',
      'result',
    ]),
  }
}

/** PubSub and Presence: broadcasts, fan-out, the link, presences. */
function pubsubFamilies(r: MetricRegistry) {
  return {
    broadcasts: counter(r, 'cinder_broadcasts_total', 'Broadcasts made on this node', ['scope']),
    fanout: histogram(
      r,
      'cinder_broadcast_fanout',
      'Subscribers on this node reached by one broadcast',
      [],
      FANOUT_BUCKETS,
    ),
    received: counter(r, 'cinder_pubsub_received_total', 'Broadcasts received from other nodes'),
    receivedBytes: counter(
      r,
      'cinder_pubsub_received_bytes_total',
      'Bytes of broadcasts received from other nodes',
    ),
    pubsubUp: gauge(r, 'cinder_pubsub_up', '1 while the PubSub link to the other nodes is up', [
      'pubsub',
      'adapter',
    ]),
    pubsubRoundTrip: gauge(
      r,
      'cinder_pubsub_round_trip_seconds',
      'Last broadcast round trip to a peer node through the adapter',
      ['pubsub', 'peer'],
    ),
    presences: gauge(
      r,
      'cinder_presences',
      'Tracked presences: scope "local" (tracked on this node) or "cluster" (every node up)',
      ['tracker', 'scope'],
    ),
    presenceTopics: gauge(r, 'cinder_presence_topics', 'Topics with at least one presence', [
      'tracker',
    ]),
  }
}

/** Durations and sizes: HTTP requests, LiveView renders, diffs, events. */
function timingFamilies(r: MetricRegistry) {
  return {
    requests: histogram(
      r,
      'cinder_http_request_duration_seconds',
      'HTTP requests through the endpoint, by method and status class',
      ['method', 'status'],
      DURATION_BUCKETS,
    ),
    renderTime: histogram(
      r,
      'cinder_live_render_duration_seconds',
      'Connected LiveView renders, by view',
      ['view'],
      DURATION_BUCKETS,
    ),
    diffSize: histogram(
      r,
      'cinder_live_diff_bytes',
      'Size of LiveView diffs as JSON, by view',
      ['view'],
      SIZE_BUCKETS,
    ),
    eventTime: histogram(
      r,
      'cinder_live_event_duration_seconds',
      'LiveView handleEvent calls, by view',
      ['view'],
      DURATION_BUCKETS,
    ),
  }
}

/** Builds the families in `registry`; collectors set the gauges at scrape time. */
export function cinderFamilies(r: MetricRegistry) {
  return { ...runtimeFamilies(r), ...socketFamilies(r), ...pubsubFamilies(r), ...timingFamilies(r) }
}

export type CinderFamilies = ReturnType<typeof cinderFamilies>
