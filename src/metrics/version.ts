/**
 * Cinder's version, read once from its package.json: the nearest one above
 * this module named `cinder` (the same from the sources, `.build/` and
 * `dist/`). `unknown` when none is found (a bundle, say).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

export function cinderVersion(): string {
  cached ??= findVersion(dirname(fileURLToPath(import.meta.url)))
  return cached
}

function findVersion(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
        if (pkg.name === 'cinder' && typeof pkg.version === 'string') return pkg.version
      } catch {
        // Not ours or not JSON: keep looking above.
      }
    }
    if (dirname(dir) === dir) return 'unknown'
  }
}
