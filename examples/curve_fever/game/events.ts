/** What a tick reports to the room (for notices, the leaderboard and logs). */

export type DeathCause = 'wall' | 'trail' | 'left'

export type GameEvent =
  /** Spawns are chosen and shown; the round starts when the countdown ends. */
  | { readonly type: 'countdown'; readonly round: number; readonly ticks: number }
  | { readonly type: 'roundStart'; readonly round: number }
  /** `by` is the owner of the trail hit (possibly the victim itself). */
  | {
      readonly type: 'death'
      readonly round: number
      readonly id: string
      readonly cause: DeathCause
      readonly by: string | null
    }
  | { readonly type: 'roundOver'; readonly round: number; readonly winner: string | null }
  | {
      readonly type: 'matchOver'
      readonly winner: string
      readonly scores: Readonly<Record<string, number>>
    }
  /** Back to the lobby phase, e.g. too few players remained for another round. */
  | { readonly type: 'waiting'; readonly reason: string }
