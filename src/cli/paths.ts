/** Where Cinder itself is: the package the running CLI belongs to, and its templates. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CinderError } from '../errors.ts'

/** What the generators read from Cinder's own package.json. */
export interface CinderPackage {
  /** The package's folder (a checkout, or node_modules/cinder). */
  readonly root: string
  readonly version: string
  readonly dependencies: Readonly<Record<string, string>>
  readonly devDependencies: Readonly<Record<string, string>>
  readonly bin: Readonly<Record<string, string>>
  /** A checkout (its sources are there), not a package installed from a registry. */
  readonly checkout: boolean
}

/**
 * The nearest folder above this file whose package.json is Cinder's: the same from src/cli/,
 * .build/src/cli/ and dist/cli/.
 */
export function cinderPackage(from = dirname(fileURLToPath(import.meta.url))): CinderPackage {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as Partial<CinderPackage> & {
        name?: string
      }
      if (json.name === 'cinder') {
        return {
          root: dir,
          version: json.version ?? '0.0.0',
          dependencies: json.dependencies ?? {},
          devDependencies: json.devDependencies ?? {},
          bin: json.bin ?? {},
          checkout: existsSync(join(dir, 'src')),
        }
      }
    }
    if (dirname(dir) === dir)
      throw new CinderError('CINDER_ERR_CLI_TOOL', `no package.json of cinder above ${from}`)
  }
}

/** The templates folder of `cinder new` (`new/`) and `cinder gen` (`gen/`). */
export function templatesDir(cinder: CinderPackage): string {
  return join(cinder.root, 'templates')
}
