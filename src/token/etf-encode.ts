/**
 * `term_to_binary` for JavaScript values (see etf-term.ts for the mapping).
 * The output matches what Erlang/OTP writes for the same term with default
 * options (OTP < 26 atom tags), so a token signed here is byte-identical to
 * one signed by Phoenix.Token, maps of up to 32 keys included (Erlang writes
 * small maps in key order; larger ones in hash order, which is not reproduced).
 */
import { CinderError, describe } from '../errors.ts'
import { EtfAtom, type EtfTerm, EtfTuple, TAG } from './etf-term.ts'

export interface EncodeTermOptions {
  /** Deepest nesting accepted (guards against cycles). Default 100. */
  readonly maxDepth?: number
}

const utf8 = new TextEncoder()
const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

/** Encodes `term` in the Erlang external term format (with the leading version byte). */
export function encodeTerm(term: EtfTerm, options: EncodeTermOptions = {}): Uint8Array {
  const out = new ByteWriter()
  out.u8(TAG.VERSION)
  writeTerm(out, term, options.maxDepth ?? 100)
  return out.result()
}

function writeTerm(out: ByteWriter, term: unknown, depth: number): void {
  if (depth < 0) throw unencodable('nesting deeper than maxDepth (a cycle?)', term)
  if (typeof term === 'string') writeBinary(out, utf8.encode(term))
  else if (typeof term === 'number') writeNumber(out, term)
  else if (typeof term === 'bigint') writeInteger(out, term)
  else if (typeof term === 'boolean') writeAtom(out, term ? 'true' : 'false')
  else if (term === null) writeAtom(out, 'nil')
  else if (term instanceof Uint8Array) writeBinary(out, term)
  else if (Array.isArray(term)) writeList(out, term, depth)
  else if (term instanceof EtfTuple) writeTuple(out, term.elements, depth)
  else if (term instanceof EtfAtom) writeAtom(out, term.name)
  else if (term instanceof Map) writeMap(out, [...term], depth)
  else if (isPlainObject(term)) writeObject(out, term, depth)
  else throw unencodable('a JSON value, bigint, Uint8Array, Map, EtfTuple or EtfAtom', term)
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function writeObject(out: ByteWriter, term: object, depth: number): void {
  // Keys in UTF-8 byte order: Erlang's term order for binaries, so small maps match OTP.
  const entries = Object.entries(term)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [utf8.encode(key), value] as const)
    .sort(([a], [b]) => Buffer.compare(a, b))
  out.u8(TAG.MAP)
  out.u32(entries.length)
  for (const [key, value] of entries) {
    writeBinary(out, key)
    writeTerm(out, value, depth - 1)
  }
}

function writeNumber(out: ByteWriter, n: number): void {
  if (Number.isSafeInteger(n)) {
    writeInteger(out, n)
  } else if (Number.isFinite(n)) {
    out.u8(TAG.NEW_FLOAT)
    out.f64(n)
  } else {
    throw unencodable('a finite number (Erlang has no NaN or Infinity)', n)
  }
}

function writeInteger(out: ByteWriter, n: number | bigint): void {
  if (n >= 0 && n <= 255) {
    out.u8(TAG.SMALL_INTEGER)
    out.u8(Number(n))
  } else if (n >= INT32_MIN && n <= INT32_MAX) {
    out.u8(TAG.INTEGER)
    out.i32(Number(n))
  } else {
    writeBig(out, BigInt(n))
  }
}

function writeBig(out: ByteWriter, n: bigint): void {
  const negative = n < 0n
  const hex = (negative ? -n : n).toString(16)
  const digits = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').reverse()
  if (digits.length <= 255) {
    out.u8(TAG.SMALL_BIG)
    out.u8(digits.length)
  } else {
    out.u8(TAG.LARGE_BIG)
    out.u32(digits.length)
  }
  out.u8(negative ? 1 : 0)
  out.bytes(digits)
}

function writeAtom(out: ByteWriter, name: string): void {
  const latin1 = [...name].every((c) => c.charCodeAt(0) <= 0xff)
  const bytes = latin1 ? Buffer.from(name, 'latin1') : utf8.encode(name)
  if ([...name].length > 255) throw unencodable('an atom of at most 255 characters', name)
  if (latin1) {
    out.u8(TAG.ATOM)
    out.u16(bytes.length)
  } else if (bytes.length <= 255) {
    out.u8(TAG.SMALL_ATOM_UTF8)
    out.u8(bytes.length)
  } else {
    out.u8(TAG.ATOM_UTF8)
    out.u16(bytes.length)
  }
  out.bytes(bytes)
}

function writeBinary(out: ByteWriter, bytes: Uint8Array): void {
  out.u8(TAG.BINARY)
  out.u32(bytes.length)
  out.bytes(bytes)
}

function writeList(out: ByteWriter, items: readonly unknown[], depth: number): void {
  if (items.length === 0) {
    out.u8(TAG.NIL)
  } else if (items.length <= 0xffff && items.every(isByte)) {
    // Like term_to_binary, a short list of bytes is written as a "string".
    out.u8(TAG.STRING)
    out.u16(items.length)
    for (const item of items) out.u8(item as number)
  } else {
    out.u8(TAG.LIST)
    out.u32(items.length)
    for (const item of items) writeTerm(out, item, depth - 1)
    out.u8(TAG.NIL)
  }
}

function writeTuple(out: ByteWriter, items: readonly unknown[], depth: number): void {
  if (items.length <= 255) {
    out.u8(TAG.SMALL_TUPLE)
    out.u8(items.length)
  } else {
    out.u8(TAG.LARGE_TUPLE)
    out.u32(items.length)
  }
  for (const item of items) writeTerm(out, item, depth - 1)
}

function writeMap(
  out: ByteWriter,
  entries: readonly (readonly [unknown, unknown])[],
  depth: number,
) {
  out.u8(TAG.MAP)
  out.u32(entries.length)
  for (const [key, value] of entries) {
    writeTerm(out, key, depth - 1)
    writeTerm(out, value, depth - 1)
  }
}

function isByte(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255
}

function unencodable(expected: string, got: unknown): CinderError {
  return new CinderError('CINDER_ERR_ETF_ENCODE', `expected ${expected}, got ${describe(got)}`)
}

/** An append-only byte buffer that doubles as it fills. */
class ByteWriter {
  #buf = new Uint8Array(64)
  #view = new DataView(this.#buf.buffer)
  #len = 0

  /** Claims n bytes; may replace #buf and #view, so call it before touching them. */
  #reserve(n: number): number {
    const at = this.#len
    if (at + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, at + n))
      next.set(this.#buf.subarray(0, at))
      this.#buf = next
      this.#view = new DataView(next.buffer)
    }
    this.#len = at + n
    return at
  }

  u8(n: number): void {
    const at = this.#reserve(1)
    this.#view.setUint8(at, n)
  }
  u16(n: number): void {
    const at = this.#reserve(2)
    this.#view.setUint16(at, n)
  }
  u32(n: number): void {
    const at = this.#reserve(4)
    this.#view.setUint32(at, n)
  }
  i32(n: number): void {
    const at = this.#reserve(4)
    this.#view.setInt32(at, n)
  }
  f64(n: number): void {
    const at = this.#reserve(8)
    this.#view.setFloat64(at, n)
  }
  bytes(b: Uint8Array): void {
    const at = this.#reserve(b.length)
    this.#buf.set(b, at)
  }
  result(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}
