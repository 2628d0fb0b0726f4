// Public API of table/ (re-exported from src/index.ts). See docs/table.md.

export type { CounterOp } from './counters.ts'
export type {
  TableAccess,
  TableInfo,
  TableKind,
  TableOptions,
  TableTransfer,
} from './options.ts'
export type { Bindings, MatchClause, Pattern, PatternVar, Wildcard } from './pattern.ts'
export { P } from './pattern.ts'
export type { RangeBounds } from './store.ts'
export { createTable, Table, whereisTable } from './table.ts'
export type { Row } from './term.ts'
export { compareTerms, termEquals } from './term.ts'
