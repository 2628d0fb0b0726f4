/**
 * Rendezvous (highest random weight) hashing: the node a key belongs to among the nodes given.
 * Every node computes the same answer from the same list, and when a node leaves only the
 * keys it held move (each to the next best node), so survivors agree on who adopts what
 * without talking.
 */

/** The node of `nodes` with the highest weight for `key` (ties: the lower name); undefined for none. */
export function rendezvous(key: string, nodes: readonly string[]): string | undefined {
  let best: string | undefined
  let bestWeight = -1
  for (const node of nodes) {
    const weight = weightOf(node, key)
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && node < best)) {
      best = node
      bestWeight = weight
    }
  }
  return best
}

/** FNV-1a over `node \0 key`, then murmur3's finalizer so close inputs spread apart. */
function weightOf(node: string, key: string): number {
  let hash = 0x811c9dc5
  const text = `${node}\u0000${key}`
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return hash >>> 0
}
