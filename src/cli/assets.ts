/**
 * `cinder assets [--watch] [--minify]`: esbuild bundles an application's browser code and styles,
 * `assets/js/app.ts` into `public/assets/app.js` and `assets/css/app.css` (with what it
 * `@import`s) into `public/assets/app.css`. The esbuild is the application's own (a
 * devDependency), so Cinder needs none at run time.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as Esbuild from 'esbuild'
import { CinderError } from '../errors.ts'
import { type Io, parse, usage } from './args.ts'

/** The entries, relative to the application's folder; those that exist are built. */
export const ASSET_ENTRIES = ['assets/js/app.ts', 'assets/css/app.css']
/** Where the bundles go (served by the endpoint's static plug). */
export const ASSET_OUTDIR = 'public/assets'

export async function buildAssets(argv: readonly string[], io: Io): Promise<void> {
  const { values, positionals } = parse(argv, {
    watch: { type: 'boolean', default: false },
    minify: { type: 'boolean', default: false },
  })
  if (positionals.length > 0) throw usage('cinder assets takes no argument')
  const context = await assetContext(io.cwd, { minify: values.minify === true })
  if (context === undefined) {
    io.log(`cinder assets: nothing to build (no ${ASSET_ENTRIES.join(' or ')})`)
    return
  }
  if (values.watch === true) {
    await context.watch()
    io.log(`cinder assets: watching assets/, writing ${ASSET_OUTDIR}/ (Ctrl-C to stop)`)
    return
  }
  const result = await context.rebuild()
  await context.dispose()
  for (const [file, output] of Object.entries(result.metafile?.outputs ?? {})) {
    if (!file.endsWith('.map')) io.log(`  ${file}  ${(output.bytes / 1024).toFixed(1)} KiB`)
  }
}

export interface AssetOptions {
  readonly minify?: boolean
  readonly logLevel?: Esbuild.LogLevel
  readonly plugins?: Esbuild.Plugin[]
}

/** An esbuild context for the application in `root`, or undefined when it has no assets. */
export async function assetContext(
  root: string,
  options: AssetOptions = {},
): Promise<Esbuild.BuildContext | undefined> {
  const entryPoints = ASSET_ENTRIES.filter((entry) => existsSync(join(root, entry)))
  if (entryPoints.length === 0) return undefined
  const esbuild = await loadEsbuild(root)
  const minify = options.minify ?? false
  return esbuild.context({
    entryPoints,
    outdir: ASSET_OUTDIR,
    entryNames: '[name]',
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    minify,
    sourcemap: !minify,
    legalComments: 'none',
    logLevel: options.logLevel ?? 'warning',
    absWorkingDir: root,
    plugins: options.plugins ?? [],
    metafile: true,
  })
}

/** The application's esbuild. */
async function loadEsbuild(root: string): Promise<typeof Esbuild> {
  let path: string
  try {
    path = createRequire(join(root, 'package.json')).resolve('esbuild')
  } catch {
    throw new CinderError(
      'CINDER_ERR_CLI_TOOL',
      `esbuild is not installed in ${root}: npm install --save-dev esbuild`,
    )
  }
  const loaded = (await import(pathToFileURL(path).href)) as typeof Esbuild & {
    default?: typeof Esbuild
  }
  return loaded.default ?? loaded
}
