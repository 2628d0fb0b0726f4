/** `GET /api/rooms` and `GET /api/rooms/:room/messages`: the chat as JSON, from this node. */
import { type Conn, json } from 'cinder'
import type { Chat } from '../../chat/chat.ts'

export function roomsController(chat: Chat) {
  return {
    index(conn: Conn): Conn {
      return json(conn, { rooms: chat.rooms() })
    },
    messages(conn: Conn, { room }: { room: string }): Conn {
      if (chat.room(room) === undefined) return json(conn.putStatus(404), { error: 'no such room' })
      return json(conn, { room, messages: chat.messages(room) })
    },
  }
}
