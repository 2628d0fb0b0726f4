/**
 * The pieces of `cinder dev`: the live-reload server's script and event stream, the folder
 * watcher (editors that save by renaming included), and its options. The whole loop runs in
 * test/examples/new_app/dev-loop.test.ts.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { devOptions } from '../../src/cli/dev/dev.ts'
import { startReloadServer } from '../../src/cli/dev/reload-server.ts'
import { watchFolders } from '../../src/cli/dev/watch.ts'

const folder = mkdtempSync(join(tmpdir(), 'cinder-dev-'))
after(() => rmSync(folder, { recursive: true, force: true }))

/** Reads an event stream until `count` events came; resolves with them. */
function events(url: string, count: number, onOpen: () => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const request = get(url, (response) => {
      assert.equal(response.headers['content-type'], 'text/event-stream')
      assert.equal(response.headers['access-control-allow-origin'], '*')
      let buffer = ''
      const seen: string[] = []
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        const frames = buffer.split('\n\n')
        buffer = frames.pop() ?? ''
        for (const frame of frames) {
          const event = /^event: (.*)$/m.exec(frame)?.[1]
          if (event !== undefined) seen.push(`${event} ${/^data: (.*)$/m.exec(frame)?.[1]}`)
          if (event === 'hello') onOpen()
        }
        if (seen.length >= count) {
          request.destroy()
          resolve(seen)
        }
      })
    })
    request.on('error', reject)
  })
}

test('the reload server serves the page script and tells every page to reload or swap CSS', async () => {
  const server = await startReloadServer({ host: '127.0.0.1', port: 0, publicHost: '127.0.0.1' })
  assert.match(server.scriptUrl, /^http:\/\/127\.0\.0\.1:\d+\/cinder-live-reload\.js$/)
  const script = await fetch(server.scriptUrl)
  assert.equal(script.status, 200)
  assert.match(await script.text(), /new EventSource\(origin \+ '\/events'\)/)
  const stream = new URL('/events', server.scriptUrl).href
  let open = 0
  const both = Promise.all([1, 2].map(() => events(stream, 3, () => (open += 1))))
  while (open < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  assert.equal(server.clients, 2)
  server.reload()
  server.css(['/assets/app.css'])
  for (const seen of await both) {
    assert.match(seen[0] ?? '', /^hello [0-9a-f]{16}$/)
    assert.deepEqual(seen.slice(1), ['reload {}', 'css ["/assets/app.css"]'])
  }
  assert.equal((await fetch(new URL('/other', server.scriptUrl))).status, 404)
  await server.close()
})

test('the watcher reports a save once settled, a save by rename too, and not temp files', async () => {
  const src = join(folder, 'src')
  mkdirSync(join(src, 'web'), { recursive: true })
  writeFileSync(join(src, 'web', 'page.ts'), 'v0')
  const batches: string[][] = []
  const watcher = watchFolders([src, join(folder, 'missing')], (paths) => batches.push(paths), 40)
  const settle = () => new Promise((resolve) => setTimeout(resolve, 250))

  writeFileSync(join(src, 'web', 'page.ts'), 'v1')
  writeFileSync(join(src, 'web', 'page.ts'), 'v2')
  await settle()
  assert.deepEqual(batches, [[join(src, 'web', 'page.ts')]], 'two writes, one batch')

  for (const round of [1, 2]) {
    // As sed -i and many editors save: a temporary file renamed over the original.
    writeFileSync(join(src, 'web', `.page.ts.tmp${round}`), `v${round + 2}`)
    renameSync(join(src, 'web', `.page.ts.tmp${round}`), join(src, 'web', 'page.ts'))
    await settle()
    assert.deepEqual(batches.at(-1), [join(src, 'web', 'page.ts')], `rename ${round}`)
  }

  mkdirSync(join(src, 'live'))
  await settle()
  writeFileSync(join(src, 'live', 'new.ts'), 'x')
  await settle()
  assert.deepEqual(batches.at(-1), [join(src, 'live', 'new.ts')], 'a new folder is watched')

  mkdirSync(join(src, 'node_modules'))
  writeFileSync(join(src, 'node_modules', 'x.js'), 'x')
  writeFileSync(join(src, 'web', 'page.ts.map'), '{}')
  const count = batches.length
  await settle()
  assert.equal(batches.length, count, 'node_modules and source maps are ignored')
  watcher.close()
})

test('dev options: the entry, the folders, the port, and the app arguments after --', () => {
  assert.deepEqual(devOptions([], {}), {
    entry: 'src/main.ts',
    port: 4000,
    watch: ['src'],
    static: 'public',
    conditions: [],
    typecheck: true,
    tsconfig: 'tsconfig.json',
    appArgs: [],
    verbose: false,
  })
  const custom = devOptions(
    [
      'app.ts',
      '--watch',
      'src',
      '--watch',
      'lib',
      '--conditions',
      'x',
      '--no-typecheck',
      '--',
      '--workers',
      '2',
    ],
    { PORT: '4100' },
  )
  assert.equal(custom.entry, 'app.ts')
  assert.deepEqual(custom.watch, ['src', 'lib'])
  assert.deepEqual(custom.conditions, ['x'])
  assert.equal(custom.port, 4100)
  assert.equal(custom.typecheck, false)
  assert.deepEqual(custom.appArgs, ['--workers', '2'])
  assert.equal(devOptions(['--port', '4200'], { PORT: '4100' }).port, 4200)
  assert.equal(devOptions([], { CINDER_DEV_VERBOSE: '1' }).verbose, true)
  assert.throws(() => devOptions([], { PORT: '0' }), /needs a fixed port/)
  assert.throws(() => devOptions(['a.ts', 'b.ts'], {}), /takes one entry/)
  assert.throws(() => devOptions(['--bogus'], {}), { code: 'CINDER_ERR_CLI_USAGE' })
})
