/**
 * Plugs and pipelines, as in Plug: a plug takes a Conn and returns it (or a
 * promise of it). It is either a function `(conn, opts) => conn`, or an object
 * with `call(conn, opts)` and an optional `init(opts)` run once, when the
 * pipeline is built, so expensive option handling stays off the request path.
 *
 * `pipeline([...])` runs plugs in order and stops after one halts. A plug that
 * returns anything but a Conn is a bug named loudly: "expected plug X to
 * return a Conn, got: …".
 */
import { CinderError, describe } from '../errors.ts'
import { Conn } from './conn.ts'

/** What a plug returns. */
export type PlugResult = Conn | Promise<Conn>

/** A function plug. Options come from a `[plug, opts]` pipeline entry (undefined otherwise). */
export type PlugFunction<Opts = undefined> = (conn: Conn, opts: Opts) => PlugResult

/** An object plug: `init` prepares the options once, `call` handles each request. */
export interface ModulePlug<Opts = undefined, Init = Opts> {
  readonly name?: string
  init?(opts: Init): Opts
  call(conn: Conn, opts: Opts): PlugResult
}

/** Either kind of plug. */
export type Plug<Opts = undefined> = PlugFunction<Opts> | ModulePlug<Opts>

/** Any plug, whatever its options (what a pipeline accepts). */
export type AnyPlug =
  | PlugFunction<never>
  | {
      readonly name?: string
      init?(opts: never): unknown
      call(conn: Conn, opts: never): PlugResult
    }

/** A pipeline entry: a plug, or a plug with its options. */
export type PlugSpec = AnyPlug | readonly [AnyPlug, unknown]

/** A plug ready to run: options bound, wrapped as `(conn) => conn`. */
export type BoundPlug = ((conn: Conn) => PlugResult) & { readonly plugName: string }

/** Binds a pipeline entry's options (running `init` once) into a one-argument plug. */
export function bindPlug(spec: PlugSpec): BoundPlug {
  const [plug, rawOpts] = Array.isArray(spec) ? spec : [spec, undefined]
  const name = plugName(plug)
  let bound: (conn: Conn) => PlugResult
  if (typeof plug === 'function') {
    const fn = plug as (conn: Conn, opts: unknown) => PlugResult
    bound = (conn) => fn(conn, rawOpts)
  } else if (isModulePlug(plug)) {
    const module = plug as ModulePlug<unknown, unknown>
    const opts = module.init ? module.init(rawOpts) : rawOpts
    bound = (conn) => module.call(conn, opts)
  } else {
    throw new CinderError(
      'CINDER_ERR_PLUG_OPTIONS',
      `expected a plug (a function or an object with call), got: ${describe(plug)}`,
    )
  }
  return Object.assign(bound, { plugName: name })
}

/**
 * Builds one plug that runs `plugs` in order, stopping once the conn is halted.
 *
 * @example
 * const api = pipeline([requestId(), accepts(['json'])])
 */
export function pipeline(plugs: readonly PlugSpec[], name = 'pipeline'): BoundPlug {
  const bound = plugs.map(bindPlug)
  const run = (conn: Conn): PlugResult => runFrom(bound, 0, conn)
  return Object.assign(run, { plugName: name })
}

/** Runs plugs from `index`, staying synchronous until a plug returns a promise. */
function runFrom(plugs: readonly BoundPlug[], index: number, conn: Conn): PlugResult {
  let current = conn
  for (let i = index; i < plugs.length; i++) {
    if (current.halted) return current
    const plug = plugs[i] as BoundPlug
    const result = plug(current)
    if (result instanceof Conn) {
      current = result
      continue
    }
    if (isPromise(result)) {
      return result.then((resolved) => runFrom(plugs, i + 1, checkResult(plug, resolved)))
    }
    return badReturn(plug, result)
  }
  return current
}

/** Runs a single plug and checks what it returned. */
export function runPlug(plug: BoundPlug, conn: Conn): PlugResult {
  const result = plug(conn)
  if (result instanceof Conn) return result
  if (isPromise(result)) return result.then((resolved) => checkResult(plug, resolved))
  return badReturn(plug, result)
}

function checkResult(plug: BoundPlug, value: unknown): Conn {
  if (value instanceof Conn) return value
  return badReturn(plug, value)
}

function badReturn(plug: BoundPlug, value: unknown): never {
  throw new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `expected plug ${plug.plugName} to return a Conn, got: ${describe(value)}`,
  )
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | null)?.then === 'function'
}

function isModulePlug(value: unknown): value is ModulePlug<unknown, unknown> {
  return typeof (value as ModulePlug<unknown> | null)?.call === 'function'
}

function plugName(plug: unknown): string {
  if (typeof plug === 'function') return plug.name || '(anonymous plug)'
  const named = (plug as { name?: unknown } | null)?.name
  return typeof named === 'string' && named !== '' ? named : '(anonymous plug)'
}
