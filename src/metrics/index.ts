// Public API of metrics/: Prometheus metrics of a node (docs/observability.md).

export { type Census, type TopicCount, takeCensus } from './census.ts'
export { EXPOSITION_CONTENT_TYPE } from './exposition.ts'
export type { CinderFamilies } from './families.ts'
export { HISTORY_SERIES, History, type HistorySeries, type HistorySnapshot } from './history.ts'
export type { PeerLag } from './lag-probe.ts'
export { createMetrics, Metrics, type MetricsOptions } from './metrics.ts'
export { type PresenceCensus, type PresenceTopic, presenceCensus } from './presence-census.ts'
export {
  Counter,
  Family,
  type FamilyOptions,
  Gauge,
  Histogram,
  type HistogramOptions,
  type Labels,
  MetricRegistry,
  type MetricType,
} from './registry.ts'
export type { LoopDelay } from './runtime-stats.ts'
export type { TopicStats } from './topic-traffic.ts'
export { cinderVersion } from './version.ts'
