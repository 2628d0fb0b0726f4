/**
 * What the diff engine (diff.ts) remembers of the client's tree: for each
 * position, the template there and the state of each of its slots; for a list,
 * its entries by key; for a stream, only its entry template. Also the `"p"`
 * table of one diff, and the small helpers that lists and streams share.
 */
import { CinderError, describe } from '../errors.ts'
import { type Compiled, compile, SlotKind, syntheticTemplate } from './compile.ts'
import { isTemplate, type Template } from './html.ts'

/** List entries that are not all one template: each entry is `["", item, ""]`. */
export const WRAPPED = syntheticTemplate(['', ''], [SlotKind.child])
/** A stream that has rendered no item yet: its statics are not known. */
export const NO_ENTRY = syntheticTemplate([''], [])

/** What the client holds at a slot: a string, a cid, or a structure. */
export type SlotState = string | number | NodeState | ListState | StreamState

/** A template at a position: its compiled strings, its last values and the state of each slot. */
export class NodeState {
  tpl: Compiled
  template: Template | undefined
  values: readonly unknown[]
  states: SlotState[]
  constructor(tpl: Compiled, template: Template | undefined, values: readonly unknown[]) {
    this.tpl = tpl
    this.template = template
    this.values = values
    // sized once: grown by appends, a 3-slot row would hold room for 17
    this.states = new Array<SlotState>(tpl.kinds.length)
  }
}

/** A list (comprehension): its entry template and its entries, in the client's order. */
export class ListState {
  tpl: Compiled
  /** key → position, in the client's current order */
  index: Map<unknown, number>
  entries: NodeState[]
  constructor(tpl: Compiled, index: Map<unknown, number>, entries: NodeState[]) {
    this.tpl = tpl
    this.index = index
    this.entries = entries
  }
}

/** A stream: entries are not kept, only their template (the statics the client has). */
export class StreamState {
  tpl: Compiled
  constructor(tpl: Compiled) {
    this.tpl = tpl
  }
}

/** Per diff and per template scope (the view, or one component): the `"p"` table. */
export class Scope {
  readonly share: boolean
  readonly positions = new Map<Compiled, number>()
  readonly table: Record<number, readonly string[]> = {}
  constructor(share: boolean) {
    this.share = share
  }
  statics(tpl: Compiled): readonly string[] | number {
    if (!this.share) return tpl.statics
    let at = this.positions.get(tpl)
    if (at === undefined) {
      at = this.positions.size
      this.positions.set(tpl, at)
      this.table[at] = tpl.statics
    }
    return at
  }
  attachTo(node: { p?: Record<number, readonly string[]> }): void {
    if (this.positions.size > 0) node.p = this.table
  }
}

/** The template all `items` share, or WRAPPED when they are not all one template. */
export function entryTemplate(items: readonly unknown[]): Compiled {
  let tpl: Compiled | undefined
  for (const item of items) {
    if (!isTemplate(item)) return WRAPPED
    const compiled = compile(item.strings)
    if (tpl === undefined) tpl = compiled
    else if (tpl !== compiled) return WRAPPED
  }
  return tpl ?? WRAPPED
}

/** A list entry's slot values: the item itself when WRAPPED, else its template's values. */
export const wrap = (item: unknown): readonly unknown[] => [item]
export const templateValues = (item: unknown): readonly unknown[] => (item as Template).values

/** The error for a key that appears twice in one list. */
export function duplicateKey(key: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_LIVE_DUPLICATE_KEY',
    `each(...) found the key ${describe(key)} twice; keys must be unique within a list`,
  )
}
