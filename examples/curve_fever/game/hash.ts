/** FNV-1a (32-bit) over numbers and bytes: a cheap fingerprint of the whole simulation state. */

const f64 = new Float64Array(1)
const f64Words = new Uint32Array(f64.buffer)

export class StateHash {
  #h = 0x811c9dc5

  #byte(b: number): void {
    this.#h = Math.imul(this.#h ^ (b & 0xff), 0x01000193)
  }

  u32(n: number): this {
    for (let shift = 0; shift < 32; shift += 8) this.#byte(n >>> shift)
    return this
  }

  /** Exact bits of a double, so the tiniest drift in physics changes the hash. */
  f64(n: number): this {
    f64[0] = n
    return this.u32(f64Words[0] ?? 0).u32(f64Words[1] ?? 0)
  }

  bytes(bytes: Uint8Array): this {
    for (const b of bytes) this.#byte(b)
    return this
  }

  text(s: string): this {
    this.u32(s.length)
    for (let i = 0; i < s.length; i++) this.u32(s.charCodeAt(i))
    return this
  }

  digest(): string {
    return (this.#h >>> 0).toString(16).padStart(8, '0')
  }
}
