export type { LiveRoute, LiveRouteOptions, LiveRouteView } from './live.ts'
export {
  type Action,
  NoRouteError,
  type PathParams,
  ROUTE_KEY,
  type RouteInfo,
  type RouteOptions,
  Router,
  type ScopeOptions,
} from './router.ts'
