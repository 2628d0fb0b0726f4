// `cinder/client/resume` ships as a tiny browser module: it bundles alone
// (no Node built-ins, no dependency) with the same esbuild options as the
// client bundle (scripts/build-client.mjs), and tracks positions as the
// official client hands them over.
import assert from 'node:assert/strict'
import { dirname, join, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { lastPosition, resumable } from '../../src/client/resume.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = here.includes(`${sep}.build${sep}`)
  ? resolve(here, '..', '..', '..')
  : resolve(here, '..', '..')

test('the helper bundles for the browser on its own, in under 2 KB minified', async () => {
  const script = join(root, 'scripts', 'build-client.mjs')
  const { buildClient } = (await import(pathToFileURL(script).href)) as {
    buildClient(options: { entry: string; minify: boolean }): Promise<string>
  }
  const code = await buildClient({ entry: join(root, 'src', 'client', 'resume.ts'), minify: true })
  assert.ok(code.length < 2048, `${code.length} bytes`)
  assert.doesNotMatch(code, /require\(|node:/)
})

test('it passes the last position seen as resume on each join', () => {
  let params: () => object = () => ({})
  const fake = {
    onMessage: (_event: string, payload: unknown, _ref?: unknown): unknown => payload,
  }
  const socket = {
    channel(_topic: string, p?: object | (() => object)) {
      params = p as () => object
      return fake
    },
  }
  const channel = resumable(socket, 'room:1', () => ({ name: 'ada' }))
  assert.deepEqual(params(), { name: 'ada' })
  channel.onMessage(
    'phx_reply',
    { status: 'ok', response: { position: 'e1:4', recovered: false } },
    '1',
  )
  assert.deepEqual(params(), { name: 'ada', resume: 'e1:4' })
  channel.onMessage('msg', { body: 'hi' }, 'e1:5')
  channel.onMessage('msg', { body: 'no position' }, null)
  channel.onMessage('phx_reply', { status: 'ok', response: { other: 1 } }, '2') // a push's reply
  assert.equal(lastPosition(channel), 'e1:5')
  assert.deepEqual(params(), { name: 'ada', resume: 'e1:5' })
})
