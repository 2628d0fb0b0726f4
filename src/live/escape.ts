/**
 * HTML escaping and the `raw` escape hatch.
 *
 * Every dynamic value that reaches a page goes through `escapeHtml` unless it is
 * a `Raw`. A `Raw` is branded with a module-private Symbol (as lit-html brands
 * its static values), so no value built from JSON or user input can pass as
 * trusted HTML: JSON has no symbols, and this Symbol is not in the global registry.
 */

const RAW: unique symbol = Symbol('cinder.raw')

/** Trusted HTML, produced only by `raw()`. */
export interface Raw {
  readonly [RAW]: string
}

/**
 * Marks `html` as trusted markup that is inserted without escaping.
 * Never pass user input here: that is exactly the XSS hole escaping exists to close.
 * @example html`<div>${raw(markdownToHtml(post.body))}</div>`
 */
export function raw(html: string): Raw {
  return Object.freeze({ [RAW]: String(html) })
}

export function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && RAW in value
}

/** The markup held by a `Raw`. */
export function rawHtml(value: Raw): string {
  return value[RAW]
}

const SPECIAL = /[&<>"']/
const SPECIAL_ALL = /[&<>"']/g
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes the five characters Phoenix.HTML escapes; safe in text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  // Most dynamic values contain nothing to escape: test once, allocate nothing.
  if (!SPECIAL.test(text)) return text
  return text.replace(SPECIAL_ALL, (ch) => ENTITIES[ch] ?? ch)
}
