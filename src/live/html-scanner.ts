/**
 * The small HTML tokenizer behind compile.ts. It reads a template literal's
 * strings one after the other and knows, at the end of each, where it stands
 * (between tags, in a tag, before an attribute value, inside a quoted value…),
 * how deep the elements are nested, and whether the markup so far is one root
 * element.
 */
import { VOID_ELEMENTS } from './void-elements.ts'

export const State = {
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
export type State = (typeof State)[keyof typeof State]

const RAW_TEXT = new Set(['script', 'style'])

export const isSpace = (ch: string): boolean =>
  ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f'

// Each step reads the character at `i` and returns the index of the last character it
// consumed: `i`, more for a multi-character token, `i - 1` to read `i` again in a new state.
export class HtmlScanner {
  state: State = State.text
  /** The attribute being read. */
  attrName = ''
  /** Where the current attribute, with its leading spaces, starts in the current string. */
  attrStart = 0
  depth = 0
  roots = 0
  /** Text or a child slot outside the root element. */
  strayContent = false
  /** Of the tag being read. */
  #tagName = ''
  /** `'</script'` while in raw text. */
  #rawEnd = ''

  /** Reads one string of the literal. */
  scan(str: string): void {
    for (let i = 0; i < str.length; i++) i = this.#step(str, i)
  }

  /** Whether the markup read is exactly one root element. */
  get singleRoot(): boolean {
    return this.roots === 1 && !this.strayContent && this.depth === 0
  }

  #step(str: string, i: number): number {
    const ch = str.charAt(i)
    switch (this.state) {
      case State.text:
        if (ch === '<') this.state = State.tagOpen
        else if (this.depth === 0 && !isSpace(ch)) this.strayContent = true
        return i
      case State.tagOpen:
        return this.#tagOpen(str, i, ch)
      case State.tagName:
        this.#inTagName(ch)
        return i
      case State.selfClose:
        return this.#selfClose(ch, i)
      case State.beforeAttr:
        this.#beforeAttr(str, i, ch)
        return i
      case State.attrName:
        this.#inAttrName(ch)
        return i
      case State.afterAttrName:
        return this.#afterAttrName(ch, i)
      case State.endTag:
        this.#endTag(ch)
        return i
      case State.comment:
      case State.declaration:
      case State.rawText:
        return this.#skipped(str, i, ch)
      default:
        this.#value(ch)
        return i
    }
  }

  #tagOpen(str: string, i: number, ch: string): number {
    if (str.startsWith('!--', i)) {
      this.state = State.comment
      return i + 2
    }
    if (ch === '!' || ch === '?') this.state = State.declaration
    else if (ch === '/') {
      this.#tagName = ''
      this.state = State.endTag
    } else if (/[a-zA-Z]/.test(ch)) {
      this.#tagName = ch.toLowerCase()
      this.state = State.tagName
    } else {
      // '<' not starting a tag is text ("a < b")
      if (this.depth === 0) this.strayContent = true
      this.state = State.text
      return i - 1
    }
    return i
  }

  #inTagName(ch: string): void {
    if (isSpace(ch)) this.state = State.beforeAttr
    else if (ch === '>') this.#closeStartTag(false)
    else if (ch === '/') this.state = State.selfClose
    else this.#tagName += ch.toLowerCase()
  }

  #selfClose(ch: string, i: number): number {
    if (ch === '>') {
      this.#closeStartTag(true)
      return i
    }
    this.state = State.beforeAttr
    return i - 1
  }

  #beforeAttr(str: string, i: number, ch: string): void {
    if (isSpace(ch)) return
    if (ch === '>') this.#closeStartTag(false)
    else if (ch === '/') this.state = State.selfClose
    else {
      let start = i
      while (start > 0 && isSpace(str.charAt(start - 1))) start--
      this.attrStart = start
      this.attrName = ch
      this.state = State.attrName
    }
  }

  #inAttrName(ch: string): void {
    if (ch === '=') this.state = State.beforeValue
    else if (isSpace(ch)) this.state = State.afterAttrName
    else if (ch === '>') this.#closeStartTag(false)
    else if (ch === '/') this.state = State.selfClose
    else this.attrName += ch
  }

  #afterAttrName(ch: string, i: number): number {
    if (isSpace(ch)) return i
    if (ch === '=') {
      this.state = State.beforeValue
      return i
    }
    this.state = State.beforeAttr
    return i - 1
  }

  /** In `beforeValue` and the three value states. */
  #value(ch: string): void {
    switch (this.state) {
      case State.beforeValue:
        if (isSpace(ch)) return
        if (ch === '"') this.state = State.valueDq
        else if (ch === "'") this.state = State.valueSq
        else if (ch === '>') this.#closeStartTag(false)
        else this.state = State.valueUnquoted
        return
      case State.valueDq:
        if (ch === '"') this.state = State.beforeAttr
        return
      case State.valueSq:
        if (ch === "'") this.state = State.beforeAttr
        return
      default:
        if (isSpace(ch)) this.state = State.beforeAttr
        else if (ch === '>') this.#closeStartTag(false)
    }
  }

  #endTag(ch: string): void {
    if (ch === '>') {
      this.depth = Math.max(0, this.depth - 1)
      this.state = State.text
    } else if (!isSpace(ch)) this.#tagName += ch.toLowerCase()
  }

  /** In a comment, a declaration or raw text: only their end matters. */
  #skipped(str: string, i: number, ch: string): number {
    if (this.state === State.comment) {
      if (!str.startsWith('-->', i)) return i
      this.state = State.text
      return i + 2
    }
    if (this.state === State.declaration) {
      if (ch === '>') this.state = State.text
      return i
    }
    const rawEnd = this.#rawEnd
    if (str.slice(i, i + rawEnd.length).toLowerCase() !== rawEnd) return i
    this.state = State.endTag
    this.#tagName = rawEnd.slice(2)
    return i + rawEnd.length - 1
  }

  #closeStartTag(selfClosing: boolean): void {
    if (this.depth === 0) this.roots++
    if (RAW_TEXT.has(this.#tagName) && !selfClosing) {
      this.#rawEnd = `</${this.#tagName}`
      this.state = State.rawText
      this.depth++
    } else {
      if (!selfClosing && !VOID_ELEMENTS.has(this.#tagName)) this.depth++
      this.state = State.text
    }
  }
}
