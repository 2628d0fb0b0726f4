// Public API of dashboard/: the live dashboard (docs/observability.md). Nothing imports it.

export { type DashboardOptions, type LiveDashboard, liveDashboard } from './dashboard.ts'
export type { DashboardGuard } from './page.ts'
