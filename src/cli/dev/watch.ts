/**
 * Watches folders and their subfolders, and reports the changed files once changes have
 * settled: an editor's save is often several writes, and a rebuild writes several files.
 *
 * Each folder gets its own (non-recursive) watcher, which sees a file replaced by a rename,
 * the way many editors save; Node 20's recursive watcher on Linux loses such a file after its
 * first replacement. Folders created later are watched as they appear. Files gone by the time
 * changes settle (editors' and tools' temporary files) are not reported.
 */
import { existsSync, type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { join } from 'node:path'

/** Never watched or reported: dependencies, compiled output, source maps, editors' backups. */
const IGNORED = /^(node_modules|\.build|\.git|dist)$|\.map$|~$|\.swp$/

export interface Watcher {
  close(): void
}

/** Calls `onChange(paths)` after `quietMs` without a further change under `dirs`. */
export function watchFolders(
  dirs: readonly string[],
  onChange: (paths: string[]) => void,
  quietMs = 30,
): Watcher {
  const watchers = new Map<string, FSWatcher>()
  let changed = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    timer = undefined
    const paths = [...changed].filter((path) => existsSync(path))
    changed = new Set()
    if (paths.length > 0) onChange(paths)
  }
  const add = (dir: string): void => {
    if (watchers.has(dir)) return
    const watcher = watch(dir, (_event, name) => {
      if (name === null || IGNORED.test(name)) return
      const path = join(dir, name)
      if (isDirectory(path)) add(path)
      changed.add(path)
      if (timer !== undefined) clearTimeout(timer)
      timer = setTimeout(flush, quietMs)
    })
    watcher.on('error', () => watchers.delete(dir)) // the folder went away
    watchers.set(dir, watcher)
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !IGNORED.test(entry.name)) add(join(dir, entry.name))
    }
  }
  for (const dir of dirs) if (isDirectory(dir)) add(dir)
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
