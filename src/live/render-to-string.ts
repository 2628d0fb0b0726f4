/**
 * The dead render: a template tree to its HTML string, with no render state.
 * The same HTML the client builds from the first connected render (live
 * components render plainly here; the client adds their `data-phx-*` attributes).
 */

import { CinderError, describe } from '../errors.ts'
import { renderAttribute, renderAttributePart, renderSpread } from './attributes.ts'
import { compile, SlotKind } from './compile.ts'
import { type ComponentResolver, isLiveComponentCall } from './component.ts'
import { isList, isStreamList } from './comprehension.ts'
import { isTemplate, type Template } from './html.ts'
import { leafText } from './leaf.ts'
import { isLiveRenderCall, type LiveRenderCall } from './nested.ts'

export interface RenderToStringOptions {
  /** Maps each `liveComponent(...)` to its template (the cid is not used here). */
  resolveComponent?: ComponentResolver
  /** Renders the container of each `liveRender(...)` (nested LiveViews). */
  resolveNested?: (call: LiveRenderCall) => Template
}

export function renderToString(template: Template, options: RenderToStringOptions = {}): string {
  if (!isTemplate(template)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_VALUE',
      `renderToString expects an html\`…\` template, got ${describe(template)}`,
    )
  }
  return node(template, options)
}

function node(template: Template, resolve: RenderToStringOptions): string {
  const { statics, kinds, names } = compile(template.strings)
  const { values } = template
  let out = statics[0] ?? ''
  for (let i = 0; i < kinds.length; i++) {
    const value = values[i]
    switch (kinds[i]) {
      case SlotKind.child:
        out += child(value, resolve)
        break
      case SlotKind.attr:
        out += renderAttribute(names[i] ?? '', value)
        break
      case SlotKind.part:
        out += renderAttributePart(value)
        break
      default:
        out += renderSpread(value)
    }
    out += statics[i + 1] ?? ''
  }
  return out
}

function child(value: unknown, resolve: RenderToStringOptions): string {
  if (typeof value === 'object' && value !== null) {
    if (isTemplate(value)) return node(value, resolve)
    if (Array.isArray(value)) return items(value, resolve)
    if (isList(value) || isStreamList(value)) return items(value.items, resolve)
    if (isLiveComponentCall(value)) {
      const template = resolve.resolveComponent?.(value).template
      if (template === undefined) {
        throw new CinderError(
          'CINDER_ERR_LIVE_COMPONENT',
          `the dead render met liveComponent(...) with id ${describe(value.props.id)} but no resolveComponent gave its template`,
        )
      }
      return node(template, resolve)
    }
    if (isLiveRenderCall(value)) {
      if (resolve.resolveNested === undefined) {
        throw new CinderError(
          'CINDER_ERR_LIVE_BAD_VALUE',
          `the dead render met liveRender(${value.view.name}) but runs no nested LiveViews`,
        )
      }
      return node(resolve.resolveNested(value), resolve)
    }
  }
  return leafText(value)
}

function items(list: readonly unknown[], resolve: RenderToStringOptions): string {
  let out = ''
  for (const item of list) out += child(item, resolve)
  return out
}
