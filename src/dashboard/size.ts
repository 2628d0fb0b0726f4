/**
 * About how much memory a process's state holds. Node has one heap for
 * every process, so this is an estimate: a bounded walk of what the state
 * reaches (V8's usual sizes: 8 bytes a number or reference, 2 a string
 * character, a header per object), not stopping at other processes' states
 * (a channel reaches its connection, which is not its memory).
 */

const HEADER = 24
const SLOT = 8

/** Bytes the value reaches, walking at most `budget` objects; `stop` objects are not counted. */
export function approximateSize(root: unknown, stop: ReadonlySet<object>, budget = 2000): number {
  const seen = new Set<object>()
  const queue: unknown[] = [root]
  let bytes = 0
  for (let i = 0; i < queue.length && seen.size < budget; i++) {
    const value = queue[i]
    if (typeof value === 'string') bytes += HEADER + value.length * 2
    else if (typeof value === 'number' || typeof value === 'bigint') bytes += SLOT
    else if (typeof value !== 'object' || value === null) continue
    else if (!seen.has(value) && (value === root || !stop.has(value))) {
      seen.add(value)
      bytes += shallow(value, queue)
    }
  }
  return bytes
}

/** An object's own size; what it refers to goes on the queue. */
function shallow(value: object, queue: unknown[]): number {
  if (ArrayBuffer.isView(value)) return HEADER + value.byteLength
  if (value instanceof Map) {
    for (const [k, v] of value) queue.push(k, v)
    return HEADER + value.size * 3 * SLOT
  }
  if (value instanceof Set) {
    for (const v of value) queue.push(v)
    return HEADER + value.size * 2 * SLOT
  }
  const keys = Object.keys(value)
  for (const key of keys) queue.push((value as Record<string, unknown>)[key])
  return HEADER + keys.length * SLOT
}
