/**
 * The lobby (`/`). Before anything else, a name: the form is checked over the socket, then
 * submitted over plain HTTP (`phx-trigger-action`) to `POST /session`, which keeps the user in
 * the session cookie. Then the rooms (the most recently active first, with who is in each), a
 * form for a new room, and who is online, on every node.
 */
import { currentPid, each, html, type LiveSocket, type LiveView, liveLink } from 'cinder'
import { ROOMS_TOPIC } from '../../chat/chat.ts'
import { type Room, signIn, type User, userFrom } from '../../chat/model.ts'
import { ONLINE, type Person, people, trackPage } from '../../chat/people.ts'
import type { ChatContext } from '../context.ts'

interface LobbyAssigns {
  user: User | undefined
  /** The session's CSRF token, for the form posted over HTTP. */
  csrf: string
  name: string
  nameError: string | null
  /** Set once the name is valid: the client then posts the form to /session. */
  signingIn: boolean
  rooms: Room[]
  online: Person[]
  roomError: string | null
  pageTitle: string
}

type Socket = LiveSocket<LobbyAssigns>

export function lobbyLive({ chat, presence }: ChatContext): LiveView<LobbyAssigns> {
  const refresh = (socket: Socket) =>
    socket.assign({ rooms: chat.rooms(), online: people(presence, ONLINE) })

  return {
    name: 'Lobby',
    mount(_params, session, socket) {
      const user = userFrom(session.user)
      socket.assign({
        user,
        csrf: socket.csrfToken ?? '',
        name: '',
        nameError: null,
        signingIn: false,
        roomError: null,
        pageTitle: 'Chat Room',
      })
      refresh(socket)
      if (!socket.connected) return
      const pid = currentPid()
      if (user !== undefined && pid !== undefined) trackPage(presence, pid, user, null)
      socket.subscribe(ROOMS_TOPIC).subscribe(ONLINE)
      refresh(socket)
    },

    handleEvent(event, value, socket) {
      if (event === 'sign_in') {
        const checked = signIn(value.name)
        socket.assign({
          name: typeof value.name === 'string' ? value.name : '',
          nameError: checked.ok ? null : checked.message,
          signingIn: checked.ok,
        })
      } else if (event === 'create_room') {
        const created = chat.createRoom(value.room)
        if (created.ok) socket.pushNavigate(`/rooms/${created.value}`)
        else socket.assign('roomError', created.message)
      }
    },

    // ROOMS_TOPIC (a room or a message) or ONLINE (a presence diff): read both again.
    handleInfo(_message, socket) {
      refresh(socket)
    },

    render: (a) =>
      a.user === undefined
        ? signInForm(a, a.flash.error ?? a.flash.info)
        : html`<header class="top">
  <h1>Chat Room</h1>
  <span class="me">${a.user.name}</span>
  <form action="/signout" method="post">
    <input type="hidden" name="_csrf_token" value=${a.csrf}>
    <button class="ghost" id="sign-out">Sign out</button>
  </form>
</header>
<main class="lobby">
  <p class="error" id="flash">${a.flash.error ?? a.flash.info}</p>
  <section>
    <h2>Rooms</h2>
    <ul id="rooms" class="plain">
      ${each(
        a.rooms,
        (room) => room.name,
        (room) => html`<li id="room-${room.name}">
        ${liveLink({ navigate: `/rooms/${room.name}` }, `#${room.name}`)}
        <span class="muted">${inRoom(a.online, room.name)}</span>
      </li>`,
      )}
    </ul>
    <form id="new-room" phx-submit="create_room">
      <input type="text" name="room" placeholder="new-room" maxlength="30" autocomplete="off">
      <button type="submit">Open</button>
    </form>
    <p class="error" id="room-error">${a.roomError}</p>
  </section>
  <section>
    <h2>Online</h2>
    <ul id="online" class="plain">
      ${each(
        a.online,
        (person) => person.id,
        (person) =>
          html`<li><span class="name">${person.name}</span> <span class="muted">${where(person)}</span></li>`,
      )}
    </ul>
  </section>
</main>`,
  }
}

function signInForm(a: LobbyAssigns, notice: string | undefined) {
  return html`<main class="signin">
  <h1>Chat Room</h1>
  <p class="muted">Rooms, messages, who is online and who is typing, on every node.</p>
  <p class="error" id="flash">${notice}</p>
  <form id="sign-in" action="/session" method="post" phx-submit="sign_in" phx-trigger-action=${a.signingIn}>
    <input type="hidden" name="_csrf_token" value=${a.csrf}>
    <label for="name">Your name</label>
    <input type="text" id="name" name="name" value=${a.name} maxlength="24" autocomplete="off" autofocus>
    <button type="submit">Enter</button>
  </form>
  <p class="error" id="name-error">${a.nameError}</p>
</main>`
}

function inRoom(online: readonly Person[], room: string): string {
  const count = online.filter((person) => person.rooms.includes(room)).length
  return count === 0 ? '' : `${count} here`
}

function where(person: Person): string {
  return person.rooms.length === 0 ? 'in the lobby' : person.rooms.map((r) => `#${r}`).join(' ')
}
