import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as ws from 'ws'
import { preparedFrame } from '../../src/socket/transports/prepared-frame.ts'

/** `ws`'s framing function (exported at run time, not in its type declarations). */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: object): Buffer[] }
}

/** The frame `ws` itself would write for `data` (server side: no mask). */
function wsFrame(data: string | Uint8Array): Buffer {
  const text = typeof data === 'string'
  const parts = Sender.frame(text ? Buffer.from(data) : Buffer.from(data), {
    fin: true,
    rsv1: false,
    opcode: text ? 1 : 2,
    mask: false,
    readOnly: false,
  })
  return Buffer.concat(parts)
}

test('a prepared frame is byte for byte what ws writes, at every length class', () => {
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
    const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2)
    assert.deepEqual(preparedFrame(text), wsFrame(text), `text of ${length} bytes`)
    const bytes = new Uint8Array(length).map((_, i) => i % 251)
    assert.deepEqual(preparedFrame(bytes), wsFrame(bytes), `binary of ${length} bytes`)
  }
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.uint8Array()),
      (data) => {
        assert.deepEqual(preparedFrame(data), wsFrame(data))
      },
    ),
  )
})

test('the same frame is built once; another frame is built anew', () => {
  const frame = '[null,null,"room:1","msg",{}]'
  const first = preparedFrame(frame)
  assert.equal(preparedFrame(frame), first)
  const other = preparedFrame('[null,null,"room:2","msg",{}]')
  assert.notEqual(other, first)
  assert.equal(other.subarray(2).toString(), '[null,null,"room:2","msg",{}]')
})
