/// <reference lib="dom" />
/**
 * LiveView hooks of Curve Fever.
 *
 * - `Game` (on `#game-root`): joins `game:<id>` on the game socket with the page's token,
 *   decodes binary snapshots and frames with the game's codec into a `GameView`, and sends the
 *   steering: arrow keys (or A/D), or holding the left/right half of the arena (touch, mouse).
 *   Inputs are sent only when they change. Keys that scroll a page (Space, arrows, Page Up/Down)
 *   never scroll this one; buttons clicked with the pointer hand the focus back to the page. A join refused because the room is full becomes a
 *   spectator's join; a room that crashed comes back through the client's own rejoin.
 * - `ChatForm`: empties the chat input once the server accepted the line.
 * - `ScrollDown`: keeps the chat scrolled to the newest message.
 */
import { decode, type Frame, type Snapshot } from '../game/codec.ts'
import { GameView, type RoomEvent, type SeatInfo } from './game-view.ts'
import { type Channel, Socket } from './phoenix.ts'

interface HookContext {
  el: HTMLElement
  pushEvent(event: string, payload: unknown): Promise<unknown>
  handleEvent(event: string, callback: (payload: unknown) => void): void
}

interface GameHookState extends HookContext {
  cleanup?: () => void
}

const KEYS: Record<string, -1 | 1> = { ArrowLeft: -1, ArrowRight: 1, a: -1, d: 1, A: -1, D: 1 }
/** Keys a browser scrolls the page with: on the game page they belong to the game. */
const SCROLL_KEYS = new Set([
  ' ',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'PageUp',
  'PageDown',
])

/** Keys typed into a field are text, never steering. */
function typingIn(target: EventTarget | null): boolean {
  const tag = (target as HTMLElement | null)?.tagName
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT'
}

/** Space on a button focused from the keyboard presses it, as it should. */
function pressesButton(e: KeyboardEvent): boolean {
  return e.key === ' ' && (e.target as HTMLElement | null)?.tagName === 'BUTTON'
}

/**
 * A button clicked with the pointer gives the focus back to the page, so that Space and Enter,
 * meant for the game, do not press it again; one pressed from the keyboard keeps it.
 */
function onPointerClick(button: HTMLElement | null, action: () => void): () => void {
  const listener = (event: MouseEvent): void => {
    if (event.detail > 0) button?.blur()
    action()
  }
  button?.addEventListener('click', listener)
  return () => button?.removeEventListener('click', listener)
}

const Game = {
  mounted(this: GameHookState) {
    const room = this.el.dataset.room ?? ''
    const token = this.el.dataset.token ?? ''
    const canvas = this.el.querySelector('canvas')
    if (canvas === null) return
    const view = new GameView(
      canvas,
      document.getElementById('scoreboard'),
      document.getElementById('notice'),
    )
    ;(window as unknown as { curveFever: unknown }).curveFever = view.state
    let spectate = false
    let refusals = 0
    const socket = new Socket('/socket', { params: { token } })
    socket.onOpen(() => view.connected(true))
    socket.onError(() => view.connected(false))
    socket.onClose(() => view.connected(false))
    socket.connect()
    const channel = socket.channel(`game:${room}`, () => ({ spectate }))
    const bytes = (payload: unknown): Uint8Array | undefined =>
      payload instanceof ArrayBuffer ? new Uint8Array(payload) : undefined

    channel.on('s', (payload) => {
      const data = bytes(payload)
      if (data !== undefined) view.snapshot(decode(data) as Snapshot)
    })
    let asked = false
    channel.on('f', (payload) => {
      const data = bytes(payload)
      if (data === undefined || view.frame(decode(data) as Frame) || asked) return
      asked = true
      channel.push('snapshot', {}).receive('ok', () => {
        asked = false
      })
    })
    channel.on('roster', (payload) => view.roster((payload as { players: SeatInfo[] }).players))
    channel.on('ev', (payload) => view.events((payload as { events: RoomEvent[] }).events))
    channel.on('closed', (payload) => view.gone((payload as { reason: string }).reason))
    channel.onError(() => {
      view.state.joined = false
      view.status('Lost the room: rejoining…')
    })
    channel
      .join()
      .receive('ok', (response) => {
        const r = response as {
          role: string
          notice: string | null
          nextRound?: boolean
          colourNote?: string | null
        }
        refusals = 0
        view.state.joined = true
        view.state.role = r.role
        // What holds while this join lasts: watching a full game, or a curve of another colour.
        const colourNote = typeof r.colourNote === 'string' ? r.colourNote : null
        view.status(r.role === 'spectator' && spectate ? 'Watching: the game is full' : colourNote)
        if (r.notice !== null) view.notify(r.notice)
        else if (r.role !== 'player') view.notify('You are watching')
        else if (r.nextRound === true)
          view.notify('You play from the next round: this one is already under way. Watch!')
        else view.notify('You are in: steer with ← →')
      })
      .receive('error', (response) => {
        const r = response as { reason?: string; message?: string }
        if (r.reason === 'full' && !spectate) {
          spectate = true
          view.status('The game is full: watching instead')
          return // the client rejoins by itself, now as a spectator
        }
        if (r.reason === 'unknown_room' || r.reason === 'closed') {
          // A room closed by its crash loop says why; an unknown one is over or never was.
          view.gone(
            r.reason === 'closed' && r.message !== undefined
              ? r.message
              : 'This game is over, or never existed.',
          )
          channel.leave()
          return
        }
        view.status(r.message ?? 'Could not join the game')
        // A room that is moving to another server, busy or restarting comes back: the client
        // rejoins by itself. Anything else, a few times over, will not.
        const transient = r.reason === 'moving' || r.reason === 'timeout' || r.reason === 'closing'
        if (r.reason === 'unauthorized' || (!transient && ++refusals > 3)) channel.leave()
      })

    const stopInput = steering(canvas, channel)
    const stopAddBot = onPointerClick(document.getElementById('add-bot'), () => {
      channel.push('add_bot', {}).receive('error', (r) => {
        view.notify((r as { message?: string }).message ?? 'Could not add a bot')
      })
    })
    const stopCrash = onPointerClick(document.getElementById('crash-room'), () => {
      channel.push('crash', {})
    })
    this.cleanup = () => {
      stopInput()
      stopAddBot()
      stopCrash()
      view.destroy()
      channel.leave()
      socket.disconnect()
    }
  },
  destroyed(this: GameHookState) {
    this.cleanup?.()
  },
}

/** Wires keys and pointers to `i` pushes; returns a function removing the listeners. */
function steering(canvas: HTMLCanvasElement, channel: Channel): () => void {
  const held = new Set<-1 | 1>()
  let pointer: -1 | 0 | 1 = 0
  let sent = 0
  const send = (): void => {
    const keys = (held.has(1) ? 1 : 0) - (held.has(-1) ? 1 : 0)
    const turn = pointer !== 0 ? pointer : keys
    if (turn === sent || channel.state !== 'joined') return
    sent = turn
    channel.push('i', { t: turn })
  }
  const down = (e: KeyboardEvent): void => {
    if (typingIn(e.target)) return
    if (SCROLL_KEYS.has(e.key) && !pressesButton(e)) e.preventDefault()
    const turn = KEYS[e.key]
    if (turn === undefined) return
    held.add(turn)
    send()
  }
  const up = (e: KeyboardEvent): void => {
    const turn = KEYS[e.key]
    if (turn === undefined) return
    held.delete(turn)
    send()
  }
  const press = (e: PointerEvent): void => {
    const box = canvas.getBoundingClientRect()
    pointer = e.clientX - box.left < box.width / 2 ? -1 : 1
    canvas.setPointerCapture(e.pointerId)
    send()
  }
  const release = (): void => {
    pointer = 0
    send()
  }
  const blur = (): void => {
    held.clear()
    release()
  }
  window.addEventListener('keydown', down)
  window.addEventListener('keyup', up)
  window.addEventListener('blur', blur)
  canvas.addEventListener('pointerdown', press)
  canvas.addEventListener('pointerup', release)
  canvas.addEventListener('pointercancel', release)
  return () => {
    window.removeEventListener('keydown', down)
    window.removeEventListener('keyup', up)
    window.removeEventListener('blur', blur)
    canvas.removeEventListener('pointerdown', press)
    canvas.removeEventListener('pointerup', release)
    canvas.removeEventListener('pointercancel', release)
  }
}

const ChatForm = {
  mounted(this: HookContext) {
    this.handleEvent('chat-sent', () => {
      const input = this.el.querySelector('input[name=body]')
      if (input instanceof HTMLInputElement) input.value = ''
    })
  },
}

const ScrollDown = {
  mounted(this: HookContext) {
    this.el.scrollTop = this.el.scrollHeight
  },
  updated(this: HookContext) {
    this.el.scrollTop = this.el.scrollHeight
  },
}

export const hooks = { Game, ChatForm, ScrollDown }
