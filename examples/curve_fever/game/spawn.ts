/**
 * Random but fair spawns: away from the walls, apart from each other, and facing a stretch of
 * open arena so nobody dies in the first second.
 */
import type { Pose, ResolvedConfig } from './config.ts'
import type { Rng } from './rng.ts'

/** Seconds of straight flight that must stay inside the arena from a spawn. */
const CLEAR_AHEAD_SECONDS = 1.5
const ATTEMPTS = 200

function clearAhead(pose: Pose, config: ResolvedConfig): boolean {
  const reach = config.speed * CLEAR_AHEAD_SECONDS
  const x = pose.x + Math.cos(pose.heading) * reach
  const y = pose.y + Math.sin(pose.heading) * reach
  const m = config.trailRadius * 4
  return x > m && y > m && x < config.arenaWidth - m && y < config.arenaHeight - m
}

/** Distance from point (px, py) to the segment a→b. */
function segmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

/** True when neither pose's opening stretch passes within `gap` of the other's start. */
function apart(a: Pose, b: Pose, config: ResolvedConfig, gap: number): boolean {
  if (Math.hypot(a.x - b.x, a.y - b.y) < gap) return false
  const reach = config.speed * CLEAR_AHEAD_SECONDS
  const end = (p: Pose): [number, number] => [
    p.x + Math.cos(p.heading) * reach,
    p.y + Math.sin(p.heading) * reach,
  ]
  const [ax, ay] = end(a)
  const [bx, by] = end(b)
  const near = config.trailRadius * 8
  return (
    segmentDistance(b.x, b.y, a.x, a.y, ax, ay) > near &&
    segmentDistance(a.x, a.y, b.x, b.y, bx, by) > near
  )
}

function randomPose(rng: Rng, config: ResolvedConfig): Pose {
  const m = config.spawnMargin
  return {
    x: rng.range(m, config.arenaWidth - m),
    y: rng.range(m, config.arenaHeight - m),
    heading: rng.range(0, 2 * Math.PI),
  }
}

/**
 * The default planner: rejection sampling under the rules above, relaxing the spacing when a
 * crowded arena leaves no room (it always returns `count` poses, deterministically). `taken`
 * are curves already placed (a player who joins during the countdown): the new poses keep
 * clear of them too.
 */
export function planSpawns(
  rng: Rng,
  count: number,
  config: ResolvedConfig,
  taken: readonly Pose[] = [],
): Pose[] {
  const poses: Pose[] = [...taken]
  const total = taken.length + count
  const area =
    (config.arenaWidth - 2 * config.spawnMargin) * (config.arenaHeight - 2 * config.spawnMargin)
  let gap = Math.min(120, Math.sqrt(area / Math.max(1, total)) / 2)
  while (poses.length < total) {
    let placed = false
    for (let attempt = 0; attempt < ATTEMPTS && !placed; attempt++) {
      const pose = randomPose(rng, config)
      const fits =
        clearAhead(pose, config) && poses.every((other) => apart(pose, other, config, gap))
      // Below one unit of spacing the arena is hopeless for these rules: take any pose.
      if (fits || gap < 1) {
        poses.push(pose)
        placed = true
      }
    }
    if (!placed) gap /= 2
  }
  return poses.slice(taken.length)
}
