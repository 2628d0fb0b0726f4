/**
 * A new application's package.json and package-lock.json. Its tools are the versions Cinder
 * itself is built and tested with, so the lockfile is the matching part of Cinder's own: the
 * app installs the very packages Cinder's `npm install` fetched, from npm's cache when it has
 * them (`npm install --offline` works on a machine that installed Cinder).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { CinderError } from '../errors.ts'
import type { CinderPackage } from './paths.ts'

/** Runtime packages of the app: the browser clients its assets bundle. */
const DEPENDENCIES = ['phoenix', 'phoenix_live_view']
/** Tools and test helpers: the compiler, linter, bundler, runner, and `ws` for the phoenix client. */
const DEV_DEPENDENCIES = [
  '@biomejs/biome',
  '@types/node',
  '@types/ws',
  'esbuild',
  'tsx',
  'typescript',
  'ws',
]

export interface AppPackage {
  readonly name: string
  readonly version: string
  readonly dependencies: Record<string, string>
  readonly devDependencies: Record<string, string>
  readonly [field: string]: unknown
}

export function appPackageJson(app: string, cinder: CinderPackage): AppPackage {
  return {
    name: app,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20' },
    scripts: {
      dev: 'cinder dev',
      start: 'npm run build && node --enable-source-maps .build/src/main.js',
      build: 'tsc -b && cinder assets',
      test: 'tsc -b && node --enable-source-maps --test .build/test/',
      lint: 'biome ci .',
      format: 'biome check --write .',
    },
    dependencies: { cinder: cinderSpec(cinder), ...versions(DEPENDENCIES, cinder) },
    devDependencies: versions(DEV_DEPENDENCIES, cinder),
  }
}

/** A checkout by path (Cinder is not on the registry yet); an installed Cinder by version. */
function cinderSpec(cinder: CinderPackage): string {
  return cinder.checkout ? `file:${cinder.root}` : `^${cinder.version}`
}

function versions(names: readonly string[], cinder: CinderPackage): Record<string, string> {
  const all = { ...cinder.dependencies, ...cinder.devDependencies }
  return Object.fromEntries(
    names.map((name) => {
      const version = all[name]
      if (version === undefined)
        throw new CinderError('CINDER_ERR_CLI_TOOL', `Cinder's package.json does not list ${name}`)
      return [name, version]
    }),
  )
}

interface LockEntry {
  dev?: boolean
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  [field: string]: unknown
}

interface Lockfile {
  readonly lockfileVersion: number
  readonly packages: Record<string, LockEntry>
}

/**
 * The app's lockfile, cut from Cinder's: its dependencies and everything they need, at the
 * same paths, and the link to Cinder. Undefined when Cinder has no lockfile (an installed
 * package) or lacks one of the app's dependencies: npm then resolves the versions itself.
 */
export function appLockfile(app: AppPackage, appDir: string, cinder: CinderPackage) {
  const file = join(cinder.root, 'package-lock.json')
  if (!cinder.checkout || !existsSync(file)) return undefined
  const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile
  if (lock.lockfileVersion < 2) return undefined
  const prod = closure(
    lock,
    Object.keys(app.dependencies).filter((name) => name !== 'cinder'),
  )
  const dev = closure(lock, Object.keys(app.devDependencies))
  if (prod === undefined || dev === undefined) return undefined
  const packages: Record<string, LockEntry> = {}
  for (const key of [...new Set([...prod, ...dev])].sort()) {
    const { dev: _dev, ...entry } = lock.packages[key] ?? {}
    packages[key] = prod.has(key) ? entry : { ...entry, dev: true }
  }
  const link = relative(appDir, cinder.root).split(sep).join('/')
  return {
    name: app.name,
    version: app.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: app.name,
        version: app.version,
        dependencies: app.dependencies,
        devDependencies: app.devDependencies,
      },
      [link]: {
        name: 'cinder',
        version: cinder.version,
        bin: cinder.bin,
        dependencies: cinder.dependencies,
      },
      'node_modules/cinder': { resolved: link, link: true },
      ...packages,
    },
  }
}

/** The lockfile keys of `names` and of all they depend on; undefined if one is missing. */
function closure(lock: Lockfile, names: readonly string[]): Set<string> | undefined {
  const found = new Set<string>()
  const queue: Array<[string, string, boolean]> = names.map((name) => ['', name, false])
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
    const [from, name, optional] = item
    const key = resolve(lock, from, name)
    if (key === undefined) {
      if (optional) continue
      return undefined
    }
    if (found.has(key)) continue
    found.add(key)
    const entry = lock.packages[key] ?? {}
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([key, dep, false])
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([key, dep, true])
    for (const dep of Object.keys(entry.peerDependencies ?? {})) queue.push([key, dep, true])
  }
  return found
}

/** Node's lookup over lockfile keys: `from/node_modules/name`, then each folder above. */
function resolve(lock: Lockfile, from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`
    if (lock.packages[key] !== undefined) return key
    if (base === '') return undefined
    const cut = base.lastIndexOf('/node_modules/')
    base = cut < 0 ? '' : base.slice(0, cut)
  }
}
