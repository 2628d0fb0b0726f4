/**
 * HChaCha20 (draft-irtf-cfrg-xchacha §2.2): the ChaCha20 block function
 * without the final addition, keeping words 0-3 and 12-15. XChaCha20 uses it
 * to turn a 256-bit key and the first 16 bytes of a 24-byte nonce into a
 * subkey for plain ChaCha20, which Node's crypto provides.
 */

// "expand 32-byte k" as four little-endian words.
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const

export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  if (key.length !== 32 || nonce16.length !== 16) {
    throw new RangeError('hchacha20 needs a 32-byte key and a 16-byte nonce')
  }
  const k = new DataView(key.buffer, key.byteOffset, 32)
  const n = new DataView(nonce16.buffer, nonce16.byteOffset, 16)
  const s = new Uint32Array(16)
  s.set(SIGMA, 0)
  for (let i = 0; i < 8; i++) s[4 + i] = k.getUint32(i * 4, true)
  for (let i = 0; i < 4; i++) s[12 + i] = n.getUint32(i * 4, true)
  for (let round = 0; round < 10; round++) {
    quarterRound(s, 0, 4, 8, 12)
    quarterRound(s, 1, 5, 9, 13)
    quarterRound(s, 2, 6, 10, 14)
    quarterRound(s, 3, 7, 11, 15)
    quarterRound(s, 0, 5, 10, 15)
    quarterRound(s, 1, 6, 11, 12)
    quarterRound(s, 2, 7, 8, 13)
    quarterRound(s, 3, 4, 9, 14)
  }
  const out = new Uint8Array(32)
  const o = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) {
    o.setUint32(i * 4, s[i] ?? 0, true)
    o.setUint32(16 + i * 4, s[12 + i] ?? 0, true)
  }
  return out
}

function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  // Uint32Array stores wrap modulo 2^32; reads are numbers, hence the `?? 0`.
  s[a] = (s[a] ?? 0) + (s[b] ?? 0)
  s[d] = rotl((s[d] ?? 0) ^ (s[a] ?? 0), 16)
  s[c] = (s[c] ?? 0) + (s[d] ?? 0)
  s[b] = rotl((s[b] ?? 0) ^ (s[c] ?? 0), 12)
  s[a] = (s[a] ?? 0) + (s[b] ?? 0)
  s[d] = rotl((s[d] ?? 0) ^ (s[a] ?? 0), 8)
  s[c] = (s[c] ?? 0) + (s[d] ?? 0)
  s[b] = rotl((s[b] ?? 0) ^ (s[c] ?? 0), 7)
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n))
}
