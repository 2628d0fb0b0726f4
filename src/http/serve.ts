/**
 * Runs a plug for one request and makes sure the client gets an answer: a
 * response left `set` is sent, a pipeline that sends nothing is a 500, and an
 * exception becomes the error page for its status (logged once, when 5xx).
 * Both server adapters (Node and inject) go through here.
 */
import { CinderError } from '../errors.ts'
import { Conn } from './conn.ts'
import { renderErrorPage } from './error-page.ts'
import { type BoundPlug, runPlug } from './plug.ts'
import { statusOf } from './status.ts'

export interface ServeOptions {
  /** Render the development error page (stack, request). Default false: never leak it by accident. */
  readonly debugErrors?: boolean
  /** Where 5xx errors are reported, once per request. Default: `console.error`. */
  readonly onError?: (error: unknown, conn: Conn) => void
}

// An error seen by an outer handler too (e.g. a forwarded app with its own serve) is logged once.
const logged = new WeakSet<object>()

/**
 * Runs `plug` on `conn` to completion; never throws or rejects. Synchronous
 * when the pipeline is (no promise per request then: each one is an
 * allocation and a microtask, and runs the process module's promise hooks).
 */
export function serve(
  plug: BoundPlug,
  conn: Conn,
  options: ServeOptions = {},
): Conn | Promise<Conn> {
  let result: Conn | Promise<Conn>
  try {
    result = runPlug(plug, conn)
  } catch (error) {
    handleError(conn, error, options)
    return finish(conn, options)
  }
  if (result instanceof Conn) {
    respond(result, options)
    return finish(conn, options)
  }
  return result.then(
    (done) => {
      respond(done, options)
      return finish(conn, options)
    },
    (error: unknown) => {
      handleError(conn, error, options)
      return finish(conn, options)
    },
  )
}

function respond(conn: Conn, options: ServeOptions): void {
  try {
    completeResponse(conn)
  } catch (error) {
    handleError(conn, error, options)
  }
}

/** Ends a chunked response and runs the cleanups, if there are any. */
function finish(conn: Conn, options: ServeOptions): Conn | Promise<Conn> {
  let pending: Promise<void> | undefined
  try {
    pending = conn.finish()
  } catch (error) {
    report(error, conn, options)
  }
  if (pending === undefined) return conn
  return pending.then(
    () => conn,
    (error: unknown) => {
      report(error, conn, options)
      return conn
    },
  )
}

function completeResponse(conn: Conn): void {
  if (conn.state === 'set') conn.send()
  else if (conn.state === 'unset') {
    throw new CinderError(
      'CINDER_ERR_NOT_SENT',
      `the pipeline returned without sending a response for ${conn.method} ${conn.requestPath} (did a plug forget to send or halt?)`,
    )
  }
}

function handleError(conn: Conn, error: unknown, options: ServeOptions): void {
  const status = statusOf(error)
  if (status >= 500) report(error, conn, options)
  if (conn.state === 'sent' || conn.state === 'chunked' || conn.state === 'upgraded') return
  try {
    const page = renderErrorPage(conn, error, status, options.debugErrors === true)
    conn.respBody = null
    conn.deleteRespHeader('content-length').deleteRespHeader('content-encoding')
    // An unread oversized body is not worth draining: close the connection after answering.
    if (status === 413) conn.putRespHeader('connection', 'close')
    conn.putRespContentType(page.contentType).sendResp(status, page.body)
  } catch (renderError) {
    report(renderError, conn, options)
  }
}

function report(error: unknown, conn: Conn, options: ServeOptions): void {
  if (typeof error === 'object' && error !== null) {
    if (logged.has(error)) return
    logged.add(error)
  }
  const onError = options.onError ?? defaultOnError
  try {
    onError(error, conn)
  } catch {
    // A failing logger must not take the request down with it.
  }
}

function defaultOnError(error: unknown, conn: Conn): void {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error)
  console.error(`[cinder] ${conn.method} ${conn.requestPath} failed: ${stack}`)
}
