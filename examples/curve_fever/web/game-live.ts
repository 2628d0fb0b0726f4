/**
 * The game page (`/game/:id`): a LiveView that only lays the page out. The canvas hook opens
 * its own socket to the `game:<id>` channel (binary frames at 20 Hz do not belong in a DOM diff)
 * and owns the canvas, the scoreboard and the notices (`phx-update="ignore"`).
 */
import { html, type LiveView } from 'cinder'
import { type User, userFrom } from '../auth/user.ts'
import { ROOM_ID } from '../rooms/protocol.ts'
import type { WebContext } from './context.ts'

interface GameAssigns {
  user: User
  id: string
  token: string
  pageTitle: string
}

export function gameLive(web: WebContext): LiveView<GameAssigns> {
  return {
    name: 'Game',
    mount(params, session, socket) {
      const user = userFrom(session.user)
      if (user === undefined) {
        socket.redirect('/')
        return
      }
      const id = typeof params.id === 'string' ? params.id : ''
      if (!ROOM_ID.test(id)) {
        socket.putFlash('error', 'There is no such game.').redirect('/lobby')
        return
      }
      socket.assign({ user, id, token: web.socketToken(user), pageTitle: 'Curve Fever · game' })
    },
    render: ({ user, id, token }) => html`<header class="top">
  <h1>Curve Fever</h1>
  <a href="/lobby" id="back">← Lobby</a>
  <span class="me"><span class="dot" style="background: ${user.colour}"></span>${user.name}</span>
</header>
<main class="game">
  <div id="game-root" phx-hook="Game" phx-update="ignore" data-room=${id} data-token=${token}>
    <canvas id="game" width="800" height="800"></canvas>
  </div>
  <aside class="panel">
    <h2>Scores</h2>
    <div id="scoreboard" phx-update="ignore"></div>
    <div id="notice" phx-update="ignore"></div>
    <div class="controls" id="controls" phx-update="ignore">
      <button id="add-bot" type="button">Add a bot</button>
      ${web.dev && html`<button id="crash-room" class="ghost" type="button">Crash this room (dev)</button>`}
    </div>
    <p class="muted">Steer with ← → (or A and D). On a touch screen, hold the left or right half of the arena.</p>
  </aside>
</main>`,
  }
}
