// bench/figures.ts: what scenarios record is what bench/results.json holds.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { figure, recordFigures, resultsFile } from '../../bench/figures.ts'

test('recorded figures land in the results file with the date and the machine', () => {
  recordFigures('test-scenario', { a: 1, b: [figure(2.345), figure(Number.NaN)] })
  recordFigures('test-scenario', { b: 'later wins', c: true })
  const file = resultsFile(['test-scenario'], new Date('2026-12-07T01:34:46.577Z'))
  assert.equal(file.written, '2026-12-07T01:34:46.577Z')
  assert.deepEqual(file.only, ['test-scenario'])
  assert.deepEqual(file.scenarios['test-scenario'], { a: 1, b: 'later wins', c: true })
  assert.ok(file.machine.cpus > 0 && file.machine.memoryGiB >= 0)
  assert.match(file.machine.node, /^v\d+\./)
})

test('a figure keeps two decimals, and what was not measured is null', () => {
  assert.deepEqual(
    [figure(2.345), figure(34694.31), figure(Number.NaN), figure(Infinity)],
    [2.35, 34694.31, null, null],
  )
})
