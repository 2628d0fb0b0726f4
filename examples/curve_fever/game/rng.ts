/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), 128 bits of state in four
 * uint32 words, seeded through splitmix32 so that nearby seeds give unrelated streams.
 * Everything random in the simulation (spawns, gaps, bot wander) draws from one of these, so a
 * game is a pure function of its seed and its inputs.
 */

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** One splitmix32 step: returns the next state and a well-mixed output. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return [next, (z ^ (z >>> 16)) >>> 0]
}

/** Mixes a seed with further integers (round, seat, purpose) into one independent 32-bit seed. */
export function deriveSeed(seed: number, ...parts: readonly number[]): number {
  let [state, out] = splitmix32(seed | 0)
  for (const part of parts) [state, out] = splitmix32((state ^ Math.imul(part | 0, 0x27d4eb2d)) | 0)
  return (out ^ state) >>> 0
}

export class Rng {
  #a: number
  #b: number
  #c: number
  #d: number

  /** Seeds from four raw words (not all zero); prefer `Rng.fromSeed`. */
  constructor(a: number, b: number, c: number, d: number) {
    if ((a | b | c | d) === 0) throw new RangeError('Rng: the state must not be all zeros')
    this.#a = a >>> 0
    this.#b = b >>> 0
    this.#c = c >>> 0
    this.#d = d >>> 0
  }

  static fromSeed(seed: number): Rng {
    let state = seed | 0
    const words: number[] = []
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state)
      state = next
      words.push(out)
    }
    const [a = 0, b = 0, c = 0, d = 1] = words
    return new Rng(a, b, c, d === 0 && (a | b | c) === 0 ? 1 : d)
  }

  /** The next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0
    const t = this.#b << 9
    this.#c ^= this.#a
    this.#d ^= this.#b
    this.#b ^= this.#c
    this.#a ^= this.#d
    this.#c ^= t
    this.#d = rotl(this.#d, 11)
    return result
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextU32() / 0x1_0000_0000
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.float()
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }

  /** The four state words, for hashing and snapshots. */
  state(): [number, number, number, number] {
    return [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0]
  }
}
