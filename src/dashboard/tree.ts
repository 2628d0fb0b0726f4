/**
 * The supervision tree as the dashboard shows it, read from the runtime:
 * roots are the supervisors nobody started linked; a Supervisor or
 * DynamicSupervisor lists its children by id (asked, with a short
 * timeout, so a busy one cannot stall the page), a socket's connection
 * supervisor its connections, and any other process the processes it
 * started linked. Only expanded nodes are asked; each shows at most
 * `MAX_CHILDREN` children.
 */
import { call, type Pid, type ProcessInfo, processes } from '../process/index.ts'
import { type ChildInfo, Failure, Request } from '../process/supervisor.ts'
import { connectionPids } from '../socket/connection-supervisor.ts'

const MAX_CHILDREN = 100
const ASK_TIMEOUT = 1000

export interface TreeNode {
  readonly pid: string
  /** The child id in its supervisor's spec, if it has one. */
  readonly id: string | undefined
  readonly label: string
  readonly supervisor: boolean
  readonly mailbox: number
  readonly expanded: boolean
  readonly children: readonly TreeNode[]
  /** Children beyond those shown. */
  readonly more: number
}

/** The tree; a node whose pid is in `toggled` is shown opposite to its default (see `isOpen`). */
export async function supervisionTree(toggled: ReadonlySet<string>): Promise<TreeNode[]> {
  const all = processes()
  const byParent = new Map<string, ProcessInfo[]>()
  for (const info of all) {
    if (info.parent === undefined) continue
    const key = String(info.parent)
    byParent.set(key, [...(byParent.get(key) ?? []), info])
  }
  const byPid = new Map(all.map((info) => [String(info.pid), info]))
  const walk = async (
    info: ProcessInfo,
    id: string | undefined,
    open: boolean,
  ): Promise<TreeNode> => {
    const node = { pid: String(info.pid), id, label: labelOf(info), supervisor: isSupervisor(info) }
    if (!open) return { ...node, mailbox: info.mailbox, expanded: false, children: [], more: 0 }
    const kids = await childrenOf(info, byParent, byPid)
    const shown = await Promise.all(
      kids
        .slice(0, MAX_CHILDREN)
        .map(([child, childId]) => walk(child, childId, isOpen(child, toggled))),
    )
    const more = Math.max(0, kids.length - MAX_CHILDREN)
    return { ...node, mailbox: info.mailbox, expanded: true, children: shown, more }
  }
  const roots = all.filter((info) => info.parent === undefined && isSupervisor(info)).reverse()
  return Promise.all(roots.map((root) => walk(root, undefined, isOpen(root, toggled))))
}

/**
 * Static supervisors (a handful of children each) start open; dynamic
 * ones, which may run thousands, start closed. A click flips either.
 */
function isOpen(info: ProcessInfo, toggled: ReadonlySet<string>): boolean {
  return (info.behaviour === 'supervisor') !== toggled.has(String(info.pid))
}

/** Whether a node can be expanded (it supervises, or started processes linked). */
export function isSupervisor(info: ProcessInfo): boolean {
  return /supervisor/.test(info.behaviour ?? '')
}

function labelOf(info: ProcessInfo): string {
  return info.registeredName ?? info.behaviour ?? 'process'
}

type Child = [ProcessInfo, string | undefined]

async function childrenOf(
  info: ProcessInfo,
  byParent: ReadonlyMap<string, ProcessInfo[]>,
  byPid: ReadonlyMap<string, ProcessInfo>,
): Promise<Child[]> {
  const linked = (byParent.get(String(info.pid)) ?? []).reverse()
  const known = (pids: readonly Pid[], ids: readonly (string | undefined)[] = []): Child[] =>
    pids.flatMap((pid, i) => {
      const child = byPid.get(String(pid))
      return child === undefined ? [] : [[child, ids[i]] as Child]
    })
  try {
    if (info.behaviour === 'supervisor' || info.behaviour === 'dynamic supervisor') {
      const rows = await ask<ChildInfo[]>(info.pid, new Request({ op: 'which' }))
      const running = rows.filter((row) => row.pid !== undefined)
      return known(
        running.map((row) => row.pid as Pid),
        running.map((row) => row.id),
      )
    }
    if (info.behaviour === 'socket supervisor') return known(await connectionPids(info.pid))
  } catch {
    // Busy or gone: show what the runtime knows of it instead.
  }
  return linked.map((child) => [child, undefined])
}

async function ask<T>(pid: Pid, request: Request): Promise<T> {
  const out = await call(pid, request, ASK_TIMEOUT)
  if (out instanceof Failure) throw out.error
  return out as T
}
