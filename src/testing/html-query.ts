/**
 * HTML querying for tests: every CSS selector of css-select (descendant and
 * child combinators, attribute operators, `:not`, `:has`, `:nth-child` …)
 * over rendered HTML parsed by htmlparser2, with the element's attributes
 * (entities decoded), inner HTML and text.
 */
import { selectAll } from 'css-select'
import render from 'dom-serializer'
import type { AnyNode, Element } from 'domhandler'
import { textContent } from 'domutils'
import { parseDocument } from 'htmlparser2'

/** One element found in the HTML. */
export interface FoundElement {
  readonly tag: string
  readonly attributes: Readonly<Record<string, string>>
  /** The element's HTML, start tag to end tag (as re-serialized). */
  readonly html: string
  readonly innerHtml: string
  /** The text content, tags stripped and entities decoded. */
  readonly text: string
}

/** Every element matching `selector`, in document order. */
export function findAll(html: string, selector: string): FoundElement[] {
  return select(selector, html).map((element) => ({
    tag: element.name,
    attributes: { ...element.attribs },
    html: render(element),
    innerHtml: render(element.children),
    text: textContent(element),
  }))
}

/** The matching elements of the parsed HTML (css-select's default adapter: domhandler nodes). */
function select(selector: string, html: string): Element[] {
  const document = parseDocument(html)
  try {
    return selectAll<AnyNode, Element>(selector, document)
  } catch (error) {
    throw new Error(`invalid selector ${JSON.stringify(selector)}: ${(error as Error).message}`)
  }
}

/** The first element matching `selector`, or undefined. */
export function find(html: string, selector: string): FoundElement | undefined {
  return findAll(html, selector)[0]
}
