// Runs the compiled test suite (.build/test) in groups: unit tests in parallel,
// then the suites that share ports, Redis, NATS or Chromium one file at a time.
// Prints one closing line `tests: N passed, N failed` over all groups.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'

const root = '.build/test'
const serialDirs = ['conformance', 'cluster', 'browser', 'examples']

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return findTests(path)
    return name.endsWith('.test.js') ? [path] : []
  })
}

const topDir = (file) => relative(root, file).split(sep)[0]
const all = findTests(root).sort()
const unit = all.filter((f) => !serialDirs.includes(topDir(f)))
// The example applications' own tests (examples/<app>/test/) start their app: with the examples.
const exampleApps = existsSync('.build/examples')
  ? findTests('.build/examples').filter((f) => f.split(sep).includes('test'))
  : []
const groups = [
  { name: 'unit', files: unit, concurrency: 2 },
  ...serialDirs.map((dir) => ({
    name: dir,
    files: [
      ...all.filter((f) => topDir(f) === dir),
      ...(dir === 'examples' ? exampleApps.sort() : []),
    ],
    concurrency: 1,
  })),
]
const only = process.argv[2]
// The examples import 'cinder' as an application would; this condition resolves
// it to the compiled sources (package.json "exports"), in every process the tests start.
const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=cinder:build`.trim(),
}
const tmp = mkdtempSync(join(tmpdir(), 'cinder-test-'))
let passed = 0
let failed = 0
let exitCode = 0

for (const group of groups) {
  if (group.files.length === 0 || (only && only !== group.name)) continue
  console.log(`\n== ${group.name}: ${group.files.length} files ==`)
  const tap = join(tmp, `${group.name}.tap`)
  const result = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      `--test-concurrency=${group.concurrency}`,
      '--test-timeout=120000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...group.files,
    ],
    { stdio: 'inherit', env },
  )
  const summary = readFileSync(tap, 'utf8')
  passed += Number(/^# pass (\d+)/m.exec(summary)?.[1] ?? 0)
  failed += Number(/^# fail (\d+)/m.exec(summary)?.[1] ?? 0)
  if (result.status !== 0) exitCode = 1
}

console.log(`\ntests: ${passed} passed, ${failed} failed`)
process.exit(exitCode)
