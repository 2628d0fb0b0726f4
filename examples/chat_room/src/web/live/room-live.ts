/**
 * A room (`/rooms/:room`): its last messages (from this node's history table), who is here,
 * who is typing, and the form to write. A message goes to every node; each node's keeper
 * stores it and tells the room's pages, which read the table again. Typing is a Presence meta,
 * set while the input changes and cleared after a quiet moment or when the message is sent.
 */
import { currentPid, each, html, type LiveSocket, type LiveView, liveLink } from 'cinder'
import { changesTopic } from '../../chat/chat.ts'
import { type Message, type User, userFrom } from '../../chat/model.ts'
import {
  type Person,
  people,
  roomTopic,
  setTyping,
  trackPage,
  typingLine,
} from '../../chat/people.ts'
import type { ChatContext } from '../context.ts'

interface RoomAssigns {
  user: User
  room: string
  messages: Message[]
  here: Person[]
  typing: boolean
  error: string | null
  pageTitle: string
}

type Socket = LiveSocket<RoomAssigns>

/** Messages a page shows (the table keeps more). */
const SHOWN = 50
/** Quiet time after which a user no longer counts as typing. */
const TYPING_IDLE_MS = 3000
const STOP_TYPING = 'stop typing'

export function roomLive({ chat, presence }: ChatContext): LiveView<RoomAssigns> {
  const idleTimers = new WeakMap<Socket, () => void>()

  function typing(socket: Socket, now: boolean): void {
    idleTimers.get(socket)?.()
    idleTimers.delete(socket)
    if (now) idleTimers.set(socket, socket.sendAfter(STOP_TYPING, TYPING_IDLE_MS))
    if (socket.assigns.typing === now) return
    const pid = currentPid()
    const { user, room } = socket.assigns
    if (pid !== undefined) setTyping(presence, pid, user, room, now)
    socket.assign('typing', now)
  }

  return {
    name: 'Room',
    mount(params, session, socket) {
      const user = userFrom(session.user)
      const room = String(params.room)
      if (user === undefined || chat.room(room) === undefined) {
        const why = user === undefined ? 'Choose a name first.' : `There is no room ${room}.`
        socket.putFlash('error', why).redirect('/')
        return
      }
      socket.assign({
        user,
        room,
        messages: chat.messages(room, SHOWN),
        here: people(presence, roomTopic(room)),
        typing: false,
        error: null,
        pageTitle: `#${room} · Chat Room`,
      })
      if (!socket.connected) return
      const pid = currentPid()
      if (pid !== undefined) trackPage(presence, pid, user, room)
      socket.subscribe(changesTopic(room)).subscribe(roomTopic(room))
      socket.assign('here', people(presence, roomTopic(room)))
    },

    handleEvent(event, value, socket) {
      if (event === 'send') {
        const posted = chat.post(socket.assigns.room, socket.assigns.user, value.body)
        socket.assign('error', posted.ok ? null : posted.message)
        if (posted.ok) {
          socket.pushEvent('sent')
          typing(socket, false)
        }
      } else if (event === 'typing') {
        typing(socket, typeof value.body === 'string' && value.body.trim() !== '')
      }
    },

    handleInfo(message, socket) {
      const { room } = socket.assigns
      if (message === STOP_TYPING) typing(socket, false)
      else if (message === 'message') socket.assign('messages', chat.messages(room, SHOWN))
      else socket.assign('here', people(presence, roomTopic(room))) // a presence diff
    },

    render: (a) => html`<header class="top">
  ${liveLink({ navigate: '/', id: 'to-lobby' }, '← Rooms')}
  <h1>#${a.room}</h1>
  <span class="me">${a.user.name}</span>
</header>
<main class="room">
  <section class="messages">
    <div id="messages" phx-hook="ScrollDown">
      ${each(
        a.messages,
        (m) => m.id,
        (m) =>
          html`<p class="message" id="message-${m.id}"><b>${m.user.name}</b> <span class="body">${m.body}</span></p>`,
      )}
    </div>
    <p id="typing" class="muted typing">${typingLine(a.here, a.user)}</p>
    <form id="message-form" phx-submit="send" phx-change="typing" phx-hook="MessageForm">
      <input type="text" name="body" placeholder="Say something" maxlength="500" autocomplete="off" autofocus>
      <button type="submit">Send</button>
    </form>
    <p class="error" id="message-error">${a.error}</p>
  </section>
  <aside>
    <h2>Here</h2>
    <ul id="here" class="plain">
      ${each(
        a.here,
        (p) => p.id,
        (p) => html`<li>${p.name}${p.typing && html` <span class="muted">typing…</span>`}</li>`,
      )}
    </ul>
  </aside>
</main>`,
  }
}
