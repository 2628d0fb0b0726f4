/**
 * Which HTTP status an error stands for: a `CinderError` by its code, any other
 * error by an own numeric `status` (4xx/5xx, as Plug's `plug_status`), else 500.
 */
import { CinderError, type ErrorCode } from '../errors.ts'

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  CINDER_ERR_BAD_REQUEST: 400,
  CINDER_ERR_TOO_MANY_PARAMS: 400,
  CINDER_ERR_PARAMS_TOO_DEEP: 400,
  CINDER_ERR_INVALID_CSRF: 403,
  CINDER_ERR_NO_ROUTE: 404,
  CINDER_ERR_NOT_ACCEPTABLE: 406,
  CINDER_ERR_BODY_TOO_LARGE: 413,
  CINDER_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
}

/** The HTTP status to answer for `error`. */
export function statusOf(error: unknown): number {
  if (error instanceof CinderError) return STATUS_BY_CODE[error.code] ?? 500
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) {
    return status
  }
  return 500
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/** The reason phrase of `status` (`404` → `Not Found`). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
}
