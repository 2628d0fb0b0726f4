/**
 * A JSON body parsed in slices, so a big body never holds the event loop for
 * more than a slice. `JSON.parse` cannot pause, so it only ever gets small
 * texts. How:
 *
 * - One pass over the bytes follows the structure: strings are skipped with
 *   `indexOf`, brackets open and close frames on a stack, commas are noted.
 * - A container whose text stays under `PIECE` bytes is never built here: it
 *   is part of a *run*, consecutive members of its parent that go to
 *   `JSON.parse` together (wrapped in `[]` or `{}`), so V8 builds the values
 *   and checks the syntax.
 * - A container that grows past `PIECE` is *materialized*: created here and
 *   filled run by run, each run about `PIECE` bytes (flushed at a comma).
 * - A string longer than `PIECE` is decoded in pieces cut between escapes and
 *   UTF-8 sequences; whitespace longer than `GAP` is left out of runs.
 * - Refused with a 400, because no real body needs them and each would be one
 *   long step: a number or literal over `MAX_TOKEN` characters and nesting
 *   over `MAX_DEPTH` levels (Jackson's `StreamReadConstraints` defaults).
 *
 * For every valid text the result equals `JSON.parse`'s (property-tested,
 * with tiny pieces so every path runs), and every invalid text is refused.
 */

import { CinderError, describe } from '../../errors.ts'
import { setOwn } from '../own-property.ts'
import type { SlicedTask } from './slice.ts'

/** Most bytes given to `JSON.parse` at once (a run may reach about twice this). */
const PIECE = 16_384
/** Whitespace longer than this is left out of runs. */
const GAP = 1024
export const MAX_TOKEN = 1000
export const MAX_DEPTH = 1000

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

type Kind = 'root' | 'array' | 'object'
type Container = unknown[] | Record<string, unknown>

/**
 * Where a materialized frame's pending run stands: just opened, after a
 * comma (a member must follow), after a member built here (only a comma or
 * the end may follow), or after a long key (`: value` must follow).
 */
type RunState = 'open' | 'comma' | 'member' | 'key'

/** One open container (the root holds the single top-level value). */
class Frame {
  readonly kind: Kind
  readonly start: number
  /** The last comma at this level, or -1. */
  lastComma = -1
  /** Set once materialized. */
  value: Container | undefined
  /** Where the pending run (or its part after the last gap) starts. */
  runStart = 0
  /** The run's text before whitespace gaps, already decoded. */
  parts: string[] = []
  partsLength = 0
  state: RunState = 'open'
  /** A long key read on its own, waiting for its value. */
  key: string | undefined

  constructor(kind: Kind, start: number) {
    this.kind = kind
    this.start = start
  }
}

/** A string longer than PIECE, decoded piece by piece. */
interface LongString {
  at: number
  text: string
  /** The key it belongs under (a value), null for a value in a list, undefined when it is a key. */
  readonly key: string | null | undefined
}

/** The sizes that shape the slicing; tests shrink them so every path runs on small texts. */
export interface JsonSizes {
  readonly piece: number
  readonly gap: number
}

export interface JsonLimits {
  /** Most keys in a top-level object (the params the body adds). */
  readonly topLevelKeys?: number
  /** Thrown when the top-level object has more keys. */
  readonly tooManyKeys?: (max: number) => CinderError
}

export class JsonDecoder implements SlicedTask<unknown> {
  result: unknown
  readonly #bytes: Buffer
  readonly #limits: JsonLimits
  readonly #piece: number
  readonly #gap: number
  readonly #stack: Frame[]
  /** Frames below this index are materialized, the rest are not (yet). */
  #built = 1
  #at = 0
  /** Bytes handled since the clock was last read. */
  #work = 0
  #long: LongString | undefined
  /** The top-level object, once built here: its keys are counted. */
  #topObject: Container | undefined
  #topKeys = 0

  constructor(
    bytes: Buffer,
    limits: JsonLimits = {},
    sizes: JsonSizes = { piece: PIECE, gap: GAP },
  ) {
    this.#bytes = bytes
    this.#limits = limits
    this.#piece = sizes.piece
    this.#gap = sizes.gap
    const root = new Frame('root', -1)
    root.value = []
    this.#stack = [root]
  }

  run(deadline: number): boolean {
    const bytes = this.#bytes
    while (this.#at < bytes.length || this.#long !== undefined) {
      if (this.#work > this.#piece) {
        this.#work = 0
        if (performance.now() > deadline) return false
      }
      const from = this.#at
      if (this.#long !== undefined) {
        this.#longStep(this.#long)
        this.#work += this.#piece
        continue
      }
      this.#step(bytes[from] ?? 0)
      this.#materializeLong()
      this.#work += this.#at - from + 8
    }
    this.#finish()
    return true
  }

  /** One token: a string, a bracket, a comma, whitespace, or a number/literal/colon. */
  #step(byte: number): void {
    if (byte === QUOTE) this.#string()
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      this.#open(byte === OPEN_ARRAY ? 'array' : 'object')
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      this.#close(byte === CLOSE_ARRAY ? 'array' : 'object')
    } else if (byte === COMMA) this.#comma()
    else if (byte === COLON) this.#at++
    else if (isSpace(byte)) this.#whitespace()
    else this.#token()
  }

  #top(): Frame {
    return this.#stack[this.#stack.length - 1] as Frame
  }

  #isBuilt(frame: Frame): boolean {
    return frame.value !== undefined
  }

  #string(): void {
    const bytes = this.#bytes
    const start = this.#at
    let from = start + 1
    for (;;) {
      const quote = bytes.indexOf(QUOTE, from)
      if (quote === -1) throw malformed('unterminated string', start)
      if (quote - start > this.#piece) break
      let slash = quote - 1
      while (bytes[slash] === BACKSLASH) slash--
      if ((quote - 1 - slash) % 2 === 0) {
        this.#at = quote + 1
        return
      }
      from = quote + 1
    }
    // A long string: every open container is long too, so build them first.
    this.#materializeAll()
    const top = this.#top()
    const key = this.#beginMember(top, start)
    // In an object, a long string with nothing before it is a key.
    this.#long = {
      at: start + 1,
      text: '',
      key: key === null && top.kind === 'object' ? undefined : key,
    }
  }

  /** Decodes about PIECE bytes of a long string, cut after a whole escape and a whole UTF-8 character. */
  #longStep(long: LongString): void {
    const bytes = this.#bytes
    const stop = Math.min(bytes.length, long.at + this.#piece)
    let at = long.at
    while (at < stop) {
      const byte = bytes[at] as number
      if (byte === QUOTE) break
      at += byte === BACKSLASH ? (bytes[at + 1] === 0x75 ? 6 : 2) : 1
    }
    if (at >= bytes.length) throw malformed('unterminated string', long.at)
    // A UTF-8 character has at most 3 continuation bytes: past them the cut is clean.
    for (let more = 0; more < 3 && ((bytes[at] ?? 0) & 0xc0) === 0x80; more++) at++
    long.text += parseText(`"${bytes.toString('utf8', long.at, at)}"`, long.at) as string
    long.at = at
    if (bytes[at] !== QUOTE) return
    this.#long = undefined
    this.#at = at + 1
    const top = this.#top()
    if (long.key === undefined) {
      top.key = long.text
      this.#restartRun(top, this.#at, 'key')
      return
    }
    this.#attach(top, long.key, long.text)
    this.#restartRun(top, this.#at, 'member')
  }

  #open(kind: Kind): void {
    if (this.#stack.length > MAX_DEPTH) {
      throw new CinderError(
        'CINDER_ERR_BAD_REQUEST',
        `the JSON body nests deeper than ${MAX_DEPTH} levels`,
      )
    }
    this.#stack.push(new Frame(kind, this.#at))
    this.#at++
  }

  #close(kind: Kind): void {
    const at = this.#at
    const frame = this.#top()
    if (frame.kind !== kind) throw malformed(`unexpected ${kind === 'array' ? ']' : '}'}`, at)
    this.#stack.pop()
    this.#at = at + 1
    if (this.#built > this.#stack.length) this.#built = this.#stack.length
    if (!this.#isBuilt(frame)) return
    this.#endRun(frame, at)
    this.#restartRun(this.#top(), at + 1, 'member')
  }

  #comma(): void {
    const top = this.#top()
    const at = this.#at
    if (top.kind === 'root') throw malformed('unexpected , after the JSON value', at)
    top.lastComma = at
    this.#at = at + 1
    if (!this.#isBuilt(top)) return
    if (top.state === 'member') {
      if (!isBlank(this.#runText(top, at))) throw malformed('expected , or a closing bracket', at)
    } else if (top.state === 'key') {
      this.#endKeyedMember(top, at)
    } else if (top.partsLength + at - top.runStart > this.#piece) {
      this.#flush(top, this.#runText(top, at), top.runStart)
    } else {
      return
    }
    this.#restartRun(top, at + 1, 'comma')
  }

  /** Skips whitespace; a stretch longer than GAP is left out of the run. */
  #whitespace(): void {
    const bytes = this.#bytes
    const start = this.#at
    const stop = Math.min(bytes.length, start + this.#piece)
    let at = start + 1
    while (at < stop && isSpace(bytes[at] as number)) at++
    this.#at = at
    if (at - start <= this.#gap) return
    this.#materializeAll()
    const top = this.#top()
    // Members before the gap are flushed, so a run's parts never hold a comma of its own level.
    if (top.lastComma >= top.runStart) {
      this.#flush(top, this.#runText(top, top.lastComma), top.runStart)
      this.#restartRun(top, top.lastComma + 1, 'comma')
    }
    // One space stands for the gap, so the tokens on either side stay apart.
    const part = `${this.#bytes.toString('utf8', top.runStart, start)} `
    top.parts.push(part)
    top.partsLength += part.length
    top.runStart = at
  }

  /** A number, literal (or garbage): left to JSON.parse, but never longer than MAX_TOKEN. */
  #token(): void {
    const bytes = this.#bytes
    const start = this.#at
    let at = start
    while (at < bytes.length && isTokenByte(bytes[at] as number)) {
      if (at - start >= MAX_TOKEN) {
        throw new CinderError(
          'CINDER_ERR_BAD_REQUEST',
          `the JSON body has a number or literal longer than ${MAX_TOKEN} characters at byte ${start}`,
        )
      }
      at++
    }
    this.#at = at
  }

  /** Builds every frame whose text has grown past PIECE (outermost first). */
  #materializeLong(): void {
    const stack = this.#stack
    while (this.#built < stack.length) {
      const frame = stack[this.#built] as Frame
      if (this.#at - frame.start <= this.#piece) return
      this.#materialize(frame)
    }
  }

  #materializeAll(): void {
    while (this.#built < this.#stack.length) {
      this.#materialize(this.#stack[this.#built] as Frame)
    }
  }

  /** Creates the frame's container, hangs it in its parent, and flushes its complete members. */
  #materialize(frame: Frame): void {
    const parent = this.#stack[this.#built - 1] as Frame
    const key = this.#beginMember(parent, frame.start)
    if (key === null && parent.kind === 'object') {
      throw malformed('expected a string key', frame.start)
    }
    frame.value = frame.kind === 'array' ? [] : {}
    if (parent.kind === 'root') this.#topObject = frame.value
    this.#attach(parent, key, frame.value)
    this.#built++
    this.#restartRun(frame, frame.start + 1, 'open')
    if (frame.lastComma > frame.start) {
      this.#flush(frame, this.#runText(frame, frame.lastComma), frame.runStart)
      this.#restartRun(frame, frame.lastComma + 1, 'comma')
    }
  }

  /**
   * Before a member built here (a container or a long string) starting at
   * `at`: flushes the members before it and reads what precedes it. Returns
   * its key in an object (null when nothing precedes it: it is a key itself),
   * null in a list.
   */
  #beginMember(frame: Frame, at: number): string | null {
    if (frame.state === 'member') throw malformed('expected , or a closing bracket', at)
    let prefix: string
    if (frame.lastComma >= frame.runStart) {
      this.#flush(frame, this.#runText(frame, frame.lastComma), frame.runStart)
      prefix = this.#bytes.toString('utf8', frame.lastComma + 1, at)
    } else {
      prefix = this.#runText(frame, at)
    }
    if (frame.kind !== 'object') {
      if (!isBlank(prefix)) throw malformed('expected , before the value', at)
      return null
    }
    if (frame.state === 'key') {
      if (!COLON_ONLY.test(prefix)) throw malformed('expected : after the key', at)
      const key = frame.key as string
      frame.key = undefined
      return key
    }
    if (isBlank(prefix)) return null
    const match = KEY_PREFIX.exec(prefix)
    if (match === null) throw malformed('expected "key": before the value', at)
    return parseText(match[1] as string, at) as string
  }

  /** The run's pending text up to `end`. */
  #runText(frame: Frame, end: number): string {
    const tail = this.#bytes.toString('utf8', frame.runStart, end)
    return frame.parts.length === 0 ? tail : frame.parts.join('') + tail
  }

  #restartRun(frame: Frame, at: number, state: RunState): void {
    frame.runStart = at
    frame.state = state
    if (frame.parts.length > 0) {
      frame.parts = []
      frame.partsLength = 0
    }
  }

  /** The frame closes at `at`: its last run must fit its state. */
  #endRun(frame: Frame, at: number): void {
    const text = this.#runText(frame, at)
    if (frame.state === 'key') this.#endKeyedMember(frame, at)
    else if (!isBlank(text)) {
      if (frame.state === 'member') throw malformed('expected , or a closing bracket', at)
      this.#flush(frame, text, frame.runStart)
    } else if (frame.state === 'comma') {
      throw malformed('expected a value after ,', at)
    }
  }

  /** `: value` after a long key, up to `end`. */
  #endKeyedMember(frame: Frame, end: number): void {
    const match = KEYED_VALUE.exec(this.#runText(frame, end))
    if (match === null || isBlank(match[1] as string)) {
      throw malformed('expected : and a value after the key', end)
    }
    const key = frame.key as string
    frame.key = undefined
    this.#attach(frame, key, parseText(match[1] as string, frame.runStart))
  }

  /** Parses a run of complete members and adds them to the frame's container. */
  #flush(frame: Frame, text: string, at: number): void {
    if (isBlank(text)) throw malformed('expected a value', at)
    this.#work += text.length
    if (frame.kind === 'object') {
      const members = parseText(`{${text}}`, at) as Record<string, unknown>
      for (const key of Object.keys(members)) this.#attach(frame, key, members[key])
      return
    }
    const values = parseText(`[${text}]`, at) as unknown[]
    for (const value of values) this.#attach(frame, null, value)
  }

  /** Adds a value to a container: under `key` in an object, at the end of a list. */
  #attach(frame: Frame, key: string | null, value: unknown): void {
    const target = frame.value as Container
    if (Array.isArray(target)) {
      if (frame.kind === 'root' && target.length > 0) {
        throw malformed('unexpected data after the JSON value', this.#at)
      }
      target.push(value)
      return
    }
    if (target === this.#topObject && !Object.hasOwn(target, key as string)) this.#countTopKey()
    setOwn(target, key as string, value)
  }

  #countTopKey(): void {
    const max = this.#limits.topLevelKeys
    if (max !== undefined && ++this.#topKeys > max) {
      throw (this.#limits.tooManyKeys ?? defaultTooManyKeys)(max)
    }
  }

  #finish(): void {
    if (this.#stack.length > 1) throw malformed('unexpected end of the JSON body', this.#at)
    const root = this.#stack[0] as Frame
    this.#endRun(root, this.#bytes.length)
    const values = root.value as unknown[]
    this.result = values.length === 0 ? undefined : values[0]
  }
}

// JSON's whitespace is these four only (String#trim would take more).
const BLANK = /^[ \t\n\r]*$/
const COLON_ONLY = /^[ \t\n\r]*:[ \t\n\r]*$/
const KEY_PREFIX = /^[ \t\n\r]*("(?:[^"\\]|\\[\s\S])*")[ \t\n\r]*:[ \t\n\r]*$/
const KEYED_VALUE = /^[ \t\n\r]*:([\s\S]*)$/

function isBlank(text: string): boolean {
  return BLANK.test(text)
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/** Bytes of a number or literal: anything but whitespace, quotes and punctuation. */
function isTokenByte(byte: number): boolean {
  return !(
    isSpace(byte) ||
    byte === QUOTE ||
    byte === COMMA ||
    byte === COLON ||
    byte === OPEN_ARRAY ||
    byte === CLOSE_ARRAY ||
    byte === OPEN_OBJECT ||
    byte === CLOSE_OBJECT
  )
}

function parseText(text: string, at: number): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw malformed((error as Error).message, at)
  }
}

function malformed(why: string, at: number): CinderError {
  return new CinderError('CINDER_ERR_BAD_REQUEST', `malformed JSON body: ${why} (near byte ${at})`)
}

function defaultTooManyKeys(max: number): CinderError {
  return new CinderError(
    'CINDER_ERR_TOO_MANY_PARAMS',
    `the JSON body's top-level object has more than ${describe(max)} keys`,
  )
}
