/**
 * The rooms and their history, on one node, kept in two Tables owned by a keeper process.
 *
 * Every new room and message is broadcast to every node on `chat:events`; each node's keeper
 * stores it in its own tables, then tells this node's pages on `chat:changes:<room>` (and
 * `chat:rooms`), so a page never reads a table before the row it was told about is in it.
 * A node that starts late says hello and the others send it their history.
 */
import {
  type Behaviour,
  type ChildSpec,
  call,
  createTable,
  noreply,
  type PubSub,
  reply,
  spawn,
  type Table,
} from 'cinder'
import {
  type Checked,
  checkMessage,
  checkRoomName,
  FIRST_ROOM,
  LIMITS,
  type Message,
  type Room,
  type User,
} from './model.ts'

/** Cluster-wide: new rooms and messages, and the history of a node to one that starts. */
const EVENTS_TOPIC = 'chat:events'
/** This node only: the list of rooms changed. */
export const ROOMS_TOPIC = 'chat:rooms'
/** This node only: a room has a new message. */
export const changesTopic = (room: string): string => `chat:changes:${room}`

type MessageRow = [key: [room: string, at: number, seq: number, id: string], message: Message]
type RoomRow = [name: string, room: Room]

type ChatEvent =
  | { readonly t: 'room'; readonly room: Room }
  | { readonly t: 'message'; readonly message: Message }
  | { readonly t: 'hello'; readonly node: string }
  | {
      readonly t: 'history'
      readonly rooms: readonly Room[]
      readonly messages: readonly Message[]
    }

interface Tables {
  readonly messages: Table<MessageRow>
  readonly rooms: Table<RoomRow>
}

interface KeeperState extends Tables {
  readonly pubsub: PubSub
}

const keeper: Behaviour<KeeperState, PubSub> = {
  name: 'chat keeper',
  init(pubsub, { self }) {
    const state: KeeperState = {
      pubsub,
      messages: createTable<MessageRow>({ kind: 'ordered_set' }),
      rooms: createTable<RoomRow>({ kind: 'set' }),
    }
    const now = Date.now()
    state.rooms.insert([FIRST_ROOM, { name: FIRST_ROOM, createdAt: now, lastAt: now }])
    pubsub.subscribe(EVENTS_TOPIC, self)
    pubsub.broadcast(EVENTS_TOPIC, { t: 'hello', node: pubsub.node } satisfies ChatEvent)
    return state
  },
  handleCall: (_request, _from, state) =>
    reply({ messages: state.messages, rooms: state.rooms }, state),
  handleInfo(message, state) {
    const event = message as ChatEvent
    if (event.t === 'room') addRooms(state, [event.room])
    else if (event.t === 'message') addMessages(state, [event.message])
    else if (event.t === 'hello' && event.node !== state.pubsub.node) sendHistory(state, event.node)
    else if (event.t === 'history') {
      addRooms(state, event.rooms)
      addMessages(state, event.messages)
    }
    return noreply(state)
  },
}

function addRooms(state: KeeperState, rooms: readonly Room[]): void {
  for (const room of rooms) {
    if (!state.rooms.member(room.name) && state.rooms.size < LIMITS.rooms)
      state.rooms.insert([room.name, room])
  }
  state.pubsub.localBroadcast(ROOMS_TOPIC, 'rooms')
}

function addMessages(state: KeeperState, messages: readonly Message[]): void {
  const touched = new Set<string>()
  for (const message of messages) {
    const room = state.rooms.get(message.room)?.[1]
    if (room === undefined) continue
    state.messages.insert([[message.room, message.at, message.seq, message.id], message])
    if (message.at > room.lastAt) state.rooms.insert([room.name, { ...room, lastAt: message.at }])
    touched.add(message.room)
  }
  for (const room of touched) {
    trim(state.messages, room)
    state.pubsub.localBroadcast(changesTopic(room), 'message')
  }
  if (touched.size > 0) state.pubsub.localBroadcast(ROOMS_TOPIC, 'rooms')
}

/** Drops a room's oldest messages beyond the limit. */
function trim(messages: Table<MessageRow>, room: string): void {
  const keys = [...messages.range(roomRange(room))].map(([key]) => key)
  for (const key of keys.slice(0, Math.max(0, keys.length - LIMITS.messagesPerRoom)))
    messages.delete(key)
}

function sendHistory(state: KeeperState, node: string): void {
  const event: ChatEvent = {
    t: 'history',
    rooms: state.rooms.toList().map(([, room]) => room),
    messages: state.messages.toList().map(([, message]) => message),
  }
  state.pubsub.directBroadcast(node, EVENTS_TOPIC, event)
}

/** Every key of a room's messages: `[room, at, seq, id]` with any time. */
function roomRange(room: string): { gt: MessageRow[0]; lt: MessageRow[0] } {
  const [min, max] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]
  return { gt: [room, min, min, ''], lt: [room, max, max, ''] }
}

/** The chat of one node; `childSpec()` runs its keeper in the application's tree. */
export class Chat {
  readonly pubsub: PubSub
  #tables: Tables | undefined
  #sequence = 0

  constructor(pubsub: PubSub) {
    this.pubsub = pubsub
  }

  childSpec(): ChildSpec {
    return {
      id: 'chat',
      start: async () => {
        const pid = await spawn(keeper, this.pubsub, { link: true })
        this.#tables = (await call(pid, 'tables')) as Tables
        return pid
      },
    }
  }

  /** Every room, the most recently active first. */
  rooms(): Room[] {
    return this.#running()
      .rooms.toList()
      .map(([, room]) => room)
      .sort((a, b) => b.lastAt - a.lastAt || a.name.localeCompare(b.name))
  }

  room(name: string): Room | undefined {
    return this.#running().rooms.get(name)?.[1]
  }

  /** A room's last `limit` messages, oldest first. */
  messages(room: string, limit: number = LIMITS.messagesPerRoom): Message[] {
    const range = { ...roomRange(room), reverse: true }
    const latest: Message[] = []
    for (const [, message] of this.#running().messages.range(range)) {
      if (latest.length === limit) break
      latest.push(message)
    }
    return latest.reverse()
  }

  /** Opens a room on every node; an existing one is fine. */
  createRoom(name: unknown): Checked<string> {
    const checked = checkRoomName(name)
    if (!checked.ok || this.room(checked.value) !== undefined) return checked
    if (this.#running().rooms.size >= LIMITS.rooms)
      return { ok: false, message: `There are ${LIMITS.rooms} rooms already.` }
    const now = Date.now()
    const room: Room = { name: checked.value, createdAt: now, lastAt: now }
    this.pubsub.broadcast(EVENTS_TOPIC, { t: 'room', room } satisfies ChatEvent)
    return checked
  }

  /** Posts a message to a room, for every node. */
  post(room: string, user: User, body: unknown): Checked<Message> {
    if (this.room(room) === undefined) return { ok: false, message: `There is no room ${room}.` }
    const checked = checkMessage(body)
    if (!checked.ok) return checked
    const seq = ++this.#sequence
    const message: Message = {
      id: `${this.pubsub.node}:${seq}`,
      room,
      at: Date.now(),
      seq,
      user: { id: user.id, name: user.name },
      body: checked.value,
    }
    this.pubsub.broadcast(EVENTS_TOPIC, { t: 'message', message } satisfies ChatEvent)
    return { ok: true, value: message }
  }

  #running(): Tables {
    if (this.#tables === undefined) throw new Error('the chat is not running (see childSpec)')
    return this.#tables
  }
}
