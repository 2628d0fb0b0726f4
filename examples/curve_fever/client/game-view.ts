/// <reference lib="dom" />
/**
 * What the browser shows of a room: the arena on a canvas, the scoreboard and the notices.
 *
 * Trails are drawn incrementally onto an offscreen canvas (each frame adds a few segments;
 * nothing is redrawn unless a snapshot or a new round arrives); every animation frame copies
 * it to the screen and adds the heads and the stretch from each curve's last trail point to
 * its head. Frames carry the index of their first new point: a frame whose points start past
 * what this view holds means some were missed, and `frame` returns false so the hook asks for
 * a snapshot.
 */
import type { Frame, Phase, PlayerState, Snapshot, TrailPoint } from '../game/codec.ts'
import { Notices } from './notices.ts'

export interface SeatInfo {
  readonly seat: number
  readonly id: string
  readonly name: string
  readonly colour: string
  readonly bot: boolean
}

export interface RoomEvent {
  readonly type: string
  readonly round?: number
  readonly id?: string
  readonly name?: string | null
  readonly byName?: string | null
  readonly by?: string | null
  readonly cause?: string
  readonly winner?: string | null
  readonly reason?: string
}

/** What tests (and the console) can read: `window.curveFever`. */
export interface ViewState {
  joined: boolean
  role: string | null
  phase: Phase
  round: number
  tick: number
  snapshots: number
  frames: number
  notices: string[]
  /** Why the game is gone for good (no such room, it closed), or null while it runs. */
  gone: string | null
  /** Whether the game socket is up; while it is not, the page says it is reconnecting. */
  connection: 'connecting' | 'connected' | 'reconnecting'
  scores: { name: string; score: number; alive: boolean; connected: boolean; bot: boolean }[]
}

const PHASE_TEXT: Record<Phase, string> = {
  waiting: 'waiting for players',
  countdown: 'get ready',
  running: 'playing',
  roundOver: 'round over',
  matchOver: 'match over',
}

export class GameView {
  readonly state: ViewState = {
    joined: false,
    role: null,
    phase: 'waiting',
    round: 0,
    tick: 0,
    snapshots: 0,
    frames: 0,
    notices: [],
    gone: null,
    connection: 'connecting',
    scores: [],
  }
  readonly #canvas: HTMLCanvasElement
  readonly #ctx: CanvasRenderingContext2D
  readonly #trails: HTMLCanvasElement
  readonly #tctx: CanvasRenderingContext2D
  readonly #board: HTMLElement | null
  readonly #notices: Notices
  readonly #seats = new Map<number, SeatInfo>()
  readonly #players = new Map<number, PlayerState>()
  readonly #points = new Map<number, TrailPoint[]>()
  #arena = { width: 800, height: 800, radius: 2.5 }
  #ready = false
  #phaseTicks = 0
  #tickRate = 60
  #target = 0
  #winner: number | null = null
  #boardKey = ''
  #raf = 0
  #destroyed = false

  constructor(canvas: HTMLCanvasElement, board: HTMLElement | null, notice: HTMLElement | null) {
    this.#canvas = canvas
    this.#ctx = context2d(canvas)
    this.#trails = document.createElement('canvas')
    this.#trails.width = canvas.width
    this.#trails.height = canvas.height
    this.#tctx = context2d(this.#trails)
    this.#board = board
    this.#notices = new Notices(notice)
    const loop = (): void => {
      this.#draw()
      this.#raf = requestAnimationFrame(loop)
    }
    this.#raf = requestAnimationFrame(loop)
  }

  destroy(): void {
    this.#destroyed = true
    this.#notices.destroy()
    document.body.classList.remove('game-offline')
    cancelAnimationFrame(this.#raf)
  }

  get #scale(): number {
    return this.#canvas.width / this.#arena.width
  }

  snapshot(s: Snapshot): void {
    this.#arena = { width: s.arenaWidth, height: s.arenaHeight, radius: s.trailRadius }
    this.#tickRate = s.tickRate
    this.#seats.clear()
    this.#players.clear()
    this.#points.clear()
    for (const p of s.players) {
      this.#seats.set(p.seat, {
        seat: p.seat,
        id: p.id,
        name: p.name,
        colour: p.colour,
        bot: p.bot,
      })
      this.#players.set(p.seat, p)
      this.#points.set(p.seat, [...p.trail])
    }
    this.#header(s)
    this.#redrawTrails()
    this.#ready = true
    this.state.snapshots += 1
    this.#updateBoard()
  }

  /** Applies a frame; false when points are missing (ask for a snapshot). */
  frame(f: Frame): boolean {
    if (!this.#ready || f.tick < this.state.tick) return true
    if (f.round !== this.state.round) {
      this.#points.clear()
      this.#tctx.clearRect(0, 0, this.#trails.width, this.#trails.height)
    }
    this.#header(f)
    this.#players.clear()
    for (const p of f.players) this.#players.set(p.seat, p)
    for (const run of f.runs) {
      const held = this.#points.get(run.seat) ?? []
      if (run.first > held.length) return false
      const fresh = run.points.slice(held.length - run.first)
      const from = held.length
      held.push(...fresh)
      this.#points.set(run.seat, held)
      this.#strokeFrom(run.seat, held, from)
    }
    this.state.frames += 1
    this.#updateBoard()
    return true
  }

  roster(players: readonly SeatInfo[]): void {
    const seen = new Set<number>()
    for (const p of players) {
      seen.add(p.seat)
      if (this.#seats.get(p.seat)?.id !== p.id) this.#points.delete(p.seat)
      this.#seats.set(p.seat, p)
    }
    for (const seat of [...this.#seats.keys()]) if (!seen.has(seat)) this.#seats.delete(seat)
    this.#boardKey = ''
    this.#updateBoard()
  }

  events(events: readonly RoomEvent[]): void {
    for (const e of events) {
      const line = describe(e)
      if (line !== null) this.notify(line)
    }
  }

  /**
   * The game is gone for good: say why, with the way back to the lobby, and stop showing an
   * arena that will never move again.
   */
  gone(reason: string): void {
    if (this.state.gone !== null) return // said once (the room's last word and a refused rejoin)
    this.state.gone = reason
    this.state.joined = false
    this.#remember(reason)
    this.#notices.status(reason, { href: '/lobby', id: 'back-to-lobby', text: 'Back to the lobby' })
  }

  /**
   * What holds now, in the status line until it is replaced or cleared (null): a rejoin under
   * way, watching because the game is full. Never over a game that is gone.
   */
  status(line: string | null): void {
    if (this.state.gone !== null) return
    if (line !== null) this.#remember(line)
    this.#notices.status(line)
  }

  /** The game socket went down (`false`) or came back. */
  connected(up: boolean): void {
    if (this.#destroyed) return // our own disconnect, leaving the page
    this.state.connection = up ? 'connected' : 'reconnecting'
    document.body.classList.toggle('game-offline', !up)
  }

  /** Something that just happened: shown for a few seconds. */
  notify(line: string): void {
    this.#remember(line)
    this.#notices.pass(line)
  }

  /** The last notices, for tests and the console (`window.curveFever.notices`). */
  #remember(line: string): void {
    this.state.notices = [...this.state.notices, line].slice(-5)
  }

  #header(h: Frame | Snapshot): void {
    this.state.phase = h.phase
    this.state.round = h.round
    this.state.tick = h.tick
    this.#phaseTicks = h.phaseTicks
    this.#target = h.targetScore
    this.#winner = h.winner
  }

  // ---- drawing ----

  #redrawTrails(): void {
    this.#tctx.clearRect(0, 0, this.#trails.width, this.#trails.height)
    for (const [seat, points] of this.#points) this.#strokeFrom(seat, points, 0)
  }

  /** Draws the segments that end at points[from…]. */
  #strokeFrom(seat: number, points: readonly TrailPoint[], from: number): void {
    const ctx = this.#tctx
    const k = this.#scale
    ctx.strokeStyle = this.#seats.get(seat)?.colour ?? '#888'
    ctx.lineWidth = 2 * this.#arena.radius * k
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    ctx.beginPath()
    for (let i = Math.max(1, from); i < points.length; i++) {
      const a = points[i - 1]
      const b = points[i]
      if (a === undefined || b === undefined || b.start) continue
      ctx.moveTo(a.x * k, a.y * k)
      ctx.lineTo(b.x * k, b.y * k)
    }
    ctx.stroke()
  }

  #draw(): void {
    const ctx = this.#ctx
    const k = this.#scale
    ctx.clearRect(0, 0, this.#canvas.width, this.#canvas.height)
    ctx.drawImage(this.#trails, 0, 0)
    for (const [seat, p] of this.#players) {
      if (!p.inRound) continue
      const colour = this.#seats.get(seat)?.colour ?? '#888'
      const last = this.#points.get(seat)?.at(-1)
      if (p.alive && p.drawing && last !== undefined) {
        ctx.strokeStyle = colour
        ctx.lineWidth = 2 * this.#arena.radius * k
        ctx.lineCap = 'round'
        ctx.beginPath()
        ctx.moveTo(last.x * k, last.y * k)
        ctx.lineTo(p.x * k, p.y * k)
        ctx.stroke()
      }
      this.#drawHead(p, colour)
    }
    this.#drawBanner()
  }

  #drawHead(p: PlayerState, colour: string): void {
    const ctx = this.#ctx
    const k = this.#scale
    const r = this.#arena.radius * k * 1.6
    ctx.fillStyle = p.alive ? (p.connected ? '#fff8d6' : '#777') : '#444'
    ctx.beginPath()
    ctx.arc(p.x * k, p.y * k, r, 0, Math.PI * 2)
    ctx.fill()
    if (this.state.phase !== 'countdown') return
    // During the countdown, show where each curve will head.
    ctx.strokeStyle = colour
    ctx.lineWidth = 2
    ctx.beginPath()
    ctx.moveTo(p.x * k, p.y * k)
    ctx.lineTo((p.x + Math.cos(p.heading) * 24) * k, (p.y + Math.sin(p.heading) * 24) * k)
    ctx.stroke()
  }

  #drawBanner(): void {
    const text = this.#bannerText()
    if (text === null) return
    const ctx = this.#ctx
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)'
    ctx.font = `bold ${Math.round(this.#canvas.width / 18)}px system-ui, sans-serif`
    ctx.textAlign = 'center'
    ctx.fillText(text, this.#canvas.width / 2, this.#canvas.height / 2)
  }

  #bannerText(): string | null {
    if (this.state.gone !== null) return 'Game over'
    if (this.state.connection === 'reconnecting') return 'Reconnecting…'
    const winner = this.#winner === null ? undefined : this.#seats.get(this.#winner)
    switch (this.state.phase) {
      case 'waiting':
        return this.#ready ? 'Waiting for players: add a bot!' : 'Joining…'
      case 'countdown':
        return String(Math.max(1, Math.ceil(this.#phaseTicks / this.#tickRate)))
      case 'roundOver':
        return winner === undefined ? 'Nobody survives' : `${winner.name} wins the round`
      case 'matchOver':
        return winner === undefined ? 'Match over' : `${winner.name} wins the match!`
      default:
        return null
    }
  }

  // ---- scoreboard ----

  #updateBoard(): void {
    const rows = [...this.#seats.values()].map((seat) => {
      const p = this.#players.get(seat.seat)
      return {
        seat,
        score: p?.score ?? 0,
        alive: p?.alive ?? false,
        connected: p?.connected ?? true,
        inRound: p?.inRound ?? false,
      }
    })
    rows.sort((a, b) => b.score - a.score || a.seat.seat - b.seat.seat)
    this.state.scores = rows.map((r) => ({
      name: r.seat.name,
      score: r.score,
      alive: r.alive,
      connected: r.connected,
      bot: r.seat.bot,
    }))
    const phase = this.state.phase
    const key = JSON.stringify([phase, this.state.round, this.#target, this.state.scores])
    if (key === this.#boardKey || this.#board === null) return
    this.#boardKey = key
    const board = this.#board
    board.dataset.phase = phase
    board.dataset.round = String(this.state.round)
    const head = document.createElement('p')
    head.className = 'muted'
    head.textContent =
      this.state.round === 0
        ? PHASE_TEXT[phase]
        : `Round ${this.state.round} · ${PHASE_TEXT[phase]} · first to ${this.#target}`
    const list = rows.map((r) => {
      const row = document.createElement('div')
      row.className = `row${r.inRound && !r.alive ? ' dead' : ''}`
      row.dataset.name = r.seat.name
      const dot = document.createElement('span')
      dot.className = 'dot'
      dot.style.background = r.seat.colour
      const name = document.createElement('span')
      name.className = 'name'
      name.textContent = r.seat.name + (r.connected ? '' : ' (reconnecting)')
      const score = document.createElement('span')
      score.className = 'score'
      score.textContent = String(r.score)
      row.append(dot, name, score)
      return row
    })
    board.replaceChildren(head, ...list)
  }
}

function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d')
  if (ctx === null) throw new Error('this browser has no 2D canvas')
  return ctx
}

function describe(e: RoomEvent): string | null {
  const who = e.name ?? 'someone'
  switch (e.type) {
    case 'death':
      if (e.cause === 'wall') return `${who} hit the wall`
      if (e.cause === 'left') return `${who} left`
      return e.by === e.id ? `${who} hit their own trail` : `${who} hit ${e.byName ?? 'a'}'s trail`
    case 'roundOver':
      return e.winner === null ? `Nobody survives round ${e.round}` : `${who} wins round ${e.round}`
    case 'matchOver':
      return `${who} wins the match!`
    case 'waiting':
      return e.reason ?? null
    default:
      return null
  }
}
