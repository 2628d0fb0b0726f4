/**
 * A node's metrics: Cinder's families in a Prometheus registry, the event
 * subscriptions that count, the collectors that read live state at scrape
 * time, and a sampler that keeps the last minutes for the dashboard.
 *
 *     const metrics = createMetrics({ pubsub, presences: [presence] })
 *     router.get('/metrics', metrics.action)          // or plugs: [metrics.plug]
 *     startSupervisor([pubsub, presence, metrics, endpoint].map((p) => p.childSpec()))
 *
 * Counting starts when the metrics start (their child of the tree, or
 * `start()`): subscribing to Cinder's events is what makes their emitters
 * build payloads, so a node without metrics pays nothing for them.
 */
import { CinderError, describe } from '../errors.ts'
import type { Conn } from '../http/conn.ts'
import type { Presence } from '../presence/index.ts'
import { type Behaviour, type ChildSpec, nodeName, spawn } from '../process/index.ts'
import type { PubSub } from '../pubsub/index.ts'
import { type Census, takeCensus } from './census.ts'
import { setLiveGauges } from './collect.ts'
import { EXPOSITION_CONTENT_TYPE } from './exposition.ts'
import { type CinderFamilies, cinderFamilies } from './families.ts'
import { History } from './history.ts'
import { LagProbe } from './lag-probe.ts'
import { listen } from './listeners.ts'
import { MetricRegistry } from './registry.ts'
import { RuntimeStats } from './runtime-stats.ts'
import { Sampler } from './sampler.ts'
import { TopicTraffic } from './topic-traffic.ts'

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** The node's PubSub: its link health, and the round trips to the other nodes. */
  readonly pubsub?: PubSub
  /** Presences to count by topic. */
  readonly presences?: readonly Presence[]
  /** The `node` label of every sample. Default: the PubSub's node, else the runtime's name. */
  readonly node?: string
  /** Where `metrics.plug` answers. Default `/metrics`. */
  readonly path?: string
  /** Ms between two history samples. Default 1000. */
  readonly sampleInterval?: number
  /** Samples kept for the dashboard's charts. Default 300 (5 minutes at 1 s). */
  readonly historyLength?: number
  /** Ms between two PubSub round-trip probes. Default 5000. */
  readonly probeInterval?: number
}

/** Builds the metrics of a node (nothing counts until they start). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  return new Metrics(options)
}

export class Metrics {
  readonly node: string
  readonly path: string
  readonly registry: MetricRegistry
  readonly families: CinderFamilies
  readonly history: History
  /** Broadcasts by topic, for the dashboard (the busiest topics). */
  readonly topics = new TopicTraffic(500)
  readonly pubsub: PubSub | undefined
  readonly presences: readonly Presence[]
  readonly runtime = new RuntimeStats()
  readonly #options: MetricsOptions
  readonly #probe: LagProbe | undefined
  readonly #sampler: Sampler
  #unlisten: (() => void) | undefined

  constructor(options: MetricsOptions) {
    checkOptions(options)
    this.#options = options
    this.pubsub = options.pubsub
    this.presences = options.presences ?? []
    this.node = options.node ?? options.pubsub?.node ?? nodeName()
    this.path = options.path ?? '/metrics'
    this.registry = new MetricRegistry({ node: this.node })
    this.families = cinderFamilies(this.registry)
    this.history = new History(options.historyLength ?? 300)
    this.#probe =
      options.pubsub === undefined
        ? undefined
        : new LagProbe(options.pubsub, options.probeInterval ?? 5000)
    this.#sampler = new Sampler(this, options.sampleInterval ?? 1000, () => this.#probe?.ping())
  }

  /** True between `start` and `stop`. */
  get running(): boolean {
    return this.#unlisten !== undefined
  }

  /** Subscribes to the events and starts the sampler and the probe. Idempotent. */
  start(): void {
    if (this.#unlisten !== undefined) return
    this.#unlisten = listen(this.families, this.topics)
    this.runtime.start()
    if (this.pubsub?.state === 'running') this.#probe?.start()
    this.#sampler.start(this.#options.probeInterval ?? 5000)
  }

  stop(): void {
    this.#unlisten?.()
    this.#unlisten = undefined
    this.runtime.stop()
    this.#probe?.stop()
    this.#sampler.stop()
  }

  /** The last round trips to the other nodes through the PubSub adapter. */
  get peers() {
    return this.#probe?.peers ?? []
  }

  /** Counts sockets, channels and processes now (`topics: true` adds channels by topic). */
  census(options: { topics?: boolean } = {}): Census {
    return takeCensus(options)
  }

  /** Reads the live state into the gauges, then writes every family (a `/metrics` body). */
  expose(): string {
    setLiveGauges(this)
    return this.registry.expose()
  }

  /** An action for `router.get(path, metrics.action)`: the exposition, never cached. */
  readonly action = (conn: Conn): Conn =>
    conn
      .putRespHeader('content-type', EXPOSITION_CONTENT_TYPE)
      .putRespHeader('cache-control', 'no-store')
      .sendResp(200, this.expose())

  /** A plug answering `GET <path>` (and HEAD) with the exposition; other requests pass. */
  readonly plug = Object.assign(
    (conn: Conn): Conn => {
      if (conn.requestPath !== this.path) return conn
      if (conn.method !== 'GET' && conn.method !== 'HEAD') return conn
      return this.action(conn).halt()
    },
    { plugName: 'metrics' },
  )

  /** Runs the metrics in a supervision tree: started with it, stopped with it. */
  childSpec(id = 'metrics'): ChildSpec {
    return {
      id,
      start: () => spawn({ ...holder, name: `metrics ${this.node}` }, this, { link: true }),
    }
  }
}

const holder: Behaviour<Metrics, Metrics> = {
  init(metrics) {
    metrics.start()
    return metrics
  },
  terminate(_reason, metrics) {
    metrics.stop()
  },
}

function checkOptions(options: MetricsOptions): void {
  const {
    sampleInterval = 1000,
    historyLength = 300,
    probeInterval = 5000,
    path = '/metrics',
  } = options
  const fine =
    Number.isInteger(sampleInterval) &&
    sampleInterval >= 10 &&
    Number.isInteger(historyLength) &&
    historyLength >= 2 &&
    Number.isInteger(probeInterval) &&
    probeInterval >= 10 &&
    typeof path === 'string' &&
    path.startsWith('/')
  if (!fine) {
    throw new CinderError(
      'CINDER_ERR_METRICS_OPTIONS',
      `createMetrics expects integer sampleInterval and probeInterval (ms, >= 10), historyLength (>= 2) and a path starting with /; got ${describe({ sampleInterval, historyLength, probeInterval, path })}`,
    )
  }
}
