/**
 * The `room:<name>` channel: the chat for clients other than the browser pages. A join gets
 * the room's last messages; `new_message` `{body}` posts one (for every node, as the pages do);
 * each new message reaches the client as a `message` push, once.
 */
import {
  assign,
  type Channel,
  type ChannelSocket,
  error,
  noreply,
  ok,
  push,
  reply,
  self,
} from 'cinder'
import { changesTopic } from '../../chat/chat.ts'
import type { User } from '../../chat/model.ts'
import type { ChatContext } from '../context.ts'

export interface RoomAssigns {
  readonly user?: User
  readonly room?: string
  /** The ids of the room's messages this client has (the table keeps at most 200 a room). */
  readonly delivered?: ReadonlySet<string>
}

/** Messages a join gets. */
const HISTORY = 50

export function roomChannel({ chat }: ChatContext): Channel<RoomAssigns> {
  return {
    name: 'RoomChannel',
    join(topic, _params, socket) {
      const room = topic.slice('room:'.length)
      if (chat.room(room) === undefined) return error({ reason: `there is no room ${room}` })
      // This node's keeper says when the room has new messages (see chat.ts).
      chat.pubsub.subscribe(changesTopic(room), self())
      const messages = chat.messages(room, HISTORY)
      const delivered = new Set(chat.messages(room).map((m) => m.id))
      return ok(assign(socket, { room, delivered }), { messages })
    },

    handleIn(event, payload, socket) {
      const { room, user } = socket.assigns
      if (event !== 'new_message' || payload instanceof Uint8Array || !room || !user)
        return reply(['error', { reason: `unknown event ${event}` }], socket)
      const posted = chat.post(room, user, payload.body)
      return reply(
        posted.ok ? ['ok', { id: posted.value.id }] : ['error', { reason: posted.message }],
        socket,
      )
    },

    handleInfo(_message, socket) {
      return noreply(deliverNew(socket, chat.messages(socket.assigns.room ?? '')))
    },
  }
}

/** Pushes the messages the client does not have yet. */
function deliverNew(socket: ChannelSocket<RoomAssigns>, messages: readonly { id: string }[]) {
  const delivered = socket.assigns.delivered ?? new Set<string>()
  for (const message of messages)
    if (!delivered.has(message.id)) push(socket, 'message', { ...message })
  return assign(socket, { delivered: new Set(messages.map((m) => m.id)) })
}
