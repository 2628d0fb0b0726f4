/**
 * The figures each charted scenario records (bench/figures.ts), shared by the
 * scenario that writes them (`satisfies`) and the chart that reads them, so
 * the two cannot drift apart unnoticed. A null is a figure the run could not
 * measure (a lost reply, a NaN).
 */

export type Figure = number | null

/** bench/scenarios/http.ts */
export interface HttpFigures {
  readonly connections: number
  readonly durationS: number
  readonly rounds: number
  readonly servers: readonly {
    readonly server: string
    /** The fastest round's requests per second. */
    readonly rps: Figure
    /** Every round's requests per second, in round order. */
    readonly roundsRps: readonly Figure[]
    readonly p50Ms: Figure
    readonly p99Ms: Figure
    readonly cpuUsPerRequest: Figure
    readonly failures: number
    /** Requests per second against raw node:http's. */
    readonly vsRaw: Figure
  }[]
}

/** bench/scenarios/channels.ts */
export interface ChannelsFigures {
  readonly quick: boolean
  readonly broadcasts: number
  readonly rrClients: number
  readonly rrRounds: number
  readonly p99LimitMs: number
  readonly memory: readonly {
    readonly server: string
    readonly sockets: number
    readonly rssKiBPerSocket: Figure
    readonly heapKiBPerSocket: Figure
  }[]
  readonly fanout: readonly {
    readonly server: string
    readonly subscribers: number
    readonly lastMedianMs: Figure
    readonly lastMaxMs: Figure
    readonly meanDeliveryMs: Figure
    readonly lost: number
    readonly cpuMsPerBroadcast: Figure
  }[]
  /** One row per server and rate: the round with the lowest p99. */
  readonly requestReply: readonly {
    readonly server: string
    readonly rate: number
    readonly p50Ms: Figure
    readonly p99Ms: Figure
    readonly roundsP99Ms: readonly Figure[]
    readonly cpuUsPerRequest: Figure
    readonly lost: number
  }[]
  /** Per server: the highest rate whose best p99 stays under the limit. */
  readonly highestRate: Readonly<Record<string, number>>
}

/** bench/scenarios/durable.ts */
export interface DurableFigures {
  readonly subscribers: number
  readonly broadcasts: number
  readonly rounds: number
  readonly plainLastMedianMs: Figure
  readonly durableLastMedianMs: Figure
  readonly lost: number
  readonly topics: number
  readonly kibPerTopicFull: Figure
  readonly kibPerTopicOne: Figure
}
