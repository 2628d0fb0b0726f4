/**
 * The rooms of one node: a DynamicSupervisor (one_for_one) with a process per room, a Registry
 * of the rooms running here, and the table of what each room must keep across a crash.
 *
 * Rooms are addressed by id through PubSub (see protocol.ts), so `request` reaches a room on
 * any node; a room that is neither registered here nor listed in Presence is unknown at once,
 * without waiting for a timeout.
 */
import { randomBytes } from 'node:crypto'
import {
  type Behaviour,
  type ChildSpec,
  call,
  createTable,
  getClock,
  type Pid,
  type Presence,
  type PubSub,
  Registry,
  reply,
  spawn,
  startChild,
  startDynamicSupervisor,
  startSupervisor,
  stopProcess,
  type TimerHandle,
} from 'cinder'
import {
  GAMES_TOPIC,
  type ReplyAddress,
  ROOM_ID,
  type RoomCommand,
  type RoomRefusal,
  refuse,
  roomTopic,
} from './protocol.ts'
import {
  DEFAULT_ROOM_SETTINGS,
  type MatchResult,
  type RecordTable,
  type RoomContext,
  type RoomRecord,
  type RoomSettings,
  roomBehaviour,
  type TrafficMeter,
} from './room.ts'
import type { TickStats } from './tick-stats.ts'

export interface RoomsOptions {
  readonly pubsub: PubSub
  /** The endpoint's broadcast (binary frames go through the channel fastlane). */
  readonly broadcast: RoomContext['broadcast']
  /** Lists rooms in the lobby across nodes; without it only local rooms are known. */
  readonly presence?: Presence
  readonly settings?: Partial<RoomSettings>
  readonly stats?: TickStats
  readonly meter?: TrafficMeter
  readonly onMatchOver?: (result: MatchResult) => void
  /** At most this many rooms on this node. Default 1000. */
  readonly maxRooms?: number
  /** How long a request waits for a room's answer. Default 3000 ms. */
  readonly requestTimeoutMs?: number
}

export interface CreateRoom {
  readonly name?: string
  readonly createdBy?: string | null
}

/** A command without its reply address: `request` adds one. */
export type RoomRequest = RoomCommand extends infer C
  ? C extends { readonly replyTo: ReplyAddress }
    ? Omit<C, 'replyTo'>
    : never
  : never
type RoomMessage = Exclude<RoomCommand, { readonly replyTo: ReplyAddress }>

const UNKNOWN_WAIT_MS = 750

const unknownRoom = (id: string): RoomRefusal =>
  refuse('unknown_room', `there is no game ${JSON.stringify(id.slice(0, 40))}`)

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly timer: TimerHandle
}

const keeper: Behaviour<RecordTable, null> = {
  name: 'curve fever room records',
  init: () => createTable<[string, RoomRecord]>({ kind: 'set', access: 'public' }),
  handleCall: (_request, _from, table) => reply(table, table),
}

/**
 * The rooms of one node. `childSpec()` runs them in the application's tree: a supervisor with
 * the keeper of the records (first) and the rooms' DynamicSupervisor, `rest_for_one`, so rooms
 * never outlive the table they save into.
 */
export class Rooms {
  /** The rooms running on this node, by id. */
  readonly registry = new Registry<string, null>({ keys: 'unique', name: 'curve fever rooms' })
  readonly settings: RoomSettings
  readonly #options: RoomsOptions
  readonly #replyTopic: string
  readonly #pending = new Map<number, Pending>()
  readonly #onReply = (message: unknown): void => this.#settle(message)
  #context: RoomContext | undefined
  #supervisor: Pid | undefined
  #tree: Pid | undefined
  #nextRef = 1

  constructor(options: RoomsOptions) {
    this.#options = options
    this.settings = { ...DEFAULT_ROOM_SETTINGS, ...options.settings }
    this.#replyTopic = `cf:reply:${options.pubsub.node}`
  }

  /** Builds and starts the rooms outside a tree (tests, benchmarks); `stop()` stops them. */
  static async start(options: RoomsOptions): Promise<Rooms> {
    const rooms = new Rooms(options)
    rooms.#tree = await startSupervisor(rooms.#children(), { strategy: 'rest_for_one' })
    return rooms
  }

  /** Stops what `Rooms.start` started: every room (each closes normally), then the records. */
  async stop(): Promise<void> {
    if (this.#tree !== undefined) await stopProcess(this.#tree, 'shutdown')
  }

  childSpec(): ChildSpec {
    return {
      id: 'rooms',
      type: 'supervisor',
      start: () => startSupervisor(this.#children(), { strategy: 'rest_for_one', link: true }),
    }
  }

  #children(): ChildSpec[] {
    return [
      {
        id: 'records',
        start: async () => {
          const pid = await spawn(keeper, null, { link: true })
          this.#context = this.#contextWith((await call(pid, 'table')) as RecordTable)
          return pid
        },
      },
      {
        id: 'room-supervisor',
        type: 'supervisor',
        start: async () => {
          this.#supervisor = await startDynamicSupervisor({
            maxChildren: this.#options.maxRooms ?? 1000,
            // Rooms guard themselves against crash loops (settings.maxCrashes); the supervisor
            // only gives up when the whole node is in trouble.
            maxRestarts: 50,
            maxSeconds: 10,
            link: true,
          })
          return this.#supervisor
        },
      },
      // Last, so it stops first: pending requests are answered `closing` before rooms stop.
      { id: 'replies', start: () => spawn(replyDesk, this.#replies(), { link: true }) },
    ]
  }

  /** What the reply desk process needs: where answers come and who waits for them. */
  #replies(): ReplyDesk {
    return {
      pubsub: this.#options.pubsub,
      topic: this.#replyTopic,
      onReply: this.#onReply,
      pending: this.#pending,
    }
  }

  #contextWith(records: RecordTable): RoomContext {
    const options = this.#options
    return {
      pubsub: options.pubsub,
      records,
      registry: this.registry,
      broadcast: options.broadcast,
      settings: this.settings,
      ...(options.presence === undefined ? {} : { presence: options.presence }),
      ...(options.stats === undefined ? {} : { stats: options.stats }),
      ...(options.meter === undefined ? {} : { meter: options.meter }),
      ...(options.onMatchOver === undefined ? {} : { onMatchOver: options.onMatchOver }),
    }
  }

  get #running(): { context: RoomContext; supervisor: Pid } {
    if (this.#context === undefined || this.#supervisor === undefined) {
      throw new Error('the rooms are not running (see childSpec)')
    }
    return { context: this.#context, supervisor: this.#supervisor }
  }

  /** Creates a room on this node and returns its id. */
  async create(options: CreateRoom = {}): Promise<string> {
    const id = randomBytes(5).toString('hex').slice(0, 8)
    const name = (options.name ?? '').trim().slice(0, 40) || `Game ${id.slice(0, 4)}`
    const record: RoomRecord = {
      id,
      name,
      createdBy: options.createdBy ?? null,
      seats: [],
      starts: 0,
      crashes: [],
    }
    const { context, supervisor } = this.#running
    context.records.insert([id, record])
    try {
      await startChild(supervisor, {
        id: `room-${id}`,
        start: () => spawn(roomBehaviour, { id, context }, { link: true }),
        restart: 'transient',
        shutdown: 2000,
      })
    } catch (err) {
      context.records.delete(id)
      throw err
    }
    return id
  }

  /** The room's process when it runs on this node. */
  whereis(id: string): Pid | undefined {
    return this.registry.whereis(id)
  }

  /** Rooms running on this node. */
  localIds(): string[] {
    return this.#running.context.records.toList().map(([id]) => id)
  }

  /** Whether a room runs anywhere in the cluster (here, or listed in Presence). */
  exists(id: string): boolean {
    if (!ROOM_ID.test(id)) return false
    if (this.registry.whereis(id) !== undefined) return true
    return this.#options.presence?.get(GAMES_TOPIC, id) !== undefined
  }

  /** Sends a command that needs no answer. */
  send(id: string, command: RoomMessage): void {
    this.#options.pubsub.broadcast(roomTopic(id), command)
  }

  /**
   * Asks a room and waits for its answer; unknown rooms and timeouts are refusals. A room that
   * is not known here may still be restarting, or not yet listed by Presence on this node: it
   * gets a short wait before it is called unknown.
   */
  request<T extends object>(
    id: string,
    command: RoomRequest,
    timeoutMs = this.#options.requestTimeoutMs ?? 3000,
  ): Promise<T | RoomRefusal> {
    if (!ROOM_ID.test(id)) return Promise.resolve(unknownRoom(id))
    const known = this.exists(id)
    const ref = this.#nextRef++
    const replyTo: ReplyAddress = { node: this.#options.pubsub.node, topic: this.#replyTopic, ref }
    return new Promise((resolve) => {
      const clock = getClock()
      const wait = known ? timeoutMs : Math.min(timeoutMs, UNKNOWN_WAIT_MS)
      const timer = clock.setTimeout(() => {
        this.#pending.delete(ref)
        resolve(
          known
            ? refuse('timeout', `game ${id} did not answer within ${wait} ms`)
            : unknownRoom(id),
        )
      }, wait)
      this.#pending.set(ref, { resolve: resolve as (value: unknown) => void, timer })
      this.#options.pubsub.broadcast(roomTopic(id), { ...command, replyTo })
    })
  }

  #settle(message: unknown): void {
    const { ref, value } = (message ?? {}) as { ref?: unknown; value?: unknown }
    if (typeof ref !== 'number') return
    const pending = this.#pending.get(ref)
    if (pending === undefined) return
    this.#pending.delete(ref)
    getClock().clearTimeout(pending.timer)
    pending.resolve(value)
  }
}

interface ReplyDesk {
  readonly pubsub: PubSub
  readonly topic: string
  readonly onReply: (message: unknown) => void
  readonly pending: Map<number, Pending>
}

/** Receives the answers of rooms on this node's reply topic while the rooms run. */
const replyDesk: Behaviour<ReplyDesk, ReplyDesk> = {
  name: 'curve fever room replies',
  init(desk) {
    desk.pubsub.subscribe(desk.topic, desk.onReply)
    return desk
  },
  terminate(_reason, desk) {
    desk.pubsub.unsubscribe(desk.topic, desk.onReply)
    for (const [ref, pending] of desk.pending) {
      getClock().clearTimeout(pending.timer)
      pending.resolve(refuse('closing', 'the server is stopping'))
      desk.pending.delete(ref)
    }
  },
}
