// Bundles the fixtures' browser client (test/support/client/app.ts: the official phoenix and
// phoenix_live_view packages plus the application's hooks) with esbuild.
//
//   node scripts/build-client.mjs [--outfile .build/client/app.js] [--watch]
//
// Other code can import `buildClient` to build in memory (the conformance
// server serves the bundle this way, so it never serves a stale file).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as esbuild from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** esbuild options of the client bundle. */
export function clientBuildOptions({
  entry = join(root, 'test', 'support', 'client', 'app.ts'),
  minify = false,
} = {}) {
  return {
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    sourcemap: false,
    minify,
    legalComments: 'none',
    logLevel: 'error',
    absWorkingDir: root,
  }
}

/** Builds the bundle and returns its JavaScript (nothing is written). */
export async function buildClient(options = {}) {
  const result = await esbuild.build({ ...clientBuildOptions(options), write: false })
  const file = result.outputFiles?.[0]
  if (file === undefined) throw new Error('esbuild produced no output for the client bundle')
  return file.text
}

async function main() {
  const { values } = parseArgs({
    options: {
      outfile: { type: 'string', default: join(root, '.build', 'client', 'app.js') },
      minify: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
    },
  })
  if (values.watch) return watch(values.outfile, values.minify)
  const code = await buildClient({ minify: values.minify })
  mkdirSync(dirname(values.outfile), { recursive: true })
  writeFileSync(values.outfile, code)
  console.log(`client bundle: ${values.outfile} (${code.length} bytes)`)
}

/** Rebuilds the bundle on every change of its sources until interrupted. */
async function watch(outfile, minify) {
  const context = await esbuild.context({
    ...clientBuildOptions({ minify }),
    outfile,
    logLevel: 'info',
  })
  await context.watch()
  console.log(`client bundle: watching, writing ${outfile} (Ctrl-C to stop)`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
