/**
 * The `game:<id>` channel: one join per browser tab in a room.
 *
 * - **join** asks the room (on whichever node it runs) for a seat, or a spectator's place with
 *   `{spectate: true}`, and replies `{role, seat, notice, name, dev}`; right after, the client
 *   gets the full state as a binary `s` push (a snapshot), then binary `f` frames from the
 *   room's broadcasts, `roster` (names and colours) and `ev` (deaths, rounds, matches).
 * - **in**: `i` `{t: -1 | 0 | 1}` steers (left, straight, right; rate-limited per join),
 *   `add_bot`, `snapshot` (a client that saw a hole in the trail asks again), `crash` (dev).
 * - **room crash, dead node**: the channel monitors its room through the Cluster (on any node;
 *   a room whose node dies is a DOWN `noconnection` within the down period) and listens to the
 *   room's life topic; when the room goes it stops with an error: the client gets `phx_error`,
 *   rejoins by itself, and finds the room restarted (here, or on a surviving node) with its seat
 *   kept. While the room moves, joins are answered `moving` and the client keeps trying.
 */
import {
  assign,
  type Channel,
  type ChannelSocket,
  type DownMessage,
  error,
  getClock,
  noreply,
  ok,
  type PubSub,
  push,
  reply,
  self,
  send,
  stop,
} from 'cinder'
import { parseTurn } from '../game/index.ts'
import {
  type JoinAccepted,
  type LifeEvent,
  lifeTopic,
  type RoomRefusal,
  type User,
} from '../rooms/protocol.ts'
import { TokenBucket } from '../rooms/rate-limit.ts'
import type { Rooms } from '../rooms/rooms.ts'

export interface GameChannelOptions {
  readonly rooms: Rooms
  readonly pubsub: PubSub
  /** Offers the crash control to clients. */
  readonly dev?: boolean
  /** Inputs a join may send at once, and per second after that. Default 20 and 30. */
  readonly inputBurst?: number
  readonly inputsPerSecond?: number
}

export interface GameAssigns {
  readonly user?: User
  readonly roomId?: string
  readonly role?: 'player' | 'spectator'
  readonly conn?: string
  readonly incarnation?: string
  readonly inputs?: TokenBucket
}

type Socket = ChannelSocket<GameAssigns>

class SnapshotReady {
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
}

const failure = (reason: string, message: string) => ['error', { reason, message }] as const

export function gameChannel(options: GameChannelOptions): Channel<GameAssigns> {
  const { rooms, pubsub, dev = false } = options
  const burst = options.inputBurst ?? 20
  const rate = options.inputsPerSecond ?? 30

  return {
    name: 'GameChannel',

    async join(topic, params, socket) {
      const user = socket.assigns.user
      if (user === undefined) return error({ reason: 'unauthorized', message: 'sign in first' })
      const id = topic.slice('game:'.length)
      const conn = `${pubsub.node}/${String(self())}`
      const answer = await rooms.request<JoinAccepted>(id, {
        t: 'join',
        conn: { id: conn, pid: self() },
        user,
        spectate: params.spectate === true,
      })
      if (!answer.ok) return error({ reason: answer.reason, message: answer.message })
      pubsub.subscribe(lifeTopic(id), self())
      rooms.cluster.monitor(answer.pid)
      send(self(), new SnapshotReady(answer.snapshot))
      const joined = assign(socket, {
        roomId: id,
        role: answer.role,
        conn,
        incarnation: answer.incarnation,
        inputs: new TokenBucket(burst, rate, getClock().now()),
      })
      return ok(joined, {
        role: answer.role,
        seat: answer.seat,
        nextRound: answer.nextRound,
        colourNote: answer.colourNote,
        name: answer.name,
        notice: answer.notice,
        dev,
        you: user.id,
      })
    },

    async handleIn(event, payload, socket) {
      const { roomId, conn, user } = socket.assigns
      if (roomId === undefined || conn === undefined || user === undefined)
        return reply(failure('not_joined', 'join the game first'), socket)
      switch (event) {
        case 'i':
          return reply(steer(socket, payload), socket)
        case 'add_bot': {
          const answer = await rooms.request<{ ok: true; name: string }>(roomId, {
            t: 'add_bot',
            conn,
          })
          return reply(answer.ok ? ['ok', { name: answer.name }] : refusal(answer), socket)
        }
        case 'snapshot': {
          const answer = await rooms.request<{ ok: true; snapshot: Uint8Array }>(roomId, {
            t: 'snapshot',
          })
          if (!answer.ok) return reply(refusal(answer), socket)
          push(socket, 's', answer.snapshot)
          return reply('ok', socket)
        }
        case 'crash':
          if (!dev)
            return reply(failure('not_allowed', 'the crash control is for development'), socket)
          // The room dies without answering; this channel learns it from its monitor.
          void rooms.request(roomId, { t: 'crash', conn }, 1000)
          return reply('ok', socket)
        default:
          return reply(failure('unknown_event', `unknown event ${JSON.stringify(event)}`), socket)
      }
    },

    handleInfo(message, socket) {
      if (message instanceof SnapshotReady) {
        push(socket, 's', message.bytes)
        return noreply(socket)
      }
      if ((message as Partial<DownMessage> | null)?.type === 'DOWN') {
        // The room crashed: fail this join so the client rejoins the restarted room.
        return stop('room_crashed', socket)
      }
      const life = message as Partial<LifeEvent> | null
      if (life?.t === 'started' && life.incarnation !== socket.assigns.incarnation)
        return stop('room_restarted', socket)
      if (life?.t === 'closed') {
        push(socket, 'closed', { reason: life.reason ?? 'the room closed' })
        return stop({ shutdown: 'room_closed' }, socket)
      }
      return noreply(socket)
    },

    terminate(_reason, socket) {
      const { roomId, conn } = socket.assigns
      if (roomId === undefined || conn === undefined) return
      try {
        rooms.send(roomId, { t: 'leave', conn })
      } catch {
        // the PubSub is stopping with the server: the room goes too.
      }
    },
  }

  function steer(socket: Socket, payload: unknown) {
    const { roomId, conn, user, role, inputs } = socket.assigns
    if (roomId === undefined || conn === undefined || user === undefined)
      return failure('not_joined', 'join first')
    if (role !== 'player') return failure('spectator', 'spectators cannot steer')
    if (payload instanceof Uint8Array || typeof payload !== 'object' || payload === null)
      return failure('invalid', 'an input is {t: -1 | 0 | 1}')
    const { t, player } = payload as { t?: unknown; player?: unknown }
    if (player !== undefined && player !== user.id)
      return failure('not_allowed', 'you can only steer your own curve')
    const turn = parseTurn(t)
    if (!turn.ok) return failure('invalid', turn.reason)
    if (inputs !== undefined && !inputs.take(getClock().now()))
      return failure('rate_limited', `at most ${rate} inputs a second`)
    rooms.send(roomId, { t: 'input', conn, player: user.id, turn: turn.value })
    return 'ok'
  }
}

function refusal(answer: RoomRefusal) {
  return failure(answer.reason, answer.message)
}
