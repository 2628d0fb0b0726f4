/**
 * What the nodes of a cluster say to each other, on the PubSub topic `cinder.cluster:<name>`
 * (broadcasts) and through direct broadcasts to one node. Every message is one JSON object
 * with a protocol mark and version, so a foreign or corrupt message is dropped and a node
 * speaking another version is refused with a log line naming both:
 *
 *   {"proto":"cinder.cluster", "pv":1, "t":<type>, "from":<node>, ...fields}
 *
 * | t | to | fields | meaning |
 * | --- | --- | --- | --- |
 * | `hb` | all, or one newcomer | `inc`, `digest` | heartbeat: alive, with this incarnation |
 * | `bye` | all | `inc` | stopping cleanly |
 * | `mon` / `demon` | one | `ref`, `pid` / `ref` | monitor / stop monitoring process `pid` there |
 * | `down` | one | `ref`, `reason` | the monitored process stopped |
 * | `send` | one | `pid`, `msg` | a message for process `pid` there |
 * | `reg` / `unreg` | all | `seq`, `entry` / `seq`, `name`, `pid` | registry change of the sender |
 * | `syncreq` / `sync` | one | — / `seq`, `entries` | ask for / send the sender's registrations |
 * | `sup` | all, or one | `sup`, `op`, `key` | cluster supervisor news (adopted, stop, released) |
 *
 * Decoding checks every field's type; a node's own echo never arrives (PubSub drops it).
 */

/** Marks a cluster message among whatever else travels on PubSub. */
export const CLUSTER_PROTO = 'cinder.cluster'
/** The version of this protocol. Bump on any incompatible change. */
export const CLUSTER_PROTOCOL_VERSION = 1

/** A registration as it travels: the name, the pid's string, its node, and when it was made. */
export interface WireEntry {
  readonly name: string
  readonly pid: string
  readonly node: string
  /** Wall-clock milliseconds of the registration: the earliest wins a conflict. */
  readonly ts: number
}

/** An exit reason as it travels: an Error as its name, message and code; anything else as JSON. */
export type WireReason =
  | { readonly error: { readonly name: string; readonly message: string; readonly code?: string } }
  | { readonly value: unknown }

export type SupervisorOp = 'adopted' | 'stop' | 'released'

/** A message between cluster nodes, decoded. */
export type ClusterMessage = { readonly from: string } & (
  | { readonly t: 'hb'; readonly inc: string; readonly digest: Readonly<Record<string, number>> }
  | { readonly t: 'bye'; readonly inc: string }
  | { readonly t: 'mon'; readonly ref: number; readonly pid: number }
  | { readonly t: 'demon'; readonly ref: number }
  | { readonly t: 'down'; readonly ref: number; readonly reason: WireReason }
  | { readonly t: 'send'; readonly pid: number; readonly msg: unknown }
  | { readonly t: 'reg'; readonly seq: number; readonly entry: WireEntry }
  | { readonly t: 'unreg'; readonly seq: number; readonly name: string; readonly pid: string }
  | { readonly t: 'syncreq' }
  | { readonly t: 'sync'; readonly seq: number; readonly entries: readonly WireEntry[] }
  | {
      readonly t: 'sup'
      readonly sup: string
      readonly op: SupervisorOp
      readonly key: string
    }
)

/** What arrived on the cluster topic. */
export type Received =
  | { readonly kind: 'message'; readonly message: ClusterMessage }
  | { readonly kind: 'version'; readonly from: string; readonly version: unknown }
  | { readonly kind: 'corrupt'; readonly reason: string }

/** A message as JSON-ready data. */
export function encode(message: ClusterMessage): object {
  return { proto: CLUSTER_PROTO, pv: CLUSTER_PROTOCOL_VERSION, ...message }
}

type Fields = Record<string, unknown>
const isString = (v: unknown): v is string => typeof v === 'string'
const isInt = (v: unknown): v is number => Number.isSafeInteger(v)

const SUPERVISOR_OPS = new Set<unknown>(['adopted', 'stop', 'released'])

/** Checks the fields each type needs; the message is the object itself once they hold. */
const CHECKS: Record<string, (m: Fields) => boolean> = {
  hb: (m) => isString(m.inc) && isDigest(m.digest),
  bye: (m) => isString(m.inc),
  mon: (m) => isInt(m.ref) && isInt(m.pid),
  demon: (m) => isInt(m.ref),
  down: (m) => isInt(m.ref) && isReason(m.reason),
  send: (m) => isInt(m.pid) && 'msg' in m,
  reg: (m) => isInt(m.seq) && isEntry(m.entry),
  unreg: (m) => isInt(m.seq) && isString(m.name) && isString(m.pid),
  syncreq: () => true,
  sync: (m) => isInt(m.seq) && Array.isArray(m.entries) && m.entries.every(isEntry),
  sup: (m) => isString(m.sup) && SUPERVISOR_OPS.has(m.op) && isString(m.key),
}

/** Decodes what arrived on the cluster topic. */
export function decode(data: unknown): Received {
  if (typeof data !== 'object' || data === null || (data as Fields).proto !== CLUSTER_PROTO) {
    return { kind: 'corrupt', reason: 'not a cinder.cluster message' }
  }
  const m = data as Fields
  if (!isString(m.from) || m.from === '') return { kind: 'corrupt', reason: 'no sender' }
  if (m.pv !== CLUSTER_PROTOCOL_VERSION) return { kind: 'version', from: m.from, version: m.pv }
  const check = isString(m.t) ? CHECKS[m.t] : undefined
  if (check === undefined) return { kind: 'corrupt', reason: `unknown type ${String(m.t)}` }
  if (!check(m)) return { kind: 'corrupt', reason: `malformed ${m.t} message` }
  return { kind: 'message', message: m as unknown as ClusterMessage }
}

function isDigest(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.values(v).every(isInt)
}

function isEntry(v: unknown): v is WireEntry {
  if (typeof v !== 'object' || v === null) return false
  const e = v as Fields
  return isString(e.name) && isString(e.pid) && isString(e.node) && typeof e.ts === 'number'
}

function isReason(v: unknown): v is WireReason {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Fields
  if ('value' in r) return true
  const error = r.error as Fields | undefined
  return typeof error === 'object' && error !== null && isString(error.message)
}

/** An exit reason for the wire. */
export function encodeReason(reason: unknown): WireReason {
  if (reason instanceof Error) {
    const code = (reason as { code?: unknown }).code
    return {
      error: {
        name: reason.name,
        message: reason.message,
        ...(typeof code === 'string' ? { code } : {}),
      },
    }
  }
  try {
    JSON.stringify(reason)
    return { value: reason ?? null }
  } catch {
    return { value: String(reason) } // a cycle or a BigInt: its text
  }
}

/** An exit reason from the wire: an Error again (name, message and code kept), or the value. */
export function decodeReason(wire: WireReason): unknown {
  if ('value' in wire) return wire.value
  const { name, message, code } = wire.error
  const error = new Error(message)
  error.name = isString(name) ? name : 'Error'
  if (code !== undefined) Object.assign(error, { code })
  return error
}

/** A message as a component hands it to the link, which adds `from`. */
export type Outgoing = ClusterMessage extends infer M
  ? M extends ClusterMessage
    ? Omit<M, 'from'>
    : never
  : never
