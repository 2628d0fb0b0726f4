#!/usr/bin/env node
// The `cinder` command: runs the compiled CLI, dist/cli/main.js (src/cli/ in the sources).
// In a checkout of Cinder (tsconfig.build.json beside src/), dist/ is brought up to date first
// when a source is newer than the last build, so a fresh clone works right after `npm install`
// and an edited one never runs a stale CLI. An installed package has dist/ only.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist', 'cli', 'main.js')

if (existsSync(join(root, 'tsconfig.build.json')) && stale()) build()
const { main } = await import(pathToFileURL(cli).href)
process.exitCode = await main(process.argv.slice(2))

/** Whether a file of src/ (or the build config) is newer than dist/'s last build. */
function stale() {
  const built = join(root, 'dist', '.tsbuildinfo')
  if (!existsSync(cli) || !existsSync(built)) return true
  const since = statSync(built).mtimeMs
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name)
      return entry.isDirectory() ? newer(path) : statSync(path).mtimeMs > since
    })
  return newer(join(root, 'src')) || statSync(join(root, 'tsconfig.build.json')).mtimeMs > since
}

function build() {
  let tsc
  try {
    tsc = join(
      createRequire(join(root, 'package.json')).resolve('typescript/package.json'),
      '..',
      'bin',
      'tsc',
    )
  } catch {
    console.error(
      `cinder: dist/ is missing or stale and TypeScript is not installed: run npm install in ${root}`,
    )
    process.exit(1)
  }
  console.error('cinder: compiling Cinder (npm run build)…')
  const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    console.error(`cinder: npm run build failed in ${root}`)
    process.exit(1)
  }
}
