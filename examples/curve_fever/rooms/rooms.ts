/**
 * The rooms of this node, as part of one cluster-wide supervisor (see `Rooms`), with a Registry
 * of the rooms running here.
 *
 * Rooms are addressed by id through PubSub (see protocol.ts), so `request` reaches a room on
 * any node; a room that is neither registered here nor listed in Presence is unknown after a
 * short wait, unless the cluster's store still holds it: then it is moving to another node.
 */
import { randomBytes } from 'node:crypto'
import {
  type Behaviour,
  type ChildSpec,
  type Cluster,
  type ClusterStore,
  createClusterSupervisor,
  createMemoryStore,
  getClock,
  type Pid,
  type Presence,
  type PubSub,
  Registry,
  spawn,
  startCluster,
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
  type RoomArgs,
  type RoomChild,
  type RoomContext,
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
const DEFAULT_MAX_ROOMS = 1000

/** `create` on a node that already runs `maxRooms` rooms. */
export class TooManyRooms extends Error {
  readonly max: number
  constructor(max: number) {
    super(`this server already runs its maximum of ${max} games`)
    this.name = 'TooManyRooms'
    this.max = max
  }
}

const unknownRoom = (id: string): RoomRefusal =>
  refuse('unknown_room', `there is no game ${JSON.stringify(id.slice(0, 40))}`)

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly timer: TimerHandle
}

/** What the rooms run on: the Cluster and the store rooms save their state to. */
export interface RoomsCluster {
  readonly cluster: Cluster
  readonly store: ClusterStore
}

/**
 * The rooms of this node, as one cluster-wide supervisor: a room runs on exactly one node of
 * the cluster and saves what must survive it (name, seats, the match's progress) to the
 * cluster's store (Redis or NATS; memory on one node). When its node dies, a surviving node
 * starts it again from that state, and its players' channels rejoin it there.
 *
 * `childSpec()` runs them in the application's tree (after the Cluster): the cluster
 * supervisor, then the reply desk, which stops first, answering what still waits `closing`.
 */
export class Rooms {
  /** The rooms running on this node, by id. */
  readonly registry = new Registry<string, null>({ keys: 'unique', name: 'curve fever rooms' })
  readonly settings: RoomSettings
  readonly supervisor: ReturnType<typeof createClusterSupervisor>
  /** The cluster the rooms run on (channels monitor rooms through it, on any node). */
  readonly cluster: Cluster
  readonly #options: RoomsOptions
  readonly #context: RoomContext
  readonly #replyTopic: string
  readonly #pending = new Map<number, Pending>()
  readonly #onReply = (message: unknown): void => this.#settle(message)
  #tree: Pid | undefined
  #owned: Cluster | undefined
  #nextRef = 1

  constructor(options: RoomsOptions & RoomsCluster) {
    this.#options = options
    this.settings = { ...DEFAULT_ROOM_SETTINGS, ...options.settings }
    this.#replyTopic = `cf:reply:${options.pubsub.node}`
    this.cluster = options.cluster
    this.#context = this.#contextWith(options.cluster)
    const context = this.#context
    this.supervisor = createClusterSupervisor({
      cluster: options.cluster,
      name: 'curve_fever_rooms',
      store: options.store,
      children: {
        room: (child) =>
          spawn(roomBehaviour, { child: child as RoomChild, context }, { link: true }),
      },
      // Rooms guard themselves against crash loops (settings.maxCrashes); the supervisor only
      // gives up when the whole node is in trouble.
      maxRestarts: 50,
      maxSeconds: 10,
    })
  }

  /**
   * Builds and starts the rooms outside a tree (tests, benchmarks), on a Cluster of their own
   * over `pubsub` and a memory store unless given; `stop()` stops them.
   */
  static async start(options: RoomsOptions & Partial<RoomsCluster>): Promise<Rooms> {
    const owned =
      options.cluster === undefined ? await startCluster({ pubsub: options.pubsub }) : undefined
    const cluster = options.cluster ?? (owned as Cluster)
    const rooms = new Rooms({ ...options, cluster, store: options.store ?? createMemoryStore() })
    rooms.#owned = owned
    rooms.#tree = await startSupervisor(rooms.#children(), { strategy: 'rest_for_one' })
    return rooms
  }

  /** Stops what `Rooms.start` started: every room on this node, then its own Cluster. */
  async stop(): Promise<void> {
    if (this.#tree !== undefined) await stopProcess(this.#tree, 'shutdown')
    await this.#owned?.stop()
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
      this.supervisor.childSpec('room-supervisor'),
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

  #contextWith(cluster: Cluster): RoomContext {
    const options = this.#options
    return {
      pubsub: options.pubsub,
      cluster,
      crashes: new Map(),
      registry: this.registry,
      broadcast: options.broadcast,
      settings: this.settings,
      ...(options.presence === undefined ? {} : { presence: options.presence }),
      ...(options.stats === undefined ? {} : { stats: options.stats }),
      ...(options.meter === undefined ? {} : { meter: options.meter }),
      ...(options.onMatchOver === undefined ? {} : { onMatchOver: options.onMatchOver }),
    }
  }

  /** Creates a room on this node and returns its id; `TooManyRooms` past `maxRooms`. */
  async create(options: CreateRoom = {}): Promise<string> {
    const max = this.#options.maxRooms ?? DEFAULT_MAX_ROOMS
    if (this.supervisor.localChildren().length >= max) throw new TooManyRooms(max)
    const id = randomBytes(5).toString('hex').slice(0, 8)
    const name = (options.name ?? '').trim().slice(0, 40) || `Game ${id.slice(0, 4)}`
    const args: RoomArgs = { name, createdBy: options.createdBy ?? null }
    await this.supervisor.startChild({ key: id, type: 'room', args, restart: 'transient' })
    return id
  }

  /** The room's process when it runs on this node. */
  whereis(id: string): Pid | undefined {
    return this.registry.whereis(id)
  }

  /** Rooms running on this node. */
  localIds(): string[] {
    return this.supervisor.localChildren().map(({ key }) => key)
  }

  /** Whether a room runs anywhere in the cluster (here, or listed in Presence). */
  exists(id: string): boolean {
    if (!ROOM_ID.test(id)) return false
    if (this.registry.whereis(id) !== undefined) return true
    return this.#options.presence?.get(GAMES_TOPIC, id) !== undefined
  }

  /**
   * Whether the cluster's store still holds a room nobody runs: its node went down and a
   * surviving node has not started it again yet.
   */
  async moving(id: string): Promise<boolean> {
    if (!ROOM_ID.test(id)) return false
    try {
      return (await this.supervisor.store.get(this.supervisor.name, id)) !== undefined
    } catch {
      return false // the store is away: say what we know, that nobody answered
    }
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
        void this.#unanswered(id, known, wait).then(resolve)
      }, wait)
      this.#pending.set(ref, { resolve: resolve as (value: unknown) => void, timer })
      this.#options.pubsub.broadcast(roomTopic(id), { ...command, replyTo })
    })
  }

  /** Nobody answered: the room is gone, moving to another node, or just slow. */
  async #unanswered(id: string, known: boolean, wait: number): Promise<RoomRefusal> {
    if (known) return refuse('timeout', `game ${id} did not answer within ${wait} ms`)
    if (await this.moving(id)) {
      return refuse('moving', 'the game is moving to another server: back in a few seconds')
    }
    return unknownRoom(id)
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
