/** How figures read on the dashboard. */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

export function duration(seconds: number): string {
  const s = Math.floor(seconds)
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const parts = d > 0 ? [`${d}d`, `${h}h`] : h > 0 ? [`${h}h`, `${m}m`] : [`${m}m`, `${s % 60}s`]
  return parts.join(' ')
}

export function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(1)} ms`
}

/** A rate or figure with at most two decimals. */
export function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2)
}
