/**
 * Compiles a template literal's strings, once per strings array (WeakMap cache,
 * as lit-html's templateCache), into what the renderer needs:
 *
 * - the statics sent as `"s"`: the literal's strings, except that for a whole
 *   attribute value (`<p class=${x}>`) the ` class=` is cut from the static and
 *   the slot renders ` class="…"` itself, as HEEx does, so `null`/`false` drop the
 *   attribute and `true` leaves it bare;
 * - the kind of each slot, from where it sits in the markup;
 * - whether the markup is exactly one root element (live components need that,
 *   because the client adds its `data-phx-component` attributes to that element).
 *
 * A small HTML tokenizer finds the slot positions. It rejects values where the
 * markup cannot hold one safely (tag names, attribute names, unquoted partial
 * attribute values), at first render, with the offending spot in the message.
 */

import { CinderError, describe } from '../errors.ts'
import { VOID_ELEMENTS } from './void-elements.ts'

export const SlotKind = {
  /** Between tags: text, a nested template, a list, a component. */
  child: 0,
  /** `name=${v}`: the whole attribute, rendered with its name. */
  attr: 1,
  /** Inside a quoted attribute value: `class="a ${v}"`. */
  part: 2,
  /** Between attributes: `<div ${attrs}>`, an object of attributes. */
  spread: 3,
} as const
export type SlotKind = (typeof SlotKind)[keyof typeof SlotKind]

export interface Compiled {
  /** Unique per strings array: the fingerprint. */
  readonly id: number
  readonly statics: readonly string[]
  readonly kinds: readonly SlotKind[]
  /** Attribute names for `attr` slots (undefined elsewhere). */
  readonly names: readonly (string | undefined)[]
  readonly singleRoot: boolean
}

let nextId = 0

/** A compiled template built in code (no literal): list items that are not all one template. */
export function syntheticTemplate(
  statics: readonly string[],
  kinds: readonly SlotKind[],
): Compiled {
  return { id: nextId++, statics, kinds, names: kinds.map(() => undefined), singleRoot: false }
}

const UNQUOTED = `an unquoted attribute value must be the whole value; quote it: name="…\${x}…"`

const cache = new WeakMap<TemplateStringsArray, Compiled>()

export function compile(strings: TemplateStringsArray): Compiled {
  let compiled = cache.get(strings)
  if (compiled === undefined) {
    compiled = build(strings)
    cache.set(strings, compiled)
  }
  return compiled
}

const State = {
  text: 0,
  tagOpen: 1, // after '<'
  tagName: 2,
  beforeAttr: 3,
  attrName: 4,
  afterAttrName: 5,
  beforeValue: 6,
  valueDq: 7,
  valueSq: 8,
  valueUnquoted: 9,
  endTag: 10,
  comment: 11,
  declaration: 12, // <!DOCTYPE …>, <?…>
  rawText: 13, // inside <script>/<style> until its end tag
  selfClose: 14, // after '/' in a start tag
} as const
type State = (typeof State)[keyof typeof State]

const RAW_TEXT = new Set(['script', 'style'])
const isSpace = (ch: string): boolean =>
  ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f'

function build(strings: TemplateStringsArray): Compiled {
  if (!Array.isArray(strings) || !Object.isFrozen(strings) || !Array.isArray(strings.raw)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_TEMPLATE',
      `html must be used as a tag on a template literal (html\`<p>\${x}</p>\`), got strings ${describe(strings)}`,
    )
  }
  const statics: string[] = []
  const kinds: SlotKind[] = []
  const names: (string | undefined)[] = []

  let state = State.text as State
  let tagName = '' // of the tag being read
  let rawEnd = '' // '</script' while in raw text
  let attrName = ''
  let attrStart = 0 // index in the current string where the current attribute (with its leading space) starts
  let depth = 0
  let roots = 0
  let strayContent = false // text or a child slot outside the root element

  const closeStartTag = (selfClosing: boolean) => {
    if (depth === 0) roots++
    if (RAW_TEXT.has(tagName) && !selfClosing) {
      rawEnd = `</${tagName}`
      state = State.rawText
      depth++
    } else {
      if (!selfClosing && !VOID_ELEMENTS.has(tagName)) depth++
      state = State.text
    }
  }

  for (let s = 0; s < strings.length; s++) {
    const str = strings[s]
    if (str === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_TEMPLATE',
        `a template literal has an invalid escape sequence near ${describe(strings.raw[s])}`,
      )
    }
    let cut = -1 // where to cut this static for a whole-attribute slot that follows
    if (s > 0 && kinds[s - 1] === SlotKind.attr) {
      const first = str[0]
      const last = s === strings.length - 1
      if (!(first === undefined ? last : isSpace(first) || first === '>' || str.startsWith('/>'))) {
        throw templateError(strings, s - 1, UNQUOTED)
      }
    }
    for (let i = 0; i < str.length; i++) {
      const ch = str.charAt(i)
      switch (state) {
        case State.text:
          if (ch === '<') state = State.tagOpen
          else if (depth === 0 && !isSpace(ch)) strayContent = true
          break
        case State.tagOpen:
          if (str.startsWith('!--', i)) {
            state = State.comment
            i += 2
          } else if (ch === '!' || ch === '?') state = State.declaration
          else if (ch === '/') {
            tagName = ''
            state = State.endTag
          } else if (/[a-zA-Z]/.test(ch)) {
            tagName = ch.toLowerCase()
            state = State.tagName
          } else {
            // '<' not starting a tag is text ("a < b")
            if (depth === 0) strayContent = true
            state = State.text
            i--
          }
          break
        case State.tagName:
          if (isSpace(ch)) state = State.beforeAttr
          else if (ch === '>') closeStartTag(false)
          else if (ch === '/') state = State.selfClose
          else tagName += ch.toLowerCase()
          break
        case State.selfClose:
          if (ch === '>') closeStartTag(true)
          else {
            state = State.beforeAttr
            i--
          }
          break
        case State.beforeAttr:
          if (isSpace(ch)) break
          if (ch === '>') closeStartTag(false)
          else if (ch === '/') state = State.selfClose
          else {
            attrStart = i
            while (attrStart > 0 && isSpace(str.charAt(attrStart - 1))) attrStart--
            attrName = ch
            state = State.attrName
          }
          break
        case State.attrName:
          if (ch === '=') state = State.beforeValue
          else if (isSpace(ch)) state = State.afterAttrName
          else if (ch === '>') closeStartTag(false)
          else if (ch === '/') state = State.selfClose
          else attrName += ch
          break
        case State.afterAttrName:
          if (isSpace(ch)) break
          if (ch === '=') state = State.beforeValue
          else {
            state = State.beforeAttr
            i--
          }
          break
        case State.beforeValue:
          if (isSpace(ch)) break
          if (ch === '"') state = State.valueDq
          else if (ch === "'") state = State.valueSq
          else if (ch === '>') closeStartTag(false)
          else state = State.valueUnquoted
          break
        case State.valueDq:
          if (ch === '"') state = State.beforeAttr
          break
        case State.valueSq:
          if (ch === "'") state = State.beforeAttr
          break
        case State.valueUnquoted:
          if (isSpace(ch)) state = State.beforeAttr
          else if (ch === '>') closeStartTag(false)
          break
        case State.endTag:
          if (ch === '>') {
            depth = Math.max(0, depth - 1)
            state = State.text
          } else if (!isSpace(ch)) tagName += ch.toLowerCase()
          break
        case State.comment:
          if (str.startsWith('-->', i)) {
            state = State.text
            i += 2
          }
          break
        case State.declaration:
          if (ch === '>') state = State.text
          break
        case State.rawText:
          if (str.slice(i, i + rawEnd.length).toLowerCase() === rawEnd) {
            state = State.endTag
            tagName = rawEnd.slice(2)
            i += rawEnd.length - 1
          }
          break
      }
    }
    if (s === strings.length - 1) {
      statics.push(str)
      break
    }
    // a slot follows this string: its kind comes from where the tokenizer stands
    switch (state) {
      case State.text:
        if (depth === 0) strayContent = true
        kinds.push(SlotKind.child)
        names.push(undefined)
        break
      case State.comment:
      case State.rawText:
        kinds.push(SlotKind.child)
        names.push(undefined)
        break
      case State.beforeAttr:
      case State.afterAttrName:
        // the slot renders its own leading spaces (` name="v"`), as for attributes
        cut = str.length
        while (cut > 0 && isSpace(str.charAt(cut - 1))) cut--
        kinds.push(SlotKind.spread)
        names.push(undefined)
        state = State.beforeAttr
        break
      case State.beforeValue:
        cut = attrStart
        kinds.push(SlotKind.attr)
        names.push(attrName)
        state = State.beforeAttr
        break
      case State.valueDq:
      case State.valueSq:
        kinds.push(SlotKind.part)
        names.push(undefined)
        break
      default:
        throw templateError(
          strings,
          s,
          state === State.valueUnquoted
            ? UNQUOTED
            : 'a value cannot stand in a tag name, an attribute name, an end tag or a declaration',
        )
    }
    statics.push(cut >= 0 ? str.slice(0, cut) : str)
  }
  return {
    id: nextId++,
    statics,
    kinds,
    names,
    singleRoot: roots === 1 && !strayContent && depth === 0,
  }
}

function templateError(strings: TemplateStringsArray, slot: number, why: string): CinderError {
  const before = (strings[slot] ?? '').slice(-40)
  const after = (strings[slot + 1] ?? '').slice(0, 20)
  return new CinderError(
    'CINDER_ERR_LIVE_TEMPLATE',
    `${why}; at ${describe(`${before}\${…}${after}`)}`,
  )
}
