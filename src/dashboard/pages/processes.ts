/**
 * Processes: every live process, the top ones by mailbox, memory (about:
 * see size.ts) or messages handled; click a column to sort by it.
 */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import { processes as listProcesses } from '../../process/index.ts'
import { eachProcessState } from '../../process/introspect.ts'
import { bytes } from '../format.ts'
import type { PageSpec } from '../page.ts'
import { approximateSize } from '../size.ts'

const SHOWN = 100
const SORTS = ['mailbox', 'memory', 'handled'] as const
type Sort = (typeof SORTS)[number]

interface Row {
  readonly pid: string
  readonly name: string
  readonly status: string
  readonly mailbox: number
  readonly memory: number
  readonly handled: number
  readonly links: number
}

interface ProcessesData {
  readonly total: number
  readonly rows: Row[]
}

export const processes: PageSpec<ProcessesData> = {
  path: 'processes',
  title: 'Processes',
  ui: { sort: 'mailbox' },
  load(_ctx, ui) {
    const sort = sortOf(ui.sort)
    const states = new Map<string, unknown>()
    eachProcessState((pid, state) => states.set(String(pid), state))
    const stop = new Set(
      [...states.values()].filter((s): s is object => typeof s === 'object' && s !== null),
    )
    const sizeOf = (row: Row): Row => ({
      ...row,
      memory: approximateSize(states.get(row.pid), stop, 500),
    })
    let rows: Row[] = listProcesses().map((info) => ({
      pid: String(info.pid),
      name: info.registeredName ?? info.behaviour ?? '',
      status: info.status,
      mailbox: info.mailbox,
      memory: 0,
      handled: info.handled,
      links: info.links,
    }))
    // Sizes cost a walk each: all of them only to sort by size, else the rows shown.
    if (sort === 'memory') rows = rows.map(sizeOf)
    rows.sort((a, b) => b[sort] - a[sort])
    const shown = rows.slice(0, SHOWN)
    return { total: rows.length, rows: sort === 'memory' ? shown : shown.map(sizeOf) }
  },
  render: (
    d,
    ui,
  ) => html`<p><span id="process-total">${d.total}</span> processes; the top ${SHOWN} by ${sortOf(ui.sort)}.</p>
<table id="processes"><thead><tr><th>pid</th><th>name</th><th>status</th>
  ${each(SORTS, (s) => html`<th><button phx-click="sort" phx-value-by=${s} id=${`sort-${s}`} class=${s === sortOf(ui.sort) ? 'active' : ''}>${s === 'memory' ? 'memory (about)' : s}</button></th>`)}
  <th>links</th></tr></thead>
<tbody>${each(
    d.rows,
    (r) => r.pid,
    (r) =>
      html`<tr data-pid=${r.pid}><td>${r.pid}</td><td>${r.name}</td><td>${r.status}</td><td class="mailbox">${r.mailbox}</td><td>${bytes(r.memory)}</td><td>${r.handled}</td><td>${r.links}</td></tr>`,
  )}</tbody></table>`,
  event: (event, value, ui) => (event === 'sort' ? { ...ui, sort: sortOf(value.by) } : ui),
}

function sortOf(value: unknown): Sort {
  return SORTS.includes(value as Sort) ? (value as Sort) : 'mailbox'
}
