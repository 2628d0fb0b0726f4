/**
 * Plug.Crypto.KeyGenerator: PBKDF2-HMAC keys derived from a secret key base
 * and a salt, cached because 1000 iterations cost about a millisecond.
 */
import { pbkdf2Sync } from 'node:crypto'
import { CinderError, describe } from '../errors.ts'

export type KeyDigest = 'sha256' | 'sha384' | 'sha512'

export interface DeriveKeyOptions {
  /** PBKDF2 iterations. Default 1000 (Plug's default; raise it for passwords, not for tokens). */
  readonly iterations?: number
  /** Key length in bytes. Default 32. */
  readonly length?: number
  /** PBKDF2 HMAC digest. Default `'sha256'`. */
  readonly digest?: KeyDigest
  /** Cache the key (default true). Turn off when secrets or salts are unbounded. */
  readonly cache?: boolean
}

const CACHE_LIMIT = 1024
const cache = new Map<string, Buffer>()

/** Derives a key from `secretKeyBase` and `salt`, as Plug.Crypto.KeyGenerator.generate does. */
export function deriveKey(
  secretKeyBase: string | Uint8Array,
  salt: string | Uint8Array,
  options: DeriveKeyOptions = {},
): Buffer {
  const { iterations = 1000, length = 32, digest = 'sha256' } = options
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw badOption('iterations: a positive integer', iterations)
  }
  if (!Number.isSafeInteger(length) || length < 1 || length > 1024) {
    throw badOption('length: an integer from 1 to 1024', length)
  }
  if (digest !== 'sha256' && digest !== 'sha384' && digest !== 'sha512') {
    throw badOption("digest: 'sha256', 'sha384' or 'sha512'", digest)
  }
  if (options.cache === false) return pbkdf2Sync(secretKeyBase, salt, iterations, length, digest)
  const id = `${hex(secretKeyBase)}:${hex(salt)}:${iterations}:${length}:${digest}`
  let key = cache.get(id)
  if (!key) {
    key = pbkdf2Sync(secretKeyBase, salt, iterations, length, digest)
    // A bounded cache: dropping the oldest entry keeps memory flat if salts vary.
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '')
    cache.set(id, key)
  }
  return key
}

function hex(value: string | Uint8Array): string {
  return Buffer.from(value).toString('hex')
}

function badOption(expected: string, got: unknown): CinderError {
  return new CinderError('CINDER_ERR_TOKEN_CONFIG', `expected ${expected}, got ${describe(got)}`)
}
