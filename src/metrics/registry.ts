/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * written in the text exposition format (version 0.0.4) that every
 * Prometheus server and agent scrapes.
 *
 * Why not prom-client: Cinder needs four things from it (three metric types
 * and the text format) and none of its global default registry, cluster
 * aggregator or default collectors (Cinder's own collectors read its
 * runtime). This file is that subset, with no dependency; a test parses its
 * output with the official Python client's parser.
 *
 * A family may have a `collect` callback, run at each scrape to set gauges
 * from live state (processes, sockets) instead of tracking every change.
 */
import { CinderError, describe } from '../errors.ts'
import { formatFamily } from './exposition.ts'

export type MetricType = 'counter' | 'gauge' | 'histogram'
export type Labels = Readonly<Record<string, string>>

/** One family's definition. */
export interface FamilyOptions {
  readonly name: string
  readonly help: string
  /** Label names every sample of the family carries (besides the registry's own). */
  readonly labels?: readonly string[]
  /** Run at each scrape, before the family is written. */
  readonly collect?: () => void
}

/** One labelled series' value (a histogram's buckets, sum and count). */
export interface Series {
  readonly labels: Labels
  value: number
  buckets?: number[]
  sum?: number
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** What every metric type shares: its series by label values. */
export abstract class Family {
  abstract readonly type: MetricType
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
  readonly collect: (() => void) | undefined
  readonly #series = new Map<string, Series>()

  constructor(options: FamilyOptions) {
    const { name, help, labels = [] } = options
    if (!NAME.test(name) || labels.some((l) => !LABEL.test(l) || l === 'le')) {
      throw new CinderError(
        'CINDER_ERR_METRICS_OPTIONS',
        `a metric needs a name matching ${NAME} and label names matching ${LABEL} (not "le"); got ${describe(name)} with ${describe(labels)}`,
      )
    }
    this.name = name
    this.help = help
    this.labelNames = labels
    this.collect = options.collect
  }

  /** The series of these label values, created at zero. */
  protected series(labels: Labels): Series {
    const key = this.labelNames.map((l) => labels[l] ?? '').join('\u0000')
    let series = this.#series.get(key)
    if (series === undefined) {
      const own: Record<string, string> = {}
      for (const l of this.labelNames) own[l] = labels[l] ?? ''
      series = this.fresh(own)
      this.#series.set(key, series)
    }
    return series
  }

  protected fresh(labels: Labels): Series {
    return { labels, value: 0 }
  }

  /** Every series, in creation order. */
  get all(): readonly Series[] {
    return [...this.#series.values()]
  }

  /** Forgets every series (a collector that rebuilds its gauges at each scrape). */
  reset(): void {
    this.#series.clear()
  }
}

export class Counter extends Family {
  readonly type = 'counter'

  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).value += by
  }

  /** Sets a counter read from elsewhere (a running total the runtime keeps). */
  set(labels: Labels, total: number): void {
    this.series(labels).value = total
  }

  get(labels: Labels = {}): number {
    return this.series(labels).value
  }
}

export class Gauge extends Family {
  readonly type = 'gauge'

  set(labels: Labels, value: number): void {
    this.series(labels).value = value
  }

  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).value += by
  }

  get(labels: Labels = {}): number {
    return this.series(labels).value
  }
}

/** Options of a histogram: its upper bounds, ascending (`+Inf` is added). */
export interface HistogramOptions extends FamilyOptions {
  readonly buckets: readonly number[]
}

export class Histogram extends Family {
  readonly type = 'histogram'
  readonly bounds: readonly number[]

  constructor(options: HistogramOptions) {
    super(options)
    const { buckets } = options
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && !(b > (buckets[i - 1] ?? 0)))) {
      throw new CinderError(
        'CINDER_ERR_METRICS_OPTIONS',
        `histogram ${options.name} needs ascending bucket bounds; got ${describe(buckets)}`,
      )
    }
    this.bounds = buckets
  }

  protected override fresh(labels: Labels): Series {
    return { labels, value: 0, buckets: this.bounds.map(() => 0), sum: 0 }
  }

  observe(labels: Labels, value: number): void {
    const series = this.series(labels)
    const buckets = series.buckets as number[]
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= (this.bounds[i] as number)) buckets[i] = (buckets[i] as number) + 1
    }
    series.value++
    series.sum = (series.sum ?? 0) + value
  }
}

/** A set of families written together, every sample with the registry's own labels. */
export class MetricRegistry {
  readonly #families = new Map<string, Family>()
  readonly #constLabels: Labels

  constructor(constLabels: Labels = {}) {
    this.#constLabels = constLabels
  }

  /** Adds a family; a second family of the same name is refused. */
  add<F extends Family>(family: F): F {
    if (this.#families.has(family.name)) {
      throw new CinderError(
        'CINDER_ERR_METRICS_OPTIONS',
        `a metric named ${describe(family.name)} is already registered`,
      )
    }
    this.#families.set(family.name, family)
    return family
  }

  get(name: string): Family | undefined {
    return this.#families.get(name)
  }

  get families(): readonly Family[] {
    return [...this.#families.values()]
  }

  /** Runs every `collect`, then writes every family (the `/metrics` body). */
  expose(): string {
    let out = ''
    for (const family of this.#families.values()) {
      family.collect?.()
      out += formatFamily(family, this.#constLabels)
    }
    return out
  }
}
