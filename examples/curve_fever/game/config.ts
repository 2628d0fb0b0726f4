/**
 * Game settings (what a room may configure) and the per-tick quantities derived from them.
 * Settings are in human units (units, seconds, milliseconds); the simulation only sees ticks.
 */
import { MAX_ARENA_SIZE } from './codec.ts'
import type { Rng } from './rng.ts'

/** Where and which way a curve starts a round. Heading 0 points to +x; y grows downwards. */
export interface Pose {
  readonly x: number
  readonly y: number
  readonly heading: number
}

/** Chooses `count` spawn poses for a round; the default one is in spawn.ts. */
export type SpawnPlanner = (rng: Rng, count: number, config: ResolvedConfig) => readonly Pose[]

export interface GapConfig {
  /** Drawing time between two gaps, drawn uniformly from [min, max]. */
  readonly minIntervalMs: number
  readonly maxIntervalMs: number
  /** Length of a gap in logical units (the hole another curve can slip through). */
  readonly length: number
}

export interface GameConfig {
  /** Arena size in logical units, at most 1000 (the wire carries 1/32 unit in 15 bits). */
  readonly arenaWidth: number
  readonly arenaHeight: number
  /** Fixed simulation rate; the room broadcasts at its own, lower rate. */
  readonly tickRate: number
  /** Curve speed in units per second and turn rate in radians per second. */
  readonly speed: number
  readonly turnRate: number
  /** Half the trail's width. */
  readonly trailRadius: number
  /** Side of one occupancy-grid cell; smaller is more exact and costs memory (W×H/cell² bytes). */
  readonly cellSize: number
  readonly minPlayers: number
  readonly maxPlayers: number
  readonly countdownMs: number
  readonly roundOverMs: number
  /** `null` turns gaps off. */
  readonly gap: GapConfig | null
  /** `null` means the classic 10 × (players − 1), recomputed at each round. */
  readonly targetScore: number | null
  /** Classic rule: the leader must also be 2 points ahead of the runner-up. */
  readonly winByTwo: boolean
  /** Spawns keep this distance from the walls. */
  readonly spawnMargin: number
  /** Who steers a disconnected player during its grace period. */
  readonly disconnectedControl: 'straight' | 'bot'
  /** Bots re-plan every N ticks (staggered by seat) to keep their cost flat. */
  readonly botThinkEvery: number
  /** Replaces the random spawn planner (tests place curves exactly). */
  readonly spawn: SpawnPlanner | null
}

export interface ResolvedConfig extends GameConfig {
  readonly dtMs: number
  /** Movement is split into substeps no longer than half a cell, so nothing is tunnelled. */
  readonly substeps: number
  readonly stepLength: number
  readonly turnPerStep: number
  readonly countdownTicks: number
  readonly roundOverTicks: number
  /** Own cells younger than this are ignored: the head always overlaps its fresh trail. */
  readonly graceTicks: number
  readonly gapIntervalTicks: readonly [min: number, max: number] | null
  readonly gapTicks: number
}

export const DEFAULT_CONFIG: GameConfig = {
  arenaWidth: 800,
  arenaHeight: 800,
  tickRate: 60,
  speed: 96,
  turnRate: 3,
  trailRadius: 2.5,
  cellSize: 2,
  minPlayers: 2,
  maxPlayers: 8,
  countdownMs: 2500,
  roundOverMs: 2000,
  gap: { minIntervalMs: 1500, maxIntervalMs: 4000, length: 22 },
  targetScore: null,
  winByTwo: true,
  spawnMargin: 100,
  disconnectedControl: 'straight',
  botThinkEvery: 3,
  spawn: null,
}

/** The most seats a room can have: seats are one byte on the wire and in the grid. */
export const MAX_SEATS = 16

function check(ok: boolean, name: string, expected: string, got: unknown): void {
  if (!ok)
    throw new RangeError(`curve fever config: ${name} must be ${expected}, got ${String(got)}`)
}

const positive = (n: number): boolean => Number.isFinite(n) && n > 0
const count = (n: number): boolean => Number.isInteger(n) && n >= 1

function validate(c: GameConfig): void {
  check(
    positive(c.arenaWidth) && c.arenaWidth <= MAX_ARENA_SIZE,
    'arenaWidth',
    `in (0, ${MAX_ARENA_SIZE}]`,
    c.arenaWidth,
  )
  check(
    positive(c.arenaHeight) && c.arenaHeight <= MAX_ARENA_SIZE,
    'arenaHeight',
    `in (0, ${MAX_ARENA_SIZE}]`,
    c.arenaHeight,
  )
  for (const key of ['tickRate', 'speed', 'turnRate', 'trailRadius', 'cellSize'] as const) {
    check(positive(c[key]), key, 'a positive number', c[key])
  }
  check(
    count(c.maxPlayers) && c.maxPlayers <= MAX_SEATS,
    'maxPlayers',
    `an integer in [1, ${MAX_SEATS}]`,
    c.maxPlayers,
  )
  check(
    count(c.minPlayers) && c.minPlayers <= c.maxPlayers,
    'minPlayers',
    'an integer in [1, maxPlayers]',
    c.minPlayers,
  )
  check(
    c.countdownMs >= 0 && c.roundOverMs >= 0,
    'countdownMs/roundOverMs',
    '≥ 0',
    `${c.countdownMs}/${c.roundOverMs}`,
  )
  check(
    c.targetScore === null || count(c.targetScore),
    'targetScore',
    'null or an integer ≥ 1',
    c.targetScore,
  )
  check(count(c.botThinkEvery), 'botThinkEvery', 'an integer ≥ 1', c.botThinkEvery)
  check(
    c.spawnMargin >= 0 && c.spawnMargin * 2 < Math.min(c.arenaWidth, c.arenaHeight),
    'spawnMargin',
    'under half the arena',
    c.spawnMargin,
  )
  if (c.gap !== null) {
    const { minIntervalMs: min, maxIntervalMs: max, length } = c.gap
    check(positive(min) && max >= min, 'gap interval', 'positive with max ≥ min', `${min}..${max}`)
    check(positive(length), 'gap.length', 'a positive number', length)
  }
}

const ticks = (ms: number, rate: number): number => Math.max(0, Math.round((ms * rate) / 1000))

/** Fills in defaults, validates (throws RangeError naming the bad setting) and derives ticks. */
export function resolveConfig(overrides: Partial<GameConfig> = {}): ResolvedConfig {
  const c: GameConfig = { ...DEFAULT_CONFIG, ...overrides }
  validate(c)
  const perTick = c.speed / c.tickRate
  const substeps = Math.max(1, Math.ceil(perTick / (c.cellSize / 2)))
  const stepLength = perTick / substeps
  const graceDistance = c.trailRadius + 1.5 * c.cellSize
  return {
    ...c,
    dtMs: 1000 / c.tickRate,
    substeps,
    stepLength,
    turnPerStep: c.turnRate / c.tickRate / substeps,
    countdownTicks: ticks(c.countdownMs, c.tickRate),
    roundOverTicks: ticks(c.roundOverMs, c.tickRate),
    graceTicks: Math.ceil(graceDistance / perTick) + 2,
    gapIntervalTicks:
      c.gap === null
        ? null
        : [
            Math.max(1, ticks(c.gap.minIntervalMs, c.tickRate)),
            Math.max(1, ticks(c.gap.maxIntervalMs, c.tickRate)),
          ],
    gapTicks: c.gap === null ? 0 : Math.max(1, Math.ceil(c.gap.length / perTick)),
  }
}
