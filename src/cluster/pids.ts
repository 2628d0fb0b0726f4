/**
 * Pids across nodes. A pid crosses nodes as its string, `<node.id>` (what `String(pid)` and
 * JSON give, and how presence owners are named); `toPid` turns it back into a `Pid`: the live
 * process itself when it runs on this node, a remote pid otherwise. Remote pids have no
 * process here: the cluster's `send` and `monitor` reach them.
 */
import { CinderError, describe } from '../errors.ts'
import { isAlive, nodeName, Pid } from '../process/index.ts'
import { livePid } from '../process/process.ts'

const PID_TEXT = /^<(.+)\.(\d+)>$/

/** A pid, or its string form `<node.id>` (as it arrives from another node). */
export type PidLike = Pid | string

/**
 * The `Pid` named by `target`: a `Pid` is returned as is; `<node.id>` becomes this node's
 * process of that number (or a pid of a stopped one), or a remote pid. Throws
 * CINDER_ERR_CLUSTER_BAD_ARG for anything else.
 */
export function toPid(target: PidLike): Pid {
  if (target instanceof Pid) return target
  const match = typeof target === 'string' ? PID_TEXT.exec(target) : null
  const id = Number(match?.[2])
  if (match === null || !Number.isSafeInteger(id)) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected a Pid or a pid string such as "<node.42>", got ${describe(target)}`,
    )
  }
  const node = match[1] as string
  if (node === nodeName()) return livePid(id) ?? Pid.remote(node, id)
  return Pid.remote(node, id)
}

/**
 * Whether `pid` names a process of this node: a live one (whatever node name it was minted
 * under), or one named after this node.
 */
export function isLocal(pid: Pid): boolean {
  return isAlive(pid) || pid.node === nodeName()
}
