// docs/errors.md lists every error code users can meet; this keeps it honest
// against the registry in src/errors.ts (run `npm run docs:errors` to rewrite the table).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CinderError, describe, ERROR_CODES } from '../src/errors.ts'

const here = dirname(fileURLToPath(import.meta.url))
const repo = here.includes(`${sep}.build${sep}`) ? resolve(here, '..', '..') : resolve(here, '..')
const doc = readFileSync(join(repo, 'docs', 'errors.md'), 'utf8')

test('docs/errors.md lists exactly the codes of the registry, with their meaning', () => {
  const documented = [...doc.matchAll(/^\| `(CINDER_ERR_[A-Z0-9_]+)` \| (.+?) \|$/gm)]
  const inDoc = new Map(documented.map(([, code, meaning]) => [code, meaning]))
  assert.deepEqual([...inDoc.keys()].sort(), Object.keys(ERROR_CODES).sort())
  for (const [code, meaning] of Object.entries(ERROR_CODES)) {
    assert.equal(inDoc.get(code), meaning.replaceAll('|', '\\|'), `meaning of ${code}`)
  }
})

test('a CinderError carries its code and describe() renders any value briefly', () => {
  const err = new CinderError('CINDER_ERR_NOPROC', 'gone')
  assert.equal(err.code, 'CINDER_ERR_NOPROC')
  assert.equal(err.name, 'CinderError')
  assert.equal(describe('x'), '"x"')
  assert.equal(describe(undefined), 'undefined')
  assert.ok(describe({ a: 'y'.repeat(500) }).endsWith('…'))
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  assert.equal(describe(cyclic), '[object Object]')
})
