/**
 * Finds the bench's own package (bench/package.json), where the peers'
 * dependencies (socket.io, socket.io-client) are installed, out of the root
 * package. Works from the sources (bench/…) and from the compiled tree
 * (.build/bench/…), whose node_modules lookup would not reach bench/.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The repository root: the nearest ancestor holding bench/package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'bench', 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('bench/package.json not found above this file')
    dir = parent
  }
}

/**
 * Loads a dependency of bench/package.json (its CommonJS build: both socket.io
 * packages ship one). Throws a message that says how to install it when it is
 * missing. The caller describes the little it uses with its own interface, so
 * the root type-check does not depend on bench/node_modules.
 */
export function requireBenchDependency(name: string): unknown {
  const require = createRequire(join(repoRoot(), 'bench', 'package.json'))
  try {
    require.resolve(name)
  } catch {
    throw new Error(`${name} is not installed for the benchmarks: run \`cd bench && npm ci\``)
  }
  return require(name)
}

/**
 * Imports an ES-module dependency of bench/package.json (vega, vega-lite:
 * they ship no CommonJS build). Same lookup and message as
 * requireBenchDependency, and the caller describes what it uses likewise.
 */
export async function importBenchDependency(name: string): Promise<unknown> {
  const require = createRequire(join(repoRoot(), 'bench', 'package.json'))
  let path: string
  try {
    path = require.resolve(name)
  } catch {
    throw new Error(`${name} is not installed for the benchmarks: run \`cd bench && npm ci\``)
  }
  return import(pathToFileURL(path).href)
}
