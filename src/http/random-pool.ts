/**
 * Cryptographically random bytes for per-request values (request ids, CSRF
 * masks), drawn from a pool refilled 4 KB at a time. Asking the system's
 * random source for 15 or 32 bytes per request cost more than the rest of a
 * small request; one fill per a hundred-odd requests does not. Every byte is
 * handed out once.
 */
import { randomFillSync } from 'node:crypto'

const POOL_SIZE = 4096
const pool = Buffer.alloc(POOL_SIZE)
let offset = POOL_SIZE

/** `size` fresh random bytes, base64url-encoded. */
export function pooledRandomId(size: number): string {
  if (size > POOL_SIZE / 8) return randomFillSync(Buffer.alloc(size)).toString('base64url')
  const start = take(size)
  return pool.toString('base64url', start, start + size)
}

/** Writes `size` fresh random bytes into `target` from `at` (no Buffer to allocate per call). */
export function fillRandom(target: Uint8Array, at: number, size: number): void {
  if (size > POOL_SIZE / 8) {
    randomFillSync(target, at, size)
    return
  }
  const start = take(size)
  for (let i = 0; i < size; i++) target[at + i] = pool[start + i] as number
}

/** Reserves `size` unused bytes of the pool (refilling it when short) and returns where they start. */
function take(size: number): number {
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const start = offset
  offset += size
  return start
}
