/**
 * The classic Achtung, die Kurve! rules: every death gives a point to each curve still alive
 * (curves dying on the same tick score nothing for each other); the match goes to the first to
 * reach 10 × (players − 1) with a lead of at least 2.
 */
import type { ResolvedConfig } from './config.ts'
import type { Player } from './player.ts'

export function targetScore(config: ResolvedConfig, players: number): number {
  return config.targetScore ?? Math.max(1, 10 * (players - 1))
}

/** Gives `deaths` points to every survivor. */
export function awardDeaths(survivors: readonly Player[], deaths: number): void {
  for (const p of survivors) p.score += deaths
}

/** The match winner among `contenders`, or null while nobody has both the target and the lead. */
export function matchWinner(
  contenders: readonly Player[],
  target: number,
  winByTwo: boolean,
): Player | null {
  const ranked = [...contenders].sort((a, b) => b.score - a.score || a.seat - b.seat)
  const [leader, runnerUp] = ranked
  if (leader === undefined || leader.score < target) return null
  if (runnerUp === undefined) return leader
  const lead = leader.score - runnerUp.score
  return lead >= (winByTwo ? 2 : 1) ? leader : null
}
