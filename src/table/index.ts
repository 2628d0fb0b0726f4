// Public API of table/ (re-exported from src/index.ts). See docs/table.md.

export type { Bindings, MatchClause, Pattern, PatternVar, Wildcard } from './pattern.ts'
export { P } from './pattern.ts'
export type { RangeBounds } from './store.ts'
export type {
  CounterOp,
  TableAccess,
  TableInfo,
  TableKind,
  TableOptions,
  TableTransfer,
} from './table.ts'
export { createTable, Table, whereisTable } from './table.ts'
export type { Row } from './term.ts'
export { compareTerms, termEquals } from './term.ts'
