/**
 * The `html` tagged template.
 *
 * ```ts
 * html`<p class=${cls}>Hello ${name}</p>`
 * ```
 *
 * Calling `html` does no work: it returns the literal's strings array (shared by
 * identity between every evaluation of that literal, so it is the static part and
 * its fingerprint) and the values (the dynamic parts). The template is compiled
 * once per strings array, on first render (see compile.ts).
 *
 * A `Template` is a snapshot: the diff engine treats the same Template object
 * rendered twice at the same place as unchanged, which is what lets a caller skip
 * a sub-tree by reusing it (memoizing).
 */

/** What `html` returns: the static strings and the dynamic values of one literal. */
export interface Template {
  readonly strings: TemplateStringsArray
  readonly values: readonly unknown[]
}

// A class (not a plain object) so that no JSON value can pass as a template:
// a forged `{strings, values}` would otherwise inject its "statics" unescaped.
class HtmlTemplate implements Template {
  readonly strings: TemplateStringsArray
  readonly values: readonly unknown[]
  constructor(strings: TemplateStringsArray, values: readonly unknown[]) {
    this.strings = strings
    this.values = values
  }
}

/** Tags a template literal as HTML. Values are escaped unless they are `raw(...)` or templates. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Template {
  return new HtmlTemplate(strings, values)
}

export function isTemplate(value: unknown): value is Template {
  return value instanceof HtmlTemplate
}
