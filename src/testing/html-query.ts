/**
 * Just enough HTML querying for LiveView tests: find an element by a simple
 * selector (`#id`, `tag`, `tag#id`, `[attr="value"]`, `tag[attr="value"]`)
 * in rendered HTML, and read its attributes, inner HTML and text.
 */

import { VOID_ELEMENTS } from '../live/void-elements.ts'

/** One element found in the HTML. */
export interface FoundElement {
  readonly tag: string
  readonly attributes: Readonly<Record<string, string>>
  /** The element's HTML, start tag to end tag. */
  readonly html: string
  readonly innerHtml: string
  /** The text content, tags stripped and entities decoded. */
  readonly text: string
}

const START_TAG =
  /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g

interface Selector {
  readonly tag?: string
  readonly id?: string
  readonly attr?: readonly [string, string | undefined]
}

/** Every element matching `selector`, in document order. */
export function findAll(html: string, selector: string): FoundElement[] {
  const wanted = parseSelector(selector)
  const found: FoundElement[] = []
  for (const match of html.matchAll(START_TAG)) {
    const tag = (match[1] ?? '').toLowerCase()
    const attributes = parseAttributes(match[2] ?? '')
    if (!matches(wanted, tag, attributes)) continue
    const start = match.index ?? 0
    const openEnd = start + match[0].length
    const close =
      VOID_ELEMENTS.has(tag) || match[3] === '/' ? openEnd : closingIndex(html, tag, openEnd)
    const end = close === openEnd ? openEnd : html.indexOf('>', close) + 1
    const innerHtml = html.slice(openEnd, close)
    found.push({
      tag,
      attributes,
      html: html.slice(start, end),
      innerHtml,
      text: textOf(innerHtml),
    })
  }
  return found
}

/** The first element matching `selector`, or undefined. */
export function find(html: string, selector: string): FoundElement | undefined {
  return findAll(html, selector)[0]
}

function parseSelector(selector: string): Selector {
  const match = /^([a-zA-Z][\w-]*)?(?:#([\w:.-]+))?(?:\[([^\]=~|^$*]+)(?:="([^"]*)")?\])?$/.exec(
    selector.trim(),
  )
  if (match === null) {
    throw new Error(
      `unsupported selector ${JSON.stringify(selector)}: use #id, tag, tag#id or [attr="value"]`,
    )
  }
  const [, tag, id, attr, value] = match
  return {
    ...(tag === undefined ? {} : { tag: tag.toLowerCase() }),
    ...(id === undefined ? {} : { id }),
    ...(attr === undefined ? {} : { attr: [attr, value] as const }),
  }
}

function matches(selector: Selector, tag: string, attributes: Record<string, string>): boolean {
  if (selector.tag !== undefined && selector.tag !== tag) return false
  if (selector.id !== undefined && attributes.id !== selector.id) return false
  if (selector.attr !== undefined) {
    const [name, value] = selector.attr
    if (!(name in attributes)) return false
    if (value !== undefined && attributes[name] !== value) return false
  }
  return true
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase()
    attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attributes
}

/** The index of the `</tag>` closing the element whose content starts at `from`. */
function closingIndex(html: string, tag: string, from: number): number {
  const pattern = new RegExp(`<(/?)${tag}(?=[\\s/>])[^>]*>`, 'gi')
  pattern.lastIndex = from
  let depth = 1
  for (let m = pattern.exec(html); m !== null; m = pattern.exec(html)) {
    depth += m[1] === '/' ? -1 : 1
    if (depth === 0) return m.index
  }
  return html.length
}

function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ''))
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|#39|apos);/gi, (entity, code: string) => {
    const lower = code.toLowerCase()
    if (lower === 'amp') return '&'
    if (lower === 'lt') return '<'
    if (lower === 'gt') return '>'
    if (lower === 'quot') return '"'
    if (lower === 'apos') return "'"
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)))
    return entity
  })
}
