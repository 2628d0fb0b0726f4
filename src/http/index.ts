// Public API of http/ (re-exported from src/index.ts).
export type { ConnAdapter, HeaderList, RequestHeaders } from './adapter.ts'
export { type BeforeSend, Conn, type ConnInit, type ConnState, type CookieOptions } from './conn.ts'
export {
  type DownloadOptions,
  json,
  type RedirectTarget,
  redirect,
  sendDownload,
  sendHtml,
  text,
} from './controller.ts'
export { type InjectRequest, type InjectResponse, inject } from './inject.ts'
export { createHandler, type RequestListener } from './node-adapter.ts'
export {
  type AnyPlug,
  type BoundPlug,
  bindPlug,
  type ModulePlug,
  type Plug,
  type PlugFunction,
  type PlugResult,
  type PlugSpec,
  pipeline,
  runPlug,
} from './plug.ts'
export * from './plugs/index.ts'
export {
  decodeQuery,
  encodeQuery,
  type Params,
  type ParamValue,
  type QueryLimits,
  Upload,
} from './query.ts'
export * from './router/index.ts'
export { type ServeOptions, serve } from './serve.ts'
export { createHttpServer, HTTP_LIMITS, type HttpLimits } from './server-limits.ts'
export { reasonPhrase, statusOf } from './status.ts'
