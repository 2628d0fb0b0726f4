/**
 * The generators' templates: plain files with EEx-like tags, as Phoenix's generators use.
 *
 * - `<%= name %>` is replaced by the value of `name`;
 * - a line holding only `<% if flag %>` or `<% unless flag %>` opens a block that a later line
 *   `<% end %>` closes: the lines between are kept when the flag is (not) set; blocks nest;
 * - on one line, `<% if flag %>text<% end %>` keeps `text` when the flag is set.
 *
 * A placeholder or flag the generator did not provide is an error, never an empty string.
 */
import { CinderError } from '../errors.ts'

export interface TemplateValues {
  readonly vars: Readonly<Record<string, string>>
  readonly flags?: Readonly<Record<string, boolean>>
}

const BLOCK = /^\s*<% (if|unless) (\w+) %>\s*$/
const END = /^\s*<% end %>\s*$/
const INLINE = /<% (if|unless) (\w+) %>(.*?)<% end %>/g
const PLACEHOLDER = /<%= (\w+) %>/g

/** Renders `text`; `source` names the template in error messages. */
export function renderTemplate(text: string, values: TemplateValues, source: string): string {
  const out: string[] = []
  const open: boolean[] = []
  text.split('\n').forEach((line, index) => {
    const where = `${source}:${index + 1}`
    const block = BLOCK.exec(line)
    if (block !== null) {
      open.push(flag(values, block[2] ?? '', where) === (block[1] === 'if'))
    } else if (END.test(line)) {
      if (open.pop() === undefined) throw templateError(`${where}: <% end %> closes no block`)
    } else if (open.every(Boolean)) {
      out.push(substitute(line, values, where))
    }
  })
  if (open.length > 0) throw templateError(`${source}: ${open.length} block(s) left open`)
  return out.join('\n')
}

function substitute(line: string, values: TemplateValues, where: string): string {
  const kept = line.replace(INLINE, (_all, kind: string, name: string, inner: string) =>
    flag(values, name, where) === (kind === 'if') ? inner : '',
  )
  if (kept.includes('<%') && !kept.includes('<%=')) throw templateError(`${where}: a tag left open`)
  return kept.replace(PLACEHOLDER, (_all, name: string) => {
    const value = values.vars[name]
    if (value === undefined) throw templateError(`${where}: no value for <%= ${name} %>`)
    return value
  })
}

function flag(values: TemplateValues, name: string, where: string): boolean {
  const value = values.flags?.[name]
  if (value === undefined) throw templateError(`${where}: no flag named ${name}`)
  return value
}

function templateError(message: string): CinderError {
  return new CinderError('CINDER_ERR_CLI_TEMPLATE', message)
}
