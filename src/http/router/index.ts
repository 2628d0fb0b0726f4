export {
  LIVE_ROUTE_KEY,
  type LiveHandler,
  type LiveRoute,
  type LiveRouteOptions,
  registerLiveHandler,
} from './live.ts'
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
