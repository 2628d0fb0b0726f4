export { accepts, FORMAT_KEY, getFormat } from './accepts.ts'
export {
  type CsrfOptions,
  deleteCsrfToken,
  getCsrfToken,
  protectFromForgery,
  SKIP_CSRF_KEY,
  validCsrfToken,
} from './csrf-protection.ts'
export { clearFlash, type Flash, fetchFlash, getFlash, putFlash } from './flash.ts'
export { type LoggerOptions, logger, type RequestLog } from './logger.ts'
export { methodOverride } from './method-override.ts'
export type { MultipartOptions } from './multipart.ts'
export { type BodyOptions, type ParserName, type ParsersOptions, parsers } from './parsers.ts'
export { getRequestId, type RequestIdOptions, requestId } from './request-id.ts'
export { DEFAULT_SECURE_HEADERS, putSecureBrowserHeaders } from './secure-browser-headers.ts'
export {
  clearSession,
  configureSession,
  deleteSession,
  fetchSession,
  getSession,
  putSession,
  type SessionData,
  type SessionOptions,
  type SessionSerializer,
  session,
} from './session.ts'
export { type StaticOptions, staticFiles } from './static.ts'
