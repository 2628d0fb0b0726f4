/**
 * Durable topics: the contract between a PubSub and the engine that keeps
 * their history (memory, Redis Streams, NATS JetStream).
 *
 * Every broadcast on a durable topic goes to the history engine instead of
 * the adapter. The engine gives it a position, `{epoch, offset}`, stores it
 * (at most `maxMessages`, at most `maxAgeMs` old) and hands it back to every
 * node, in offset order for each topic, through `ctx.deliver`. Each node then
 * dispatches it to its own subscribers with its position. So the order a
 * topic's messages reach any node is the order of their offsets, and a client
 * that saw position P can ask any node for what came after P.
 *
 * Offsets of a topic grow within an epoch (1, 2, 3… in memory and Redis; the
 * stream's sequence in NATS, where each entry names its topic's previous
 * offset). The epoch
 * changes whenever the engine lost the topic's history (a restart of the
 * memory engine, a deleted stream, a topic silent for longer than
 * `maxAgeMs`), so a position from an older epoch can never be taken for one
 * of the new epoch.
 */
import type { Logger } from '../logger.ts'

/** Where a message stands in its topic's history. */
export interface Position {
  /** Names one run of the topic's history; it changes when that history is lost. */
  readonly epoch: string
  /** 1 for the first message of the epoch, then +1 per message. */
  readonly offset: number
}

/** How much history a durable topic keeps (see `PubSub.durable`). */
export interface DurableOptions {
  /** The most messages kept per topic. Default 100, at most 10 000. */
  readonly maxMessages?: number
  /** How long a message is kept, in ms. Default 120 000 (2 min), at most 86 400 000 (a day). */
  readonly maxAgeMs?: number
}

/** `DurableOptions` with the defaults applied. */
export interface DurableLimits {
  readonly maxMessages: number
  readonly maxAgeMs: number
}

/** A broadcast on a durable topic, as the history engine carries it. */
export interface DurableRecord {
  /** The node that broadcast it. */
  readonly origin: string
  /** On the origin node, the token of the sender a `broadcastFrom` skips; 0 for none. */
  readonly skip: number
  readonly topic: string
  /** The dispatcher's registered name, or `null` for the default one. */
  readonly dispatcher: string | null
  readonly message: unknown
}

/** One stored message with its position. */
export interface HistoryEntry {
  readonly position: Position
  readonly record: DurableRecord
  /**
   * The offset of the topic's message before it, for engines whose offsets
   * have holes (NATS: the stream's sequence, shared by its topics). Default
   * `offset - 1`.
   */
  readonly previous?: number
}

/** What an engine read of one topic found. */
export interface HistoryRead {
  /** The topic's current epoch (a new one when the topic has no history). */
  readonly epoch: string
  /** The offset of the topic's last message (0 when it has none yet). */
  readonly head: number
  /**
   * The messages after the asked offset that are still kept (younger than
   * `maxAgeMs`), oldest first. Empty when no offset was asked.
   */
  readonly entries: readonly HistoryEntry[]
}

/** What a history engine gets from its PubSub when it starts. */
export interface HistoryContext {
  readonly pubsub: string
  readonly node: string
  readonly logger: Logger
  /** A durable message, on every node, in offset order per topic. Never throws. */
  deliver(entry: HistoryEntry): void
  /**
   * The engine's live feed is back after a loss (messages may have been
   * missed live; they are in the history): runs the PubSub's `onReconnect`
   * hooks.
   */
  reconnected(): void
}

/**
 * A history engine: one per PubSub. `append` must not block, and throws only
 * `CINDER_ERR_PUBSUB_ENCODE` for a message it cannot carry: a broadcast the
 * engine cannot store is logged and lost (at-most-once, like a plain
 * broadcast while the link is down).
 */
export interface HistoryEngine {
  /** A short name for log lines: `memory`, `redis`, `nats`. */
  readonly kind: string
  /**
   * Whether every node reads and writes the same history (Redis, NATS). A
   * node-local engine (memory) gets each node's durable broadcasts through
   * the adapter and keeps its own positions: a client resumes on the node
   * it left, and gets `recovered: false` on another (another epoch).
   */
  readonly shared: boolean
  start(ctx: HistoryContext): Promise<void>
  /** Stores a broadcast and delivers it to every node. */
  append(record: DurableRecord, limits: DurableLimits): void
  /** The topic's epoch, head and, when `after` is given, the messages kept after it. */
  read(topic: string, after: number | undefined, limits: DurableLimits): Promise<HistoryRead>
  stop(): Promise<void>
}

/** What a join on a durable topic gets: where the client stands and what it missed. */
export interface Recovery {
  /** Whether every message after the asked position was still kept (false when none was asked). */
  readonly recovered: boolean
  /** Where the client stands before `entries`: the asked position if recovered, else the head. */
  readonly position: Position
  /** The missed messages, oldest first (empty unless recovered). */
  readonly entries: readonly HistoryEntry[]
}

export const DEFAULT_MAX_MESSAGES = 100
export const DEFAULT_MAX_AGE_MS = 120_000
export const MAX_MAX_MESSAGES = 10_000
export const MAX_MAX_AGE_MS = 86_400_000

/**
 * Decides a recovery from a read: recovered when the client's epoch is the
 * current one and nothing between its offset and the first kept message was
 * dropped (no hole, nothing aged out).
 */
export function recoveryOf(read: HistoryRead, from: Position | undefined): Recovery {
  const head: Position = { epoch: read.epoch, offset: read.head }
  if (from === undefined || from.epoch !== read.epoch || from.offset > read.head) {
    return { recovered: false, position: head, entries: [] }
  }
  if (from.offset === read.head) return { recovered: true, position: from, entries: [] }
  const first = read.entries[0]
  if (first === undefined || (first.previous ?? first.position.offset - 1) !== from.offset) {
    return { recovered: false, position: head, entries: [] }
  }
  return { recovered: true, position: from, entries: read.entries }
}

/** A position as it travels to clients: `<epoch>:<offset>`. */
export function formatPosition(position: Position): string {
  return `${position.epoch}:${position.offset}`
}

/** Parses `<epoch>:<offset>`; undefined for anything else. */
export function parsePosition(text: unknown): Position | undefined {
  if (typeof text !== 'string' || text.length > 200) return undefined
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return undefined
  const offset = Number(text.slice(colon + 1))
  if (!Number.isSafeInteger(offset) || offset < 0) return undefined
  return { epoch: text.slice(0, colon), offset }
}

/** A fresh epoch: unique enough that two runs of a topic never share one. */
export function newEpoch(): string {
  const random = Math.floor(Math.random() * 36 ** 6).toString(36)
  return `${Date.now().toString(36)}${random.padStart(6, '0')}`
}
