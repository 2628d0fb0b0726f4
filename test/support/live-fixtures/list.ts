/**
 * `/lv/list?n=300`: n rows `#row-<i>`; `#bump` changes row 0 only (its diff
 * is one entry of a keyed comprehension).
 */
import { each, html, type LiveView } from '../../../src/index.ts'

interface Row {
  readonly id: number
  readonly label: string
  readonly bumps: number
}

type Assigns = { rows: readonly Row[]; pageTitle: string }

const MAX_ROWS = 10_000

function rowCount(value: unknown): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_ROWS) : 300
}

export const ListLive: LiveView<Assigns> = {
  name: 'ListLive',
  mount(_params, _session, socket) {
    socket.assign({ rows: [], pageTitle: 'List' })
  },
  handleParams(params, _uri, socket) {
    const n = rowCount(params.n)
    if (n !== socket.assigns.rows.length) {
      socket.assign({
        rows: Array.from({ length: n }, (_, id) => ({ id, label: `Row ${id}`, bumps: 0 })),
      })
    }
  },
  handleEvent(event, _value, socket) {
    if (event !== 'bump') throw new Error(`ListLive has no event ${event}`)
    socket.update('rows', ([first, ...rest]) =>
      first === undefined ? [] : [{ ...first, bumps: first.bumps + 1 }, ...rest],
    )
  },
  render: ({ rows }) => html`<button id="bump" phx-click="bump">bump</button>
<ul id="rows">${each(
    rows,
    (row) => row.id,
    (row) => html`<li id=${`row-${row.id}`}>${row.label} · ${row.bumps}</li>`,
  )}</ul>`,
}
