/**
 * The lobby (`/lobby`): who is online (Presence, every node), the open games (rooms list
 * themselves in Presence), a chat with a typing indicator (presence meta), and the
 * leaderboard. Everything is pushed: Presence diffs, and the lobby keeper's "changed" notes.
 */
import { currentPid, each, getClock, html, type LiveSocket, type LiveView } from 'cinder'
import { type User, userFrom } from '../auth/user.ts'
import {
  CHANGES_TOPIC,
  type ChatMessage,
  type LeaderboardEntry,
  LOBBY_TOPIC,
  type LobbyChange,
  MAX_MESSAGE_LENGTH,
  type OnlineUser,
  type OpenGame,
} from '../lobby/lobby.ts'
import { GAMES_TOPIC } from '../rooms/protocol.ts'
import { TooManyRooms } from '../rooms/rooms.ts'
import type { WebContext } from './context.ts'

interface LobbyAssigns {
  user: User
  online: OnlineUser[]
  games: OpenGame[]
  messages: ChatMessage[]
  leaderboard: LeaderboardEntry[]
  botWins: number
  chatError: string | null
  /** Why "New game" did not start one (a limit), until it may again. */
  gameError: string | null
  /** What is in the chat field: rendered back, so a line the server refuses stays there. */
  draft: string
  typing: boolean
  pageTitle: string
}

const TYPING_IDLE_MS = 3000
const STOP_TYPING = 'stop typing'
const CLEAR_GAME_ERROR = 'clear game error'
const CLEAR_CHAT_ERROR = 'clear chat error'
/** How long "the server is full" stays up: long enough to read, short enough not to go stale. */
const FULL_NOTICE_MS = 10_000

type Socket = LiveSocket<LobbyAssigns>

export function lobbyLive(web: WebContext): LiveView<LobbyAssigns> {
  const { lobby, rooms } = web
  const stopTimers = new WeakMap<Socket, () => void>()
  const clearTimers = new WeakMap<Socket, () => void>()
  const clearChatTimers = new WeakMap<Socket, () => void>()

  function setTyping(socket: Socket, typing: boolean): void {
    stopTimers.get(socket)?.()
    stopTimers.delete(socket)
    if (typing) stopTimers.set(socket, socket.sendAfter(STOP_TYPING, TYPING_IDLE_MS))
    if (socket.assigns.typing === typing) return
    const pid = currentPid()
    if (pid !== undefined) lobby.setTyping(pid, socket.assigns.user, typing)
    socket.assign('typing', typing)
  }

  /** Starts a game and goes there; past a limit, says so on the page and stays. */
  async function newGame(socket: Socket): Promise<void> {
    const { user } = socket.assigns
    const now = getClock().now()
    if (!web.newGames.take(user.id, now)) {
      const wait = Math.max(1, web.newGames.waitSeconds(user.id, now))
      return refuseGame(
        socket,
        `You just started games: you can start another in ${wait} s, or join one below.`,
        wait * 1000,
      )
    }
    try {
      const id = await rooms.create({ name: `${user.name}'s game`, createdBy: user.id })
      socket.redirect(`/game/${id}`)
    } catch (err) {
      const full = err instanceof TooManyRooms
      const line = full
        ? `This server runs its maximum of ${err.max} games: join one below, or try again later.`
        : 'The game could not be started: try again in a moment.'
      refuseGame(socket, line, FULL_NOTICE_MS)
    }
  }

  function refuseGame(socket: Socket, line: string, forMs: number): void {
    clearTimers.get(socket)?.()
    clearTimers.set(socket, socket.sendAfter(CLEAR_GAME_ERROR, forMs))
    socket.assign('gameError', line)
  }

  return {
    name: 'Lobby',
    mount(_params, session, socket) {
      const user = userFrom(session.user)
      if (user === undefined) {
        socket.redirect('/')
        return
      }
      socket.assign({
        user,
        online: lobby.online(),
        games: lobby.games(),
        messages: lobby.messages(),
        leaderboard: lobby.leaderboard(),
        botWins: lobby.botWins(),
        chatError: null,
        gameError: null,
        draft: '',
        typing: false,
        pageTitle: 'Curve Fever · lobby',
      })
      if (!socket.connected) return
      const pid = currentPid()
      if (pid !== undefined) lobby.track(pid, user)
      socket.subscribe(LOBBY_TOPIC).subscribe(GAMES_TOPIC).subscribe(CHANGES_TOPIC)
      socket.assign('online', lobby.online())
    },

    async handleEvent(event, value, socket) {
      switch (event) {
        case 'chat': {
          const said = lobby.say(socket.assigns.user, value.body)
          socket.assign({
            chatError: said.ok ? null : said.message,
            draft: said.ok ? '' : text(value.body),
          })
          if (said.ok) {
            socket.pushEvent('chat-sent')
            setTyping(socket, false)
          } else if (said.retryAfterMs !== undefined) {
            // "Wait N s" is no longer true after N s: it goes then.
            clearChatTimers.get(socket)?.()
            clearChatTimers.set(socket, socket.sendAfter(CLEAR_CHAT_ERROR, said.retryAfterMs))
          }
          return
        }
        case 'typing': {
          const body = text(value.body)
          socket.assign('draft', body)
          setTyping(socket, body.trim() !== '')
          if ([...body].length <= MAX_MESSAGE_LENGTH && socket.assigns.chatError !== null)
            socket.assign('chatError', null)
          return
        }
        case 'new_game':
          return newGame(socket)
        default:
          return
      }
    },

    handleInfo(message, socket) {
      if (message === CLEAR_GAME_ERROR) {
        socket.assign('gameError', null)
        return
      }
      if (message === CLEAR_CHAT_ERROR) {
        clearChatTimers.delete(socket)
        socket.assign('chatError', null)
        return
      }
      if (message === STOP_TYPING) {
        stopTimers.delete(socket)
        setTyping(socket, false)
        return
      }
      const broadcast = message as { kind?: string; topic?: string }
      if (broadcast.kind === 'broadcast' && broadcast.topic === LOBBY_TOPIC)
        socket.assign('online', lobby.online())
      else if (broadcast.kind === 'broadcast' && broadcast.topic === GAMES_TOPIC)
        socket.assign('games', lobby.games())
      const change = message as Partial<LobbyChange>
      if (change.t === 'chat') socket.assign('messages', lobby.messages())
      if (change.t === 'leaderboard')
        socket.assign({ leaderboard: lobby.leaderboard(), botWins: lobby.botWins() })
    },

    render: (a) => html`<header class="top">
  <h1>Curve Fever</h1>
  <span class="me"><span class="dot" style="background: ${a.user.colour}"></span>${a.user.name} ·
    <a href="/signout">sign out</a></span>
</header>
<main class="grid">
  <section class="panel">
    <h2>Online</h2>
    <ul id="online" class="plain">
      ${each(
        a.online,
        (u) => u.id,
        (u) =>
          html`<li><span class="dot" style="background: ${u.colour}"></span><span class="name">${u.name}</span>${u.typing && html` <span class="muted">typing…</span>`}</li>`,
      )}
    </ul>
    <h2 style="margin-top: 1.5rem">Leaderboard</h2>
    <ol id="leaderboard">
      ${each(
        a.leaderboard,
        (e) => e.id,
        (e) =>
          html`<li><span class="name">${e.name}</span> <span class="muted">${e.wins} ${e.wins === 1 ? 'win' : 'wins'}</span></li>`,
      )}
    </ol>
    ${a.botWins > 0 && html`<p id="bot-wins" class="muted">Bots: ${a.botWins} ${a.botWins === 1 ? 'win' : 'wins'} (not ranked)</p>`}
  </section>
  <section class="panel">
    <h2>Chat</h2>
    <div id="chat-messages" phx-hook="ScrollDown">
      ${each(
        a.messages,
        (m) => m.id,
        (m) =>
          html`<div class="msg" id="msg-${m.id}"><b style="color: ${m.user.colour}">${m.user.name}</b><span class="body">${m.body}</span></div>`,
      )}
    </div>
    <p class="typing muted" id="typing">${typingLine(a.online, a.user)}</p>
    <form id="chat-form" phx-submit="chat" phx-change="typing" phx-hook="ChatForm">
      <input type="text" name="body" placeholder="Say something" autocomplete="off" maxlength=${MAX_MESSAGE_LENGTH} value=${a.draft}>
      <button type="submit">Send</button>
    </form>
    <p class="error" id="chat-error">${a.chatError}</p>
  </section>
  <section class="panel">
    <h2>Games</h2>
    <button id="new-game" phx-click="new_game">New game</button>
    <p class="error" id="games-error">${a.gameError}</p>
    <ul id="games" class="plain" style="margin-top: 1rem">
      ${each(
        a.games,
        (g) => g.id,
        (g) => html`<li id="game-${g.id}">
          <a href="/game/${g.id}">${g.name}</a> <span class="muted">${g.phase} · ${g.players.length}/${g.maxPlayers}</span>
          <div>${g.players.map((p) => html`<span class="player"><span class="dot" style="background: ${p.colour}"></span>${p.name} </span>`)}</div>
        </li>`,
      )}
    </ul>
    ${a.games.length === 0 && html`<p class="muted">No games yet: start one.</p>`}
  </section>
</main>`,
  }
}

/** A form field's text, cut well past what the chat accepts (a draft is never stored long). */
function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 4 * MAX_MESSAGE_LENGTH) : ''
}

function typingLine(online: readonly OnlineUser[], me: User): string {
  const names = online.filter((u) => u.typing && u.id !== me.id).map((u) => u.name)
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`
}
