/**
 * `binary_to_term` for untrusted bytes. Every failure is a CinderError with
 * code CINDER_ERR_ETF_DECODE; the work done is linear in the input (each
 * declared length is checked against the bytes left before anything is
 * allocated), nesting is bounded, and executable or node-local terms (funs,
 * pids, ports, references) are refused.
 */
import { inflateSync } from 'node:zlib'
import { CinderError } from '../errors.ts'
import { type EtfTerm, EtfTuple, EXECUTABLE_TAGS, NODE_LOCAL_TAGS, TAG } from './etf-term.ts'

export interface DecodeTermOptions {
  /** Deepest nesting accepted. Default 100. */
  readonly maxDepth?: number
  /** Largest integer accepted, in bytes of magnitude. Default 1024 (8192 bits). */
  readonly maxBigBytes?: number
  /** Largest size a compressed term may inflate to. Default 1 MiB. */
  readonly maxInflatedBytes?: number
  /** `'auto'` (default): binaries that are valid UTF-8 become strings. `'bytes'`: always Uint8Array. */
  readonly binaries?: 'auto' | 'bytes'
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const latin1 = new TextDecoder('latin1')

/** Decodes one term written by `term_to_binary` (or `encodeTerm`); trailing bytes are refused. */
export function decodeTerm(bytes: Uint8Array, options: DecodeTermOptions = {}): EtfTerm {
  if (bytes[0] !== TAG.VERSION) {
    throw malformed(`expected version byte 131 at offset 0, got ${bytes[0] ?? 'end of input'}`)
  }
  let body = bytes.subarray(1)
  if (body[0] === TAG.COMPRESSED) body = inflate(body, options.maxInflatedBytes ?? 1024 * 1024)
  const reader = new Reader(body, options)
  const term = reader.term(options.maxDepth ?? 100)
  if (reader.remaining > 0) {
    throw malformed(`${reader.remaining} trailing byte(s) after the term`)
  }
  return term
}

function inflate(body: Uint8Array, limit: number): Uint8Array {
  if (body.length < 5) throw malformed('truncated compressed term header')
  const size = new DataView(body.buffer, body.byteOffset).getUint32(1)
  if (size > limit) throw malformed(`compressed term inflates to ${size} bytes (limit ${limit})`)
  let inflated: Buffer
  try {
    inflated = inflateSync(body.subarray(5), { maxOutputLength: Math.max(size, 1) })
  } catch (cause) {
    throw malformed(`compressed term does not inflate: ${(cause as Error).message}`, cause)
  }
  if (inflated.length !== size) {
    throw malformed(`compressed term declares ${size} bytes but inflates to ${inflated.length}`)
  }
  return inflated
}

function malformed(message: string, cause?: unknown): CinderError {
  return new CinderError('CINDER_ERR_ETF_DECODE', message, cause === undefined ? {} : { cause })
}

class Reader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  readonly #maxBigBytes: number
  readonly #binariesAsBytes: boolean
  #at = 0

  constructor(bytes: Uint8Array, options: DecodeTermOptions) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#maxBigBytes = options.maxBigBytes ?? 1024
    this.#binariesAsBytes = options.binaries === 'bytes'
  }

  get remaining(): number {
    return this.#bytes.length - this.#at
  }

  term(depth: number): EtfTerm {
    if (depth < 0) throw malformed('term nested deeper than maxDepth')
    const at = this.#at
    const tag = this.#u8()
    switch (tag) {
      case TAG.SMALL_INTEGER:
        return this.#u8()
      case TAG.INTEGER:
        return this.#view.getInt32(this.#take(4))
      case TAG.SMALL_BIG:
        return this.#big(this.#u8())
      case TAG.LARGE_BIG:
        return this.#big(this.#u32())
      case TAG.NEW_FLOAT:
        return this.#view.getFloat64(this.#take(8))
      case TAG.FLOAT:
        return this.#oldFloat()
      case TAG.ATOM:
        return this.#atom(latin1.decode(this.#slice(this.#u16())))
      case TAG.SMALL_ATOM:
        return this.#atom(latin1.decode(this.#slice(this.#u8())))
      case TAG.ATOM_UTF8:
        return this.#atom(this.#utf8(this.#slice(this.#u16()), 'atom'))
      case TAG.SMALL_ATOM_UTF8:
        return this.#atom(this.#utf8(this.#slice(this.#u8()), 'atom'))
      case TAG.BINARY:
        return this.#binary(this.#slice(this.#u32()))
      case TAG.BIT_BINARY:
        return this.#bitBinary()
      case TAG.SMALL_TUPLE:
        return this.#tuple(this.#u8(), depth)
      case TAG.LARGE_TUPLE:
        return this.#tuple(this.#u32(), depth)
      case TAG.NIL:
        return []
      case TAG.STRING:
        return Array.from(this.#slice(this.#u16()))
      case TAG.LIST:
        return this.#list(depth)
      case TAG.MAP:
        return this.#map(depth)
      default:
        throw this.#refuse(tag, at)
    }
  }

  #refuse(tag: number, at: number): CinderError {
    if (EXECUTABLE_TAGS.has(tag)) {
      return malformed(`executable term (tag ${tag}) at offset ${at} is not safe to decode`)
    }
    const local = NODE_LOCAL_TAGS.get(tag)
    if (local)
      return malformed(`${local} (tag ${tag}) at offset ${at} has no meaning outside Erlang`)
    return malformed(`unknown term tag ${tag} at offset ${at}`)
  }

  #take(n: number): number {
    const at = this.#at
    if (n > this.#bytes.length - at) {
      throw malformed(`truncated term: needed ${n} byte(s) at offset ${at}, ${this.remaining} left`)
    }
    this.#at = at + n
    return at
  }

  #u8(): number {
    return this.#view.getUint8(this.#take(1))
  }
  #u16(): number {
    return this.#view.getUint16(this.#take(2))
  }
  #u32(): number {
    return this.#view.getUint32(this.#take(4))
  }
  #slice(n: number): Uint8Array {
    const at = this.#take(n)
    return this.#bytes.subarray(at, at + n)
  }

  /** Checks a declared element count against the bytes left (each element takes at least one). */
  #count(n: number, perElement: number, what: string): number {
    if (n * perElement > this.remaining) {
      throw malformed(`${what} declares ${n} elements but only ${this.remaining} byte(s) are left`)
    }
    return n
  }

  #utf8(bytes: Uint8Array, what: string): string {
    try {
      return strictUtf8.decode(bytes)
    } catch {
      throw malformed(`${what} is not valid UTF-8`)
    }
  }

  #atom(name: string): EtfTerm {
    if (name === 'nil') return null
    if (name === 'true') return true
    if (name === 'false') return false
    return name
  }

  #binary(bytes: Uint8Array): EtfTerm {
    if (!this.#binariesAsBytes) {
      try {
        return strictUtf8.decode(bytes)
      } catch {
        // Not text: handed over as bytes below.
      }
    }
    return new Uint8Array(bytes)
  }

  #bitBinary(): EtfTerm {
    const length = this.#u32()
    const bits = this.#u8()
    const bytes = this.#slice(length)
    // A bitstring whose last byte is whole is just a binary; others have no JS form.
    if (bits !== 8 || length === 0)
      throw malformed('bitstrings that are not whole bytes are not supported')
    return this.#binary(bytes)
  }

  #big(n: number): number | bigint {
    if (n > this.#maxBigBytes) throw malformed(`integer of ${n} bytes exceeds maxBigBytes`)
    const negative = this.#u8() === 1
    const digits = this.#slice(n)
    let value: number | bigint
    if (n <= 6) {
      value = 0
      for (let i = n - 1; i >= 0; i--) value = value * 256 + (digits[i] ?? 0)
    } else {
      const hex = Buffer.from(digits).reverse().toString('hex')
      value = BigInt(`0x${hex || '0'}`)
      if (value <= BigInt(Number.MAX_SAFE_INTEGER)) value = Number(value)
    }
    if (typeof value === 'number') return negative && value !== 0 ? -value : value
    return negative ? -value : value
  }

  #oldFloat(): number {
    const text = latin1.decode(this.#slice(31)).replace(/\0+$/, '')
    const value = Number(text)
    if (text.trim() === '' || !Number.isFinite(value))
      throw malformed(`bad FLOAT_EXT ${JSON.stringify(text)}`)
    return value
  }

  #tuple(arity: number, depth: number): EtfTuple {
    this.#count(arity, 1, 'tuple')
    const elements: EtfTerm[] = []
    for (let i = 0; i < arity; i++) elements.push(this.term(depth - 1))
    return new EtfTuple(elements)
  }

  #list(depth: number): EtfTerm[] {
    const length = this.#count(this.#u32(), 1, 'list')
    const items: EtfTerm[] = []
    for (let i = 0; i < length; i++) items.push(this.term(depth - 1))
    if (this.#u8() !== TAG.NIL) throw malformed('improper lists are not supported')
    return items
  }

  #map(depth: number): EtfTerm {
    const arity = this.#count(this.#u32(), 2, 'map')
    const entries: [EtfTerm, EtfTerm][] = []
    let stringKeys = true
    for (let i = 0; i < arity; i++) {
      const key = this.term(depth - 1)
      if (typeof key !== 'string') stringKeys = false
      entries.push([key, this.term(depth - 1)])
    }
    if (stringKeys) {
      const object = Object.fromEntries(entries) as Record<string, EtfTerm>
      if (Object.keys(object).length !== arity) throw malformed('map has duplicate keys')
      return object
    }
    return new Map(entries)
  }
}
