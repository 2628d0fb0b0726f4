/** Order statistics for the load figures. */

/**
 * The `q` quantile (0–1, nearest rank) of `sorted` (ascending), counting
 * `missing` more samples as slower than any: a lost reply makes the tail
 * worse, it does not vanish from it. Infinity when the rank falls on them.
 */
export function quantile(sorted: ArrayLike<number>, q: number, missing = 0): number {
  const n = sorted.length + missing
  if (n === 0) return Number.NaN
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)))
  return rank <= sorted.length ? (sorted[rank - 1] ?? Number.NaN) : Number.POSITIVE_INFINITY
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}
