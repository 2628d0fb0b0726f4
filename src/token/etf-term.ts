/**
 * How Erlang terms look in JavaScript. The mapping is chosen so that the
 * JSON-ish values an application signs round-trip unchanged, and so that
 * what an Elixir service signs reads naturally here:
 *
 * | Erlang                     | JavaScript                                             |
 * | -------------------------- | ------------------------------------------------------ |
 * | `nil`, `true`, `false`     | `null`, `true`, `false`                                |
 * | any other atom             | its name as a `string` (encode one with `EtfAtom`)     |
 * | integer                    | `number` when safe, else `bigint`                      |
 * | float                      | `number`                                               |
 * | binary (Elixir string)     | `string` when valid UTF-8, else `Uint8Array`           |
 * | tuple                      | `EtfTuple`                                             |
 * | proper list, charlist      | `Array`                                                |
 * | map with string/atom keys  | plain object                                           |
 * | map with other keys        | `Map`                                                  |
 */

/** An Erlang tuple (`{a, b}`); plain arrays are lists. */
export class EtfTuple {
  readonly elements: readonly EtfTerm[]

  constructor(elements: readonly EtfTerm[]) {
    this.elements = elements
  }
}

/**
 * An Erlang atom to encode (`:ok`). Decoding never yields one: atoms come back
 * as strings, because JavaScript has no interned symbols worth the trouble.
 */
export class EtfAtom {
  readonly name: string

  constructor(name: string) {
    this.name = name
  }
}

/** A value with an Erlang external term form. */
export type EtfTerm =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | EtfTuple
  | EtfAtom
  | readonly EtfTerm[]
  | Map<EtfTerm, EtfTerm>
  | { readonly [key: string]: EtfTerm | undefined }

/** Shorthand for `new EtfTuple(elements)`. */
export function tuple(...elements: EtfTerm[]): EtfTuple {
  return new EtfTuple(elements)
}

/** Shorthand for `new EtfAtom(name)`. */
export function atom(name: string): EtfAtom {
  return new EtfAtom(name)
}

/** Tags of the external term format (erts/emulator/beam/external.h), named once. */
export const TAG = {
  VERSION: 131,
  COMPRESSED: 80,
  NEW_FLOAT: 70,
  BIT_BINARY: 77,
  SMALL_INTEGER: 97,
  INTEGER: 98,
  FLOAT: 99,
  ATOM: 100,
  SMALL_TUPLE: 104,
  LARGE_TUPLE: 105,
  NIL: 106,
  STRING: 107,
  LIST: 108,
  BINARY: 109,
  SMALL_BIG: 110,
  LARGE_BIG: 111,
  MAP: 116,
  SMALL_ATOM: 115,
  ATOM_UTF8: 118,
  SMALL_ATOM_UTF8: 119,
} as const

/** Tags of executable terms: never decoded (Plug.Crypto refuses them too). */
export const EXECUTABLE_TAGS: ReadonlySet<number> = new Set([
  112, // NEW_FUN_EXT
  113, // EXPORT_EXT
  117, // FUN_EXT
])

/** Tags of terms that only mean something inside one Erlang node or cluster. */
export const NODE_LOCAL_TAGS: ReadonlyMap<number, string> = new Map([
  [68, 'distribution header'],
  [82, 'atom cache reference'],
  [88, 'pid'],
  [89, 'port'],
  [90, 'reference'],
  [101, 'reference'],
  [102, 'port'],
  [103, 'pid'],
  [114, 'reference'],
  [120, 'port'],
  [121, 'local term'],
])
