/**
 * The lobby's shared state on one node: who is online (Presence, replicated across nodes), the
 * chat (the last 100 messages) and the leaderboard of match wins, both in Tables owned by a
 * keeper process.
 *
 * Chat lines and wins are broadcast to every node on `cf:lobby:events`; each node's keeper
 * stores them in its own tables and then tells this node's lobby views on `cf:lobby:changes`,
 * so a view never reads a table before the row it was told about is in it. A node that starts
 * late asks the others for their history.
 *
 * Chat lines travel on a durable topic (docs/durability.md): each comes with its position, and
 * when this node's link to the others comes back after a loss, its keeper reads what it missed
 * from the topic's history (Redis or NATS), so the chat resumes with no hole; if the history
 * cannot tell (the memory engine, or too long away), it asks the other nodes again.
 */
import {
  type Behaviour,
  type ChildSpec,
  call,
  createTable,
  getClock,
  noreply,
  type Pid,
  type Presence,
  type PubSub,
  reply,
  send,
  spawn,
  type Table,
} from 'cinder'
import { GAMES_TOPIC, type GameListing, type User } from '../rooms/protocol.ts'
import { type RateLimit, RateLimiter } from '../rooms/rate-limit.ts'

/** Presence topic of the people in the lobby (key: user id; meta: name, colour, typing). */
export const LOBBY_TOPIC = 'cf:lobby'
/** Cluster-wide: chat lines, wins, history requests. */
const EVENTS_TOPIC = 'cf:lobby:events'
/** Cluster-wide and durable: chat lines, with their positions. */
const CHAT_TOPIC = 'cf:lobby:chat'
/** Hands chat lines to the keeper with their position. */
const CHAT_DISPATCHER = 'cf.lobby.chat'
/** This node only: "the tables changed", for the lobby views. */
export const CHANGES_TOPIC = 'cf:lobby:changes'

export const MAX_MESSAGES = 100
export const MAX_MESSAGE_LENGTH = 280
/** Chat lines a user may send at once, then per second: every line goes to every viewer. */
export const DEFAULT_CHAT_LIMIT: RateLimit = { burst: 5, perSecond: 1 }

export interface ChatMessage {
  readonly id: string
  readonly at: number
  readonly user: User
  readonly body: string
}

export interface LeaderboardEntry {
  readonly id: string
  readonly name: string
  readonly bot: boolean
  readonly wins: number
}

export interface OnlineUser {
  readonly id: string
  readonly name: string
  readonly colour: string
  readonly typing: boolean
}

export interface OpenGame extends GameListing {
  readonly id: string
}

export type LobbyChange = { readonly t: 'chat' } | { readonly t: 'leaderboard' }

type ChatRow = [key: [number, string], message: ChatMessage]
type WinRow = [id: string, name: string, bot: boolean, wins: number]

type LobbyEvent =
  | { readonly t: 'chat'; readonly message: ChatMessage }
  | { readonly t: 'win'; readonly id: string; readonly name: string; readonly bot: boolean }
  | { readonly t: 'hello'; readonly node: string }
  | {
      readonly t: 'history'
      readonly messages: readonly ChatMessage[]
      readonly wins: readonly WinRow[]
    }

/** A position in the chat topic's history. */
type Position = NonNullable<Parameters<PubSub['recover']>[1]>

/** A chat line as the keeper gets it: with its position. */
interface ChatLine {
  readonly t: 'line'
  readonly message: ChatMessage
  readonly position: Position | undefined
}

interface KeeperState {
  readonly pubsub: PubSub
  readonly chat: Table<ChatRow>
  readonly wins: Table<WinRow>
  /** The position of the last chat line this keeper stored. */
  last: Position | undefined
  readonly offReconnect: () => void
}

const keeper: Behaviour<KeeperState, PubSub> = {
  name: 'curve fever lobby',
  init(pubsub, { self }) {
    const state: KeeperState = {
      pubsub,
      chat: createTable<ChatRow>({ kind: 'ordered_set' }),
      wins: createTable<WinRow>({ kind: 'set' }),
      last: undefined,
      offReconnect: pubsub.onReconnect(() => send(self, 'resume')),
    }
    pubsub.subscribe(EVENTS_TOPIC, self)
    pubsub.subscribe(CHAT_TOPIC, self)
    pubsub.broadcast(EVENTS_TOPIC, { t: 'hello', node: pubsub.node } satisfies LobbyEvent)
    return state
  },
  handleCall: (_request, _from, state) => reply({ chat: state.chat, wins: state.wins }, state),
  handleInfo(message, state) {
    if (message === 'resume') return resume(state)
    const event = message as LobbyEvent | ChatLine
    if (event?.t === 'line') {
      store(state, [event.message])
      state.last = event.position ?? state.last
    } else if (event?.t === 'chat') store(state, [event.message])
    else if (event?.t === 'win') win(state, event.id, event.name, event.bot)
    else if (event?.t === 'hello' && event.node !== state.pubsub.node)
      sendHistory(state, event.node)
    else if (event?.t === 'history') mergeHistory(state, event.messages, event.wins)
    return noreply(state)
  },
  terminate(_reason, state) {
    state.offReconnect()
  },
}

/** Back after a lost link: the chat lines missed, from the history, else from the other nodes. */
async function resume(state: KeeperState) {
  const recovery = await state.pubsub.recover(CHAT_TOPIC, state.last).catch(() => undefined)
  if (recovery?.recovered) {
    store(
      state,
      recovery.entries.map((entry) => (entry.record.message as { message: ChatMessage }).message),
    )
    state.last = recovery.entries.at(-1)?.position ?? recovery.position
  } else {
    if (recovery !== undefined) state.last = recovery.position
    state.pubsub.broadcast(EVENTS_TOPIC, {
      t: 'hello',
      node: state.pubsub.node,
    } satisfies LobbyEvent)
  }
  return noreply(state)
}

function store(state: KeeperState, messages: readonly ChatMessage[]): void {
  for (const m of messages) state.chat.insert([[m.at, m.id], m])
  while (state.chat.info().size > MAX_MESSAGES) {
    const oldest = state.chat.first()
    if (oldest === undefined) break
    state.chat.delete(oldest)
  }
  changed(state, { t: 'chat' })
}

function win(state: KeeperState, id: string, name: string, bot: boolean): void {
  state.wins.updateCounter(id, { pos: 3, incr: 1 }, [id, name, bot, 0])
  changed(state, { t: 'leaderboard' })
}

function sendHistory(state: KeeperState, node: string): void {
  const messages = state.chat.toList().map(([, m]) => m)
  const event: LobbyEvent = { t: 'history', messages, wins: state.wins.toList() }
  state.pubsub.directBroadcast(node, EVENTS_TOPIC, event)
}

function mergeHistory(
  state: KeeperState,
  messages: readonly ChatMessage[],
  wins: readonly WinRow[],
) {
  store(state, messages)
  for (const row of wins) {
    const mine = state.wins.get(row[0])
    if (mine === undefined || mine[3] < row[3]) state.wins.insert(row)
  }
  changed(state, { t: 'leaderboard' })
}

function changed(state: KeeperState, change: LobbyChange): void {
  state.pubsub.localBroadcast(CHANGES_TOPIC, change)
}

export interface LobbyOptions {
  readonly pubsub: PubSub
  readonly presence: Presence
  /** Chat lines per user on this node (default `DEFAULT_CHAT_LIMIT`: 5 at once, 1 a second). */
  readonly chatLimit?: RateLimit
}

/** A refusal over the rate limit says when the user may send again (`retryAfterMs`). */
export type SayResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly retryAfterMs?: number }

/** The lobby of one node; `childSpec()` runs its keeper in the application's tree. */
export class Lobby {
  readonly pubsub: PubSub
  readonly presence: Presence
  /** The keeper's tables, once it runs (a restarted keeper brings new ones). */
  #tables: KeeperTables | undefined
  #seq = 0
  readonly #chatLimit: RateLimiter

  constructor(options: LobbyOptions) {
    this.pubsub = options.pubsub
    this.presence = options.presence
    this.pubsub.durable(CHAT_TOPIC, { maxMessages: MAX_MESSAGES, maxAgeMs: 3_600_000 })
    this.pubsub.registerDispatcher(CHAT_DISPATCHER, (entries, _from, message, position) => {
      const line: ChatLine = {
        t: 'line',
        message: (message as { message: ChatMessage }).message,
        position,
      }
      for (const { subscriber } of entries) {
        if (typeof subscriber === 'function') subscriber(line)
        else send(subscriber, line)
      }
    })
    this.#chatLimit = new RateLimiter(options.chatLimit ?? DEFAULT_CHAT_LIMIT)
  }

  childSpec(): ChildSpec {
    return {
      id: 'lobby',
      start: async () => {
        const pid = await spawn(keeper, this.pubsub, { link: true })
        this.#tables = (await call(pid, 'tables')) as KeeperTables
        return pid
      },
    }
  }

  get #chat(): Table<ChatRow> {
    return this.#running().chat
  }

  get #wins(): Table<WinRow> {
    return this.#running().wins
  }

  #running(): KeeperTables {
    if (this.#tables === undefined) throw new Error('the lobby is not running (see childSpec)')
    return this.#tables
  }

  /** Posts a chat line for every node; refuses empty, oversized and too frequent ones. */
  say(user: User, body: unknown): SayResult {
    const text = typeof body === 'string' ? body.trim() : ''
    if (text === '') return { ok: false, message: 'Write something first.' }
    if ([...text].length > MAX_MESSAGE_LENGTH)
      return { ok: false, message: `Messages are at most ${MAX_MESSAGE_LENGTH} characters.` }
    const now = getClock().now()
    if (!this.#chatLimit.take(user.id, now)) {
      const wait = Math.max(1, this.#chatLimit.waitSeconds(user.id, now))
      return {
        ok: false,
        message: `Slow down: you can send again in ${wait} s.`,
        retryAfterMs: wait * 1000,
      }
    }
    const message: ChatMessage = {
      id: `${this.pubsub.node}:${++this.#seq}`,
      at: Date.now(),
      user: { id: user.id, name: user.name, colour: user.colour },
      body: text,
    }
    this.pubsub.broadcast(CHAT_TOPIC, { t: 'chat', message } satisfies LobbyEvent, CHAT_DISPATCHER)
    return { ok: true }
  }

  recordWin(winner: { readonly id: string; readonly name: string; readonly bot: boolean }): void {
    const event: LobbyEvent = { t: 'win', id: winner.id, name: winner.name, bot: winner.bot }
    this.pubsub.broadcast(EVENTS_TOPIC, event)
  }

  /** The last messages, oldest first. */
  messages(): ChatMessage[] {
    return this.#chat.toList().map(([, m]) => m)
  }

  /** The players with the most match wins (people only: bots have their own line, botWins). */
  leaderboard(limit = 10): LeaderboardEntry[] {
    return this.#wins
      .toList()
      .filter(([, , bot]) => !bot)
      .map(([id, name, bot, wins]) => ({ id, name, bot, wins }))
      .sort((a, b) => b.wins - a.wins || a.name.localeCompare(b.name))
      .slice(0, limit)
  }

  /** Matches won by bots, all bots together. */
  botWins(): number {
    let wins = 0
    for (const [, , bot, n] of this.#wins.toList()) if (bot) wins += n
    return wins
  }

  /** Who is in the lobby, on any node: one entry per user (typing if any of their tabs is). */
  online(): OnlineUser[] {
    const state = this.presence.list(LOBBY_TOPIC)
    return Object.entries(state)
      .map(([id, group]) => {
        const metas = group.metas as readonly Record<string, unknown>[]
        const first = metas[0] ?? {}
        return {
          id,
          name: String(first.name ?? '?'),
          colour: String(first.colour ?? '#888888'),
          typing: metas.some((m) => m.typing === true),
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * The rooms of every node, as they list themselves in Presence, but for rooms where only bots
   * are left with nobody watching (they close soon: nobody should walk into one).
   */
  games(): OpenGame[] {
    const state = this.presence.list(GAMES_TOPIC)
    return Object.entries(state)
      .map(([id, group]) => ({ id, ...(group.metas[0] as unknown as GameListing) }))
      .filter((g) => !onlyBots(g))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Lists a lobby view's user as online for as long as its process lives. */
  track(pid: Pid, user: User): void {
    this.presence.track(pid, LOBBY_TOPIC, user.id, {
      name: user.name,
      colour: user.colour,
      typing: false,
    })
  }

  setTyping(pid: Pid, user: User, typing: boolean): void {
    this.presence.update(pid, LOBBY_TOPIC, user.id, (meta) => ({ ...meta, typing }))
  }
}

function onlyBots(game: GameListing): boolean {
  const { players, connections } = game
  return connections === 0 && players.length > 0 && players.every((p) => p.bot)
}

interface KeeperTables {
  readonly chat: Table<ChatRow>
  readonly wins: Table<WinRow>
}
