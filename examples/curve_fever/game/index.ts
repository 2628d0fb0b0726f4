/** Curve Fever's simulation: import from here (the browser client imports codec.ts alone). */

export { botTurn, clearance } from './bot.ts'
export * from './codec.ts'
export {
  DEFAULT_CONFIG,
  type GameConfig,
  type GapConfig,
  MAX_SEATS,
  type Pose,
  type ResolvedConfig,
  resolveConfig,
  type SpawnPlanner,
} from './config.ts'
export type { DeathCause, GameEvent } from './events.ts'
export { Game, type GameOptions, type MatchProgress } from './game.ts'
export {
  MAX_ID_BYTES,
  MAX_NAME_LENGTH,
  parseTurn,
  type Result,
  validatePlayerInit,
} from './input.ts'
export type { PlayerInit, PlayerView, Turn } from './player.ts'
export { deriveSeed, Rng } from './rng.ts'
export { planSpawns } from './spawn.ts'
