/**
 * `cinder new` without npm: the files it writes, the package.json and the lockfile cut from
 * Cinder's own, and what it refuses. (test/examples/new_app installs and runs one.)
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, test } from 'node:test'
import type { Io } from '../../src/cli/args.ts'
import { main } from '../../src/cli/main.ts'
import { cinderPackage } from '../../src/cli/paths.ts'

const cinder = cinderPackage()
const folder = mkdtempSync(join(tmpdir(), 'cinder-cli-'))
after(() => rmSync(folder, { recursive: true, force: true }))

/** Runs the command in `cwd`, collecting what it prints. */
async function cli(
  argv: string[],
  cwd = folder,
): Promise<{ code: number; out: string; err: string }> {
  const lines = { out: [] as string[], err: [] as string[] }
  const io: Io = { cwd, log: (line) => lines.out.push(line), error: (line) => lines.err.push(line) }
  const code = await main(argv, io)
  return { code, out: lines.out.join('\n'), err: lines.err.join('\n') }
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

test('cinder new writes a complete application, every template filled in', async () => {
  const { code, out } = await cli(['new', 'chat_room', '--live'])
  assert.equal(code, 0)
  const app = join(folder, 'chat_room')
  const written = files(app)
  for (const expected of [
    '.gitignore',
    'README.md',
    'biome.json',
    'package-lock.json',
    'package.json',
    'tsconfig.json',
    'assets/js/app.ts',
    'src/main.ts',
    'src/application.ts',
    'src/presence.ts',
    'src/web/router.ts',
    'src/web/live/home-live.ts',
    'src/web/channels/room-channel.ts',
    'test/web/live/home-live.test.ts',
    'test/web/channels/room-channel.test.ts',
    'test/web/controllers/health-controller.test.ts',
  ]) {
    assert.ok(written.includes(expected), `${expected} is written`)
    assert.match(out, new RegExp(`\\* creating chat_room/${expected.replaceAll('.', '\\.')}`))
  }
  for (const file of written) {
    assert.doesNotMatch(readFileSync(join(app, file), 'utf8'), /<%/, `${file} has no template tag`)
  }
  assert.match(readFileSync(join(app, 'src/web/router.ts'), 'utf8'), /name: 'ChatRoom'/)
  assert.match(readFileSync(join(app, 'README.md'), 'utf8'), new RegExp(`file:${cinder.root}`))
  assert.match(out, /cd chat_room\n {4}npm install --prefer-offline\n {4}npm run dev/)
})

test('the package pins the tools Cinder uses and links Cinder by path', () => {
  const app = join(folder, 'chat_room')
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
  assert.equal(pkg.dependencies.cinder, `file:${cinder.root}`)
  for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    if (name === 'cinder') continue
    const ours = cinder.dependencies[name] ?? cinder.devDependencies[name]
    assert.equal(version, ours, `${name} is Cinder's version`)
  }
  assert.deepEqual(Object.keys(pkg.scripts).sort(), [
    'build',
    'dev',
    'format',
    'lint',
    'start',
    'test',
  ])
})

test("the lockfile is a closed part of Cinder's: every dependency resolves inside it", () => {
  const app = join(folder, 'chat_room')
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'))
  const ours = JSON.parse(readFileSync(join(cinder.root, 'package-lock.json'), 'utf8'))
  const link = relative(app, cinder.root)
  assert.deepEqual(lock.packages['node_modules/cinder'], { resolved: link, link: true })
  for (const [key, entry] of Object.entries<Record<string, Record<string, string>>>(
    lock.packages,
  )) {
    if (key === '' || key === link || key === 'node_modules/cinder') continue
    assert.equal(entry.integrity, ours.packages[key]?.integrity, `${key} is Cinder's`)
    for (const dep of Object.keys(entry.dependencies ?? {})) {
      const found = [`${key}/node_modules/${dep}`, `node_modules/${dep}`].some(
        (path) => lock.packages[path] !== undefined,
      )
      assert.ok(found, `${key} finds ${dep}`)
    }
  }
  assert.equal(lock.packages['node_modules/typescript'].dev, true)
  assert.equal(lock.packages['node_modules/phoenix'].dev, undefined)
})

test('--no-presence leaves Presence out of the tree, the page and the files', async () => {
  assert.equal((await cli(['new', 'quiet'])).code, 0)
  assert.equal((await cli(['new', 'solo', '--no-presence'])).code, 0)
  const solo = join(folder, 'solo')
  assert.ok(!files(solo).includes('src/presence.ts'))
  assert.doesNotMatch(readFileSync(join(solo, 'src/application.ts'), 'utf8'), /resence/)
  assert.doesNotMatch(readFileSync(join(solo, 'src/web/live/home-live.ts'), 'utf8'), /resence/)
  assert.ok(files(join(folder, 'quiet')).includes('src/presence.ts'))
})

test('a folder that is not empty, a file, or a bad name is refused, and nothing is written', async () => {
  mkdirSync(join(folder, 'taken'))
  writeFileSync(join(folder, 'taken', 'notes.txt'), 'mine')
  const taken = await cli(['new', 'taken'])
  assert.equal(taken.code, 1)
  assert.match(taken.err, /^cinder: .*taken is a folder that is not empty: cinder new writes/)
  assert.deepEqual(files(join(folder, 'taken')), ['notes.txt'])

  writeFileSync(join(folder, 'plain'), '')
  assert.match((await cli(['new', 'plain'])).err, /plain is a file/)

  const bad = await cli(['new', 'Chat-Room'])
  assert.equal(bad.code, 1)
  assert.match(bad.err, /"Chat-Room" is not a valid application name/)
  assert.ok(!readdirSync(folder).includes('Chat-Room'))

  mkdirSync(join(folder, 'empty'))
  assert.equal((await cli(['new', 'empty'])).code, 0, 'an empty folder is fine')
})

test('usage errors exit with 2 and show the usage', async () => {
  for (const argv of [
    ['new'],
    ['new', 'a', 'b'],
    ['new', 'x', '--bogus'],
    ['frobnicate'],
    ['gen'],
  ]) {
    const { code, err } = await cli(argv)
    assert.equal(code, 2, argv.join(' '))
    assert.match(err, /Usage: cinder <command>/)
  }
  assert.match((await cli(['--help'])).out, /cinder new <path>/)
  assert.equal((await cli(['--version'])).out, cinder.version)
})
