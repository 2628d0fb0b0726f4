// Upload state without a browser: validation of announced entries, preflight,
// progress, and the byte slots of the upload channel.
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { test } from 'node:test'
import { UploadConfig } from '../../src/live/uploads/upload-config.ts'
import { slotKey, UploadRegistry } from '../../src/live/uploads/upload-registry.ts'

const entry = (ref: string, name: string, size: number, type = 'text/plain') => ({
  ref,
  name,
  size,
  type,
  last_modified: 1_700_000_000_000,
})

test('entries are checked against accept (extension, exact and wildcard MIME) and size', () => {
  const config = new UploadConfig('doc', {
    accept: ['.txt', 'image/*', 'application/pdf'],
    maxEntries: 5,
    maxFileSize: 100,
  })
  config.putEntries([
    entry('0', 'notes.TXT', 10, ''),
    entry('1', 'cat.jpeg', 10, 'image/jpeg'),
    entry('2', 'paper', 10, 'application/pdf'),
    entry('3', 'evil.exe', 10, 'application/octet-stream'),
    entry('4', 'huge.txt', 101),
  ])
  const byRef = Object.fromEntries(config.entries.map((e) => [e.ref, e.errors]))
  assert.deepEqual(byRef, {
    '0': [],
    '1': [],
    '2': [],
    '3': ['not_accepted'],
    '4': ['too_large'],
  })
  assert.deepEqual(config.snapshot().errors, [])
})

test('more entries than maxEntries is a config error; preflight refuses with reasons', () => {
  const config = new UploadConfig('doc', { accept: 'any', maxEntries: 1 })
  const result = config.preflight([entry('0', 'a', 1), entry('1', 'b', 1)])
  assert.ok('errors' in result)
  assert.deepEqual(result.errors, [[config.ref, 'too_many_files']])
  const ok = new UploadConfig('doc', { accept: 'any' }).preflight([entry('0', 'a', 1)])
  assert.deepEqual(ok, { accepted: ['0'] })
})

test('progress only goes up, 100 is done, an error report invalidates the entry', () => {
  const config = new UploadConfig('doc', { accept: 'any' })
  config.preflight([entry('0', 'a', 1)])
  config.progress('0', 40)
  config.progress('0', 20)
  assert.equal(config.entries[0]?.progress, 40)
  config.progress('0', 100)
  assert.equal(config.entries[0]?.done, true)
  config.progress('0', { error: 'boom' })
  assert.equal(config.entries[0]?.valid, false)
  assert.equal(config.progress('nope', 10), undefined)
})

test('malformed entries and options are clear errors', () => {
  const config = new UploadConfig('doc', { accept: 'any' })
  assert.throws(() => config.putEntries('x'), /upload entries are a list/)
  assert.throws(() => config.putEntries([{ ref: 1 }]), /upload entries are a list/)
  assert.throws(() => new UploadConfig('doc', { accept: 'images' as never }), /needs accept/)
  assert.throws(() => new UploadConfig('doc', { accept: 'any', maxEntries: 0 }), /maxEntries/)
})

test('a slot writes chunks in order to its file, and release deletes it', async () => {
  const registry = new UploadRegistry()
  const slot = await registry.open(slotKey('phx-1', 'phx-u', '0'), 6, 100, 10_000)
  assert.equal(registry.byToken(slot.token), slot)
  assert.equal(
    await registry.open(slotKey('phx-1', 'phx-u', '0'), 6, 100, 10_000),
    slot,
    'one slot per entry',
  )
  await Promise.all([slot.write(Buffer.from('abc')), slot.write(Buffer.from('def'))])
  await slot.settle()
  assert.equal(await readFile(slot.path, 'utf8'), 'abcdef')
  assert.equal(slot.received, 6)
  await registry.release(slot)
  await assert.rejects(stat(slot.path), /ENOENT/)
  assert.equal(registry.byToken(slot.token), undefined)
  assert.equal(registry.byToken(42), undefined)
})
