// Builders shared by the simulation tests: games with curves placed exactly, and loops that
// step until something happens.
import {
  Game,
  type GameConfig,
  type GameEvent,
  type PlayerInit,
  type Pose,
} from '../../../../examples/curve_fever/game/index.ts'

export const RIGHT = 0
export const DOWN = Math.PI / 2
export const LEFT = Math.PI
export const UP = (3 * Math.PI) / 2

export const human = (id: string): PlayerInit => ({ id, name: id.toUpperCase(), colour: '#3366ff' })
export const bot = (id: string): PlayerInit => ({ ...human(id), bot: true })

/** Config for exact scenarios: no gaps, no pauses, curves where the test puts them. */
export function exactConfig(
  poses: readonly Pose[],
  overrides: Partial<GameConfig> = {},
): Partial<GameConfig> {
  return {
    gap: null,
    countdownMs: 0,
    roundOverMs: 0,
    minPlayers: 1,
    targetScore: 1000,
    spawn: (_rng, count) => poses.slice(0, count),
    ...overrides,
  }
}

/** A started game, stepped into its first running tick (no movement yet). */
export function running(
  players: readonly PlayerInit[],
  config: Partial<GameConfig>,
  seed = 1,
): Game {
  const game = new Game({ seed, config })
  for (const p of players) {
    const seated = game.addPlayer(p)
    if (!seated.ok) throw new Error(seated.reason)
  }
  const started = game.start()
  if (!started.ok) throw new Error(started.reason)
  while (game.phase !== 'running') game.step()
  return game
}

export interface Stamped {
  readonly tick: number
  readonly event: GameEvent
}

/** Steps until `until` holds (checked after each step) or `maxTicks` pass; returns the events. */
export function stepUntil(
  game: Game,
  until: (e: GameEvent) => boolean,
  maxTicks = 10_000,
): Stamped[] {
  const seen: Stamped[] = []
  for (let i = 0; i < maxTicks; i++) {
    const events = game.step().map((event) => ({ tick: game.tick, event }))
    seen.push(...events)
    if (events.some((s) => until(s.event))) return seen
  }
  return seen
}

export const deathOf = (events: readonly Stamped[], id: string): Stamped | undefined =>
  events.find((s) => s.event.type === 'death' && s.event.id === id)
