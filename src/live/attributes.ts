/**
 * Rendering values in attribute positions. Rules (those of HEEx, plus class lists):
 *
 * | value                       | `name=${v}`          | `name="…${v}…"` |
 * |-----------------------------|----------------------|-----------------|
 * | `null`, `undefined`, `false`| attribute left out   | nothing         |
 * | `true`                      | ` name` (boolean)    | nothing         |
 * | string, number, bigint      | ` name="escaped"`    | escaped         |
 * | `raw(s)`                    | ` name="s"`          | `s`             |
 * | array                       | its truthy items joined by spaces (class lists) |
 *
 * `<div ${attrs}>` takes an object of name → value, each rendered as `name=${v}`;
 * names are checked so that no data can smuggle markup through a name.
 */

import { CinderError, describe } from '../errors.ts'
import { escapeHtml, isRaw, rawHtml } from './escape.ts'

function valueText(value: unknown, where: string): string | undefined {
  switch (typeof value) {
    case 'string':
      return escapeHtml(value)
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
    case 'undefined':
      return undefined
    case 'object':
      if (value === null) return undefined
      if (isRaw(value)) return rawHtml(value)
      if (Array.isArray(value)) {
        const parts: string[] = []
        for (const item of value) {
          const text = valueText(item, where)
          if (text !== undefined && text !== '') parts.push(text)
        }
        return parts.join(' ')
      }
      if (hasAttributeForm(value)) return escapeHtml(value.toAttribute())
  }
  throw new CinderError(
    'CINDER_ERR_LIVE_BAD_VALUE',
    `${where} expects a string, number, boolean, null, array or raw(), got ${describe(value)}`,
  )
}

/** An object that knows its attribute text (JS commands): escaped like a string. */
export interface AttributeForm {
  toAttribute(): string
}

function hasAttributeForm(value: object): value is AttributeForm {
  return typeof (value as Partial<AttributeForm>).toAttribute === 'function'
}

/** `name=${value}` → ` name="…"`, ` name`, or '' */
export function renderAttribute(name: string, value: unknown): string {
  if (value === true) return ` ${name}`
  const text = valueText(value, `attribute ${name}`)
  return text === undefined ? '' : ` ${name}="${text}"`
}

/** `name="…${value}…"` */
export function renderAttributePart(value: unknown): string {
  return valueText(value, 'a quoted attribute value') ?? ''
}

function isAttributeName(name: string): boolean {
  if (name === '') return false
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    // controls, space, quotes, '/', '<', '=', '>' (and DEL) end or break an attribute
    if (code <= 0x20 || code === 0x7f || code === 0x22 || code === 0x27) return false
    if (code === 0x2f || code === 0x3c || code === 0x3d || code === 0x3e) return false
  }
  return true
}

/** `<tag ${attrs}>`: an object of attributes, or null/undefined/false for none. */
export function renderSpread(attrs: unknown): string {
  if (attrs === null || attrs === undefined || attrs === false) return ''
  if (typeof attrs !== 'object' || Array.isArray(attrs) || isRaw(attrs)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_VALUE',
      `a value between attributes (<tag \${attrs}>) must be an object of attributes, got ${describe(attrs)}`,
    )
  }
  let out = ''
  for (const [name, value] of Object.entries(attrs)) {
    if (!isAttributeName(name)) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_VALUE',
        `an attribute name may not contain spaces, quotes, '<', '>', '/', '=' or control characters, got ${describe(name)}`,
      )
    }
    out += renderAttribute(name, value)
  }
  return out
}
