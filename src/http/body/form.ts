/**
 * An urlencoded body decoded in slices, with exactly the rules of
 * `decodeQuery` (query.ts): the bytes are split at `&` and each part is
 * decoded and nested as there. A part up to `PIECE` bytes is one step; a
 * longer one is decoded `PIECE` bytes at a time, cut where no `%XX` escape and
 * no UTF-8 sequence (raw or escaped) is split, so every step stays short
 * however the body is shaped.
 */
import {
  assignParam,
  DEFAULT_DEPTH_LIMIT,
  DEFAULT_PARAMS_LIMIT,
  decodeComponent,
  decodePair,
  type Params,
  type QueryLimits,
  tooManyParams,
} from '../query.ts'
import type { SlicedTask } from './slice.ts'

/** Most bytes decoded in one step. */
const PIECE = 16_384
const AMP = 0x26
const EQ = 0x3d
const PERCENT = 0x25

/** A long part being decoded: its name, then its value, piece by piece. */
interface LongPart {
  /** Where the name ends (the `=`, or the part's end). */
  readonly eq: number
  readonly end: number
  at: number
  text: string
  name: string | undefined
}

export class FormDecoder implements SlicedTask<Params> {
  readonly result: Params = {}
  readonly #bytes: Buffer
  readonly #params: number
  readonly #depth: number
  #at = 0
  #count = 0
  #long: LongPart | undefined

  constructor(bytes: Buffer, limits: QueryLimits = {}) {
    this.#bytes = bytes
    this.#params = limits.params ?? DEFAULT_PARAMS_LIMIT
    this.#depth = limits.depth ?? DEFAULT_DEPTH_LIMIT
  }

  run(deadline: number): boolean {
    const bytes = this.#bytes
    if (bytes.length === 0) return true
    // The clock is read once per PIECE bytes of work (a part costs at least 64).
    let work = 0
    while (this.#long !== undefined || this.#at <= bytes.length) {
      if (work > PIECE) {
        if (performance.now() > deadline) return false
        work = 0
      }
      if (this.#long !== undefined) {
        this.#longStep(this.#long)
        work += PIECE
        continue
      }
      let end = bytes.indexOf(AMP, this.#at)
      if (end === -1) end = bytes.length
      if (++this.#count > this.#params) throw tooManyParams(this.#params)
      work += end - this.#at + 64
      if (end - this.#at <= PIECE) {
        const pair = decodePair(bytes.toString('utf8', this.#at, end))
        if (pair !== undefined) assignParam(this.result, pair[0], pair[1], this.#depth)
      } else {
        const eq = bytes.indexOf(EQ, this.#at)
        const nameEnd = eq === -1 || eq > end ? end : eq
        this.#long = { eq: nameEnd, end, at: this.#at, text: '', name: undefined }
      }
      this.#at = end + 1
    }
    return true
  }

  /** Decodes one piece of a long part; assigns it once its value is done. */
  #longStep(part: LongPart): void {
    const bytes = this.#bytes
    const stop = part.name === undefined ? part.eq : part.end
    const cut = part.at + PIECE >= stop ? stop : safeCut(bytes, part.at, part.at + PIECE)
    part.text += decodeComponent(bytes.toString('utf8', part.at, cut))
    part.at = cut
    if (cut < stop) return
    if (part.name === undefined) {
      part.name = part.text
      part.text = ''
      part.at = Math.min(part.eq + 1, part.end)
      if (part.at < part.end) return
    }
    this.#long = undefined
    if (part.name !== '') assignParam(this.result, part.name, part.text, this.#depth)
  }
}

/**
 * A cut at or a little before `at` that splits no `%XX` escape and no UTF-8
 * sequence. A valid character is at most 12 bytes as escapes; past that the
 * bytes are malformed anyway and any cut decodes (or fails) the same.
 */
function safeCut(bytes: Buffer, from: number, at: number): number {
  for (let cut = at; cut > from && at - cut < 12; cut--) {
    if (cutsCleanly(bytes, cut)) return cut
  }
  return at
}

function cutsCleanly(bytes: Buffer, cut: number): boolean {
  const byte = bytes[cut] ?? 0
  if ((byte & 0xc0) === 0x80) return false // a raw continuation byte
  if (bytes[cut - 1] === PERCENT || bytes[cut - 2] === PERCENT) return false // inside %XX
  if (byte !== PERCENT) return true
  const high = hexDigit(bytes[cut + 1])
  const low = hexDigit(bytes[cut + 2])
  return high < 0 || low < 0 || ((high << 4) & 0xc0) !== 0x80 // not an escaped continuation byte
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  const lower = byte | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1
}
