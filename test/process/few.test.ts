import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type Few, fewAdd, fewDelete, fewMembers, fewSize } from '../../src/process/few.ts'

test('a Few behaves as a Set through any sequence of adds and deletes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { maxLength: 200 }),
      (ops) => {
        let few: Few<string> = null
        const model = new Set<string>()
        for (const [add, n] of ops) {
          const member = `m${n}`
          if (add) {
            few = fewAdd(few, member)
            model.add(member)
          } else {
            few = fewDelete(few, member)
            model.delete(member)
          }
          assert.equal(fewSize(few), model.size)
          assert.deepEqual(new Set(fewMembers(few)), model)
          if (model.size === 0) assert.equal(few, null)
          if (model.size === 1) assert.equal(typeof few, 'string')
        }
      },
    ),
  )
})

test('members taken before a change are not affected by it', () => {
  let few: Few<number> = fewAdd(fewAdd(null, 1), 2)
  const members = fewMembers(few)
  few = fewDelete(few, 1)
  assert.deepEqual(members, [1, 2])
  assert.deepEqual(fewMembers(few), [2])
})
