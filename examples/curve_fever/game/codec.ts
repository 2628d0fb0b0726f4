/**
 * The wire format of Curve Fever's state: a frame per broadcast (positions plus the trail points
 * drawn since the previous broadcast) and a full snapshot for players who join or rejoin.
 * Little-endian binary, no dependencies and no DOM: the browser client imports this file as is.
 *
 * Coordinates are fixed point, 1/32 unit in 15 bits (arenas up to 1000 units); the 16th bit of
 * a trail point's x marks the first point of a stroke (after a gap or at the round's start).
 * Headings are uint16 turns (65536 per full turn).
 */

export const FIXED_SCALE = 32
export const MAX_ARENA_SIZE = 1000
export const STROKE_START = 0x8000
const NO_SEAT = 255

export const PHASES = ['waiting', 'countdown', 'running', 'roundOver', 'matchOver'] as const
export type Phase = (typeof PHASES)[number]

export const PLAYER_FLAGS = {
  alive: 1,
  drawing: 2,
  inRound: 4,
  connected: 8,
  bot: 16,
  leaving: 32,
} as const
type FlagName = keyof typeof PLAYER_FLAGS
const FLAG_NAMES = Object.keys(PLAYER_FLAGS) as FlagName[]

export const MESSAGE_TYPE = { frame: 1, snapshot: 2 } as const

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n))
const TURN = 2 * Math.PI

/** Units → 15-bit fixed point (clamped to the arena's representable range). */
export const toFixed = (units: number): number => clamp(Math.round(units * FIXED_SCALE), 0, 0x7fff)
export const fromFixed = (fixed: number): number => fixed / FIXED_SCALE
export const headingToU16 = (radians: number): number =>
  Math.round((((radians % TURN) + TURN) % TURN) * (65536 / TURN)) & 0xffff
export const u16ToHeading = (turns: number): number => (turns * TURN) / 65536

// ---- what the encoder reads (the simulation's players satisfy this without copying) ----

export interface EncodablePlayer {
  readonly seat: number
  readonly id: string
  readonly name: string
  /** '#rrggbb' */
  readonly colour: string
  readonly x: number
  readonly y: number
  readonly heading: number
  readonly score: number
  readonly alive: boolean
  readonly drawing: boolean
  readonly inRound: boolean
  readonly connected: boolean
  readonly bot: boolean
  readonly leaving: boolean
  /** Flat [x, y, x, y…] in fixed point; x carries STROKE_START on a stroke's first point. */
  readonly trail: readonly number[]
}

export interface EncodableState {
  readonly tick: number
  readonly phase: Phase
  readonly round: number
  readonly phaseTicks: number
  /** Round winner during roundOver, match winner during matchOver, else null. */
  readonly winner: number | null
  readonly targetScore: number
  readonly arenaWidth: number
  readonly arenaHeight: number
  readonly trailRadius: number
  readonly tickRate: number
  readonly players: readonly EncodablePlayer[]
}

// ---- what the decoder returns ----

export interface TrailPoint {
  readonly x: number
  readonly y: number
  readonly start: boolean
}

export interface PlayerState extends Record<FlagName, boolean> {
  readonly seat: number
  readonly x: number
  readonly y: number
  readonly heading: number
  readonly score: number
}

/** New trail points of one seat; `first` is the index of the first one in the round's trail. */
export interface TrailRun {
  readonly seat: number
  readonly first: number
  readonly points: TrailPoint[]
}

interface Header {
  readonly tick: number
  readonly phase: Phase
  readonly round: number
  readonly phaseTicks: number
  readonly winner: number | null
  readonly targetScore: number
}

export interface Frame extends Header {
  readonly type: 'frame'
  readonly players: PlayerState[]
  readonly runs: TrailRun[]
}

export interface SnapshotPlayer extends PlayerState {
  readonly id: string
  readonly name: string
  readonly colour: string
  readonly trail: TrailPoint[]
}

export interface Snapshot extends Header {
  readonly type: 'snapshot'
  readonly arenaWidth: number
  readonly arenaHeight: number
  readonly trailRadius: number
  readonly tickRate: number
  readonly players: SnapshotPlayer[]
}

// ---- byte cursor ----

class Writer {
  readonly bytes: Uint8Array
  readonly #view: DataView
  #at = 0
  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.#view = new DataView(this.bytes.buffer)
  }
  u8(n: number): void {
    this.#view.setUint8(this.#at, n)
    this.#at += 1
  }
  u16(n: number): void {
    this.#view.setUint16(this.#at, n, true)
    this.#at += 2
  }
  u32(n: number): void {
    this.#view.setUint32(this.#at, n, true)
    this.#at += 4
  }
  raw(bytes: Uint8Array): void {
    this.bytes.set(bytes, this.#at)
    this.#at += bytes.length
  }
}

class Reader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #at = 0
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  #take(n: number, what: string): number {
    if (this.#at + n > this.#bytes.length) {
      throw new RangeError(
        `curve fever codec: truncated message, expected ${what} at byte ${this.#at} of ${this.#bytes.length}`,
      )
    }
    const at = this.#at
    this.#at += n
    return at
  }
  u8(what: string): number {
    return this.#view.getUint8(this.#take(1, what))
  }
  u16(what: string): number {
    return this.#view.getUint16(this.#take(2, what), true)
  }
  u32(what: string): number {
    return this.#view.getUint32(this.#take(4, what), true)
  }
  raw(n: number, what: string): Uint8Array {
    const at = this.#take(n, what)
    return this.#bytes.subarray(at, at + n)
  }
  end(): void {
    if (this.#at !== this.#bytes.length) {
      throw new RangeError(`curve fever codec: ${this.#bytes.length - this.#at} trailing bytes`)
    }
  }
}

// ---- shared pieces ----

const HEADER_BYTES = 4 + 1 + 2 + 2 + 1 + 2
const PLAYER_BYTES = 10
const RUN_HEADER_BYTES = 6
const MAX_RUN_POINTS = 255

function writeHeader(w: Writer, s: EncodableState): void {
  w.u32(s.tick >>> 0)
  w.u8(PHASES.indexOf(s.phase))
  w.u16(clamp(s.round, 0, 0xffff))
  w.u16(clamp(s.phaseTicks, 0, 0xffff))
  w.u8(s.winner ?? NO_SEAT)
  w.u16(clamp(s.targetScore, 0, 0xffff))
}

function readHeader(r: Reader): Header {
  const tick = r.u32('tick')
  const phaseIndex = r.u8('phase')
  const phase = PHASES[phaseIndex]
  if (phase === undefined) throw new RangeError(`curve fever codec: unknown phase ${phaseIndex}`)
  const round = r.u16('round')
  const phaseTicks = r.u16('phase ticks')
  const winner = r.u8('winner')
  const targetScore = r.u16('target score')
  return { tick, phase, round, phaseTicks, winner: winner === NO_SEAT ? null : winner, targetScore }
}

const flagsOf = (p: EncodablePlayer): number =>
  FLAG_NAMES.reduce((acc, name) => (p[name] ? acc | PLAYER_FLAGS[name] : acc), 0)

function writePlayer(w: Writer, p: EncodablePlayer): void {
  w.u8(p.seat)
  w.u8(flagsOf(p))
  w.u16(toFixed(p.x))
  w.u16(toFixed(p.y))
  w.u16(headingToU16(p.heading))
  w.u16(clamp(p.score, 0, 0xffff))
}

function readPlayer(r: Reader): PlayerState {
  const seat = r.u8('seat')
  const flags = r.u8('flags')
  const x = fromFixed(r.u16('x'))
  const y = fromFixed(r.u16('y'))
  const heading = u16ToHeading(r.u16('heading'))
  const score = r.u16('score')
  const named = Object.fromEntries(FLAG_NAMES.map((n) => [n, (flags & PLAYER_FLAGS[n]) !== 0]))
  return { seat, x, y, heading, score, ...(named as Record<FlagName, boolean>) }
}

function writePoints(w: Writer, trail: readonly number[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    w.u16(trail[2 * i] ?? 0)
    w.u16(trail[2 * i + 1] ?? 0)
  }
}

function readPoints(r: Reader, count: number): TrailPoint[] {
  const points: TrailPoint[] = []
  for (let i = 0; i < count; i++) {
    const x = r.u16('trail x')
    const y = r.u16('trail y')
    points.push({ x: fromFixed(x & 0x7fff), y: fromFixed(y), start: (x & STROKE_START) !== 0 })
  }
  return points
}

// ---- frames ----

interface PendingRun {
  readonly player: EncodablePlayer
  readonly from: number
  readonly to: number
}

/**
 * Encodes broadcast frames, remembering how much of each seat's trail it already sent so every
 * frame carries only the new points. One per room (all viewers get the same bytes); a viewer
 * who missed frames asks for a snapshot (it sees a `first` beyond what it holds).
 */
export class FrameEncoder {
  #round = -1
  readonly #sent = new Map<number, { id: string; count: number }>()

  /** Forget what was sent: the next frame carries every seat's whole trail. */
  reset(): void {
    this.#sent.clear()
  }

  encode(state: EncodableState): Uint8Array {
    if (state.round !== this.#round) {
      this.#sent.clear()
      this.#round = state.round
    }
    const runs = this.#pendingRuns(state.players)
    const pointCount = runs.reduce((n, run) => n + run.to - run.from, 0)
    const size =
      1 +
      HEADER_BYTES +
      1 +
      state.players.length * PLAYER_BYTES +
      2 +
      runs.length * RUN_HEADER_BYTES +
      4 * pointCount
    const w = new Writer(size)
    w.u8(MESSAGE_TYPE.frame)
    writeHeader(w, state)
    w.u8(state.players.length)
    for (const p of state.players) writePlayer(w, p)
    w.u16(runs.length)
    for (const run of runs) {
      w.u8(run.player.seat)
      w.u32(run.from)
      w.u8(run.to - run.from)
      writePoints(w, run.player.trail, run.from, run.to)
    }
    return w.bytes
  }

  #pendingRuns(players: readonly EncodablePlayer[]): PendingRun[] {
    const runs: PendingRun[] = []
    for (const player of players) {
      const total = player.trail.length >> 1
      const sent = this.#sent.get(player.seat)
      let from = sent !== undefined && sent.id === player.id && sent.count <= total ? sent.count : 0
      for (; from < total; from += MAX_RUN_POINTS) {
        runs.push({ player, from, to: Math.min(total, from + MAX_RUN_POINTS) })
      }
      this.#sent.set(player.seat, { id: player.id, count: total })
    }
    return runs
  }
}

// ---- snapshots ----

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

function colourBytes(colour: string): [number, number, number] {
  const rgb = /^#([0-9a-f]{6})$/i.exec(colour)?.[1]
  const n = rgb === undefined ? 0 : Number.parseInt(rgb, 16)
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

function shortString(value: string, what: string): Uint8Array {
  const bytes = utf8.encode(value)
  if (bytes.length > 255)
    throw new RangeError(`curve fever codec: ${what} is ${bytes.length} bytes, at most 255`)
  return bytes
}

/** The whole state, trails included, for a client that starts from nothing. */
export function encodeSnapshot(state: EncodableState): Uint8Array {
  const strings = state.players.map(
    (p) => [shortString(p.id, 'id'), shortString(p.name, 'name')] as const,
  )
  const perPlayer = state.players.reduce(
    (n, p, i) =>
      n +
      PLAYER_BYTES +
      3 +
      2 +
      (strings[i]?.[0].length ?? 0) +
      (strings[i]?.[1].length ?? 0) +
      4 +
      2 * p.trail.length,
    0,
  )
  const w = new Writer(1 + 2 + 2 + 2 + 2 + HEADER_BYTES + 1 + perPlayer)
  w.u8(MESSAGE_TYPE.snapshot)
  w.u16(toFixed(state.arenaWidth))
  w.u16(toFixed(state.arenaHeight))
  w.u16(toFixed(state.trailRadius))
  w.u16(clamp(Math.round(state.tickRate), 0, 0xffff))
  writeHeader(w, state)
  w.u8(state.players.length)
  state.players.forEach((p, i) => {
    writePlayer(w, p)
    for (const byte of colourBytes(p.colour)) w.u8(byte)
    const [id = new Uint8Array(), name = new Uint8Array()] = strings[i] ?? []
    w.u8(id.length)
    w.raw(id)
    w.u8(name.length)
    w.raw(name)
    w.u32(p.trail.length >> 1)
    writePoints(w, p.trail, 0, p.trail.length >> 1)
  })
  return w.bytes
}

function readString(r: Reader, what: string): string {
  const bytes = r.raw(r.u8(`${what} length`), what)
  try {
    return fromUtf8.decode(bytes)
  } catch {
    throw new RangeError(`curve fever codec: ${what} is not valid UTF-8`)
  }
}

function readSnapshotPlayer(r: Reader): SnapshotPlayer {
  const state = readPlayer(r)
  const colour = `#${hex2(r.u8('red'))}${hex2(r.u8('green'))}${hex2(r.u8('blue'))}`
  const id = readString(r, 'id')
  const name = readString(r, 'name')
  const trail = readPoints(r, r.u32('trail length'))
  return { ...state, colour, id, name, trail }
}

function readFrame(r: Reader): Frame {
  const header = readHeader(r)
  const players = Array.from({ length: r.u8('player count') }, () => readPlayer(r))
  const runs = Array.from({ length: r.u16('run count') }, () => {
    const seat = r.u8('run seat')
    const first = r.u32('run start')
    return { seat, first, points: readPoints(r, r.u8('run length')) }
  })
  return { type: 'frame', ...header, players, runs }
}

function readSnapshot(r: Reader): Snapshot {
  const arenaWidth = fromFixed(r.u16('arena width'))
  const arenaHeight = fromFixed(r.u16('arena height'))
  const trailRadius = fromFixed(r.u16('trail radius'))
  const tickRate = r.u16('tick rate')
  const header = readHeader(r)
  const players = Array.from({ length: r.u8('player count') }, () => readSnapshotPlayer(r))
  return { type: 'snapshot', arenaWidth, arenaHeight, trailRadius, tickRate, ...header, players }
}

/** Decodes a frame or a snapshot; throws RangeError on anything malformed. */
export function decode(bytes: Uint8Array): Frame | Snapshot {
  const r = new Reader(bytes)
  const type = r.u8('message type')
  let message: Frame | Snapshot
  if (type === MESSAGE_TYPE.frame) message = readFrame(r)
  else if (type === MESSAGE_TYPE.snapshot) message = readSnapshot(r)
  else
    throw new RangeError(
      `curve fever codec: unknown message type ${type}, expected 1 (frame) or 2 (snapshot)`,
    )
  r.end()
  return message
}
