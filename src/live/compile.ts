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
 * A small HTML tokenizer (html-scanner.ts) finds the slot positions. It rejects values where the
 * markup cannot hold one safely (tag names, attribute names, unquoted partial
 * attribute values), at first render, with the offending spot in the message.
 */

import { CinderError, describe } from '../errors.ts'
import { HtmlScanner, isSpace, State } from './html-scanner.ts'

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
  const scanner = new HtmlScanner()
  for (let s = 0; s < strings.length; s++) {
    const str = stringAt(strings, s)
    if (s > 0 && kinds[s - 1] === SlotKind.attr) checkAttributeEnd(strings, s, str)
    scanner.scan(str)
    if (s === strings.length - 1) {
      statics.push(str)
      break
    }
    const slot = slotAfter(scanner, strings, s, str)
    kinds.push(slot.kind)
    names.push(slot.name)
    statics.push(slot.cut >= 0 ? str.slice(0, slot.cut) : str)
  }
  return { id: nextId++, statics, kinds, names, singleRoot: scanner.singleRoot }
}

function stringAt(strings: TemplateStringsArray, s: number): string {
  const str = strings[s]
  if (str === undefined) {
    throw new CinderError(
      'CINDER_ERR_LIVE_TEMPLATE',
      `a template literal has an invalid escape sequence near ${describe(strings.raw[s])}`,
    )
  }
  return str
}

/** A whole-attribute slot (`name=${v}`) must be the whole value: what follows ends it. */
function checkAttributeEnd(strings: TemplateStringsArray, s: number, str: string): void {
  const first = str[0]
  const last = s === strings.length - 1
  if (!(first === undefined ? last : isSpace(first) || first === '>' || str.startsWith('/>'))) {
    throw templateError(strings, s - 1, UNQUOTED)
  }
}

interface Slot {
  readonly kind: SlotKind
  readonly name: string | undefined
  /** Where to cut the static before the slot (-1: keep it whole). */
  readonly cut: number
}

const CHILD: Slot = { kind: SlotKind.child, name: undefined, cut: -1 }
const PART: Slot = { kind: SlotKind.part, name: undefined, cut: -1 }

/** The slot after string `s`: its kind comes from where the scanner stands. */
function slotAfter(
  scanner: HtmlScanner,
  strings: TemplateStringsArray,
  s: number,
  str: string,
): Slot {
  switch (scanner.state) {
    case State.text:
      if (scanner.depth === 0) scanner.strayContent = true
      return CHILD
    case State.comment:
    case State.rawText:
      return CHILD
    case State.beforeAttr:
    case State.afterAttrName: {
      // the slot renders its own leading spaces (` name="v"`), as for attributes
      let cut = str.length
      while (cut > 0 && isSpace(str.charAt(cut - 1))) cut--
      scanner.state = State.beforeAttr
      return { kind: SlotKind.spread, name: undefined, cut }
    }
    case State.beforeValue:
      scanner.state = State.beforeAttr
      return { kind: SlotKind.attr, name: scanner.attrName, cut: scanner.attrStart }
    case State.valueDq:
    case State.valueSq:
      return PART
    default:
      throw templateError(
        strings,
        s,
        scanner.state === State.valueUnquoted
          ? UNQUOTED
          : 'a value cannot stand in a tag name, an attribute name, an end tag or a declaration',
      )
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
