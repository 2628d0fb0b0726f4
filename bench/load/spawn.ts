/**
 * Starts a bench script (a load worker, a server under test) as a Node child
 * process with an IPC channel, the way this module itself runs: from the
 * compiled tree (.build/bench/…, after `npm run bench` type-checked it) or from
 * the sources through tsx. So every server of a run runs the same way.
 *
 * The child gets the file descriptor limit raised to 20,000 (or the hard
 * limit, if lower) by a shell wrapper: one fd per socket.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../peers/bench-package.ts'

const here = fileURLToPath(import.meta.url)
const benchDir = dirname(dirname(here))
const extension = extname(here)
const FD_LIMIT = 20_000

/** How bench scripts run in this process tree: `compiled` or `tsx`. */
export const runMode: 'compiled' | 'tsx' = extension === '.js' ? 'compiled' : 'tsx'

/**
 * Spawns `bench/<script>` (no extension: `load/worker`), with `nodeFlags`
 * before the script and `args` after it. stdout is piped, stderr inherited.
 * A `wrapper` (e.g. `['valgrind', '--tool=callgrind']`) runs Node under it;
 * the child's pid is then the wrapper's, which runs Node in its own process.
 */
export function spawnBenchScript(
  script: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
  wrapper: readonly string[] = [],
): ChildProcess {
  const loader = runMode === 'tsx' ? ['--import', 'tsx'] : ['--enable-source-maps']
  const command = [
    ...wrapper,
    process.execPath,
    ...nodeFlags,
    ...loader,
    join(benchDir, `${script}${extension}`),
    ...args,
  ]
  const raise = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`
  return spawn('/bin/sh', ['-c', raise, 'sh', ...command], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    serialization: 'advanced',
  })
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Asks nicely through `ask`, then kills `child` if it has not exited within `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  ask: () => void,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  try {
    ask()
  } catch {
    // The channel is already closed; the kill below settles it.
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited(child)
  clearTimeout(timer)
}
