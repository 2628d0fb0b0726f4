import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import {
  decodeFrame,
  encodeFrame,
  FRAME_MARK,
  PROTOCOL_VERSION,
} from '../../src/pubsub/encoding.ts'

// What a value should look like after a trip: JSON's view of it, with binary kept as bytes.
function model(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key]
      if (raw instanceof Uint8Array) return { bytes: [...raw] }
      if (raw instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(raw)] }
      return v
    }) ?? 'null',
  )
}

function roundTrip(message: unknown): unknown {
  const decoded = decodeFrame(encodeFrame('n1', 'topic', null, message))
  assert.ok(decoded.ok, 'decodes')
  return decoded.frame.message
}

const tagLike = fc.oneof(
  fc.record({ '~b': fc.string() }),
  fc.record({ '~a': fc.jsonValue() }),
  fc.record({ '~o': fc.jsonValue() }),
)
const message = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.uint8Array({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => b.buffer),
    tagLike,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  ),
})).value

test('any JSON value with binary parts and tag-like objects survives a trip', () => {
  fc.assert(
    fc.property(message, (m) => {
      assert.deepEqual(model(roundTrip(m)), model(m))
    }),
    { numRuns: 300 },
  )
})

test('binary comes back as a Buffer, an ArrayBuffer as an ArrayBuffer', () => {
  const got = roundTrip({ b: new Uint8Array([1, 2]), a: new Uint8Array([3]).buffer }) as {
    b: unknown
    a: unknown
  }
  assert.ok(Buffer.isBuffer(got.b))
  assert.ok(got.a instanceof ArrayBuffer)
})

test('a frame without binary is plain JSON with the flag clear', () => {
  const frame = encodeFrame('n1', 'room:1', 'fastlane', { hello: 'world' })
  assert.deepEqual(JSON.parse(frame), [
    FRAME_MARK,
    PROTOCOL_VERSION,
    'n1',
    'room:1',
    'fastlane',
    0,
    { hello: 'world' },
  ])
  assert.deepEqual(decodeFrame(Buffer.from(frame)), {
    ok: true,
    frame: { origin: 'n1', topic: 'room:1', dispatcher: 'fastlane', message: { hello: 'world' } },
  })
})

test('undefined and functions travel as null', () => {
  assert.equal(roundTrip(undefined), null)
})

test('a message JSON cannot encode is refused with a clear error', () => {
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  for (const bad of [1n, cyclic]) {
    assert.throws(
      () => encodeFrame('n1', 'room:1', null, { bad }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_PUBSUB_ENCODE' &&
        /room:1/.test(err.message),
    )
  }
})

test('decoding never throws: garbage is foreign', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.uint8Array(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      (data) => {
        const decoded = decodeFrame(data)
        assert.equal(decoded.ok, false)
      },
    ),
  )
  for (const bad of [
    '',
    '[',
    '{"a":1}',
    JSON.stringify([FRAME_MARK, 1, 'n', 't', null, 0]),
    JSON.stringify([FRAME_MARK, 1, 5, 't', null, 0, 1]),
    JSON.stringify([FRAME_MARK, 1, 'n', 't', 3, 0, 1]),
    JSON.stringify([FRAME_MARK, 1, 'n', 't', null, 7, 1]),
    JSON.stringify([FRAME_MARK, 1, 'n', 't', null, 1, { '~o': 3 }]),
  ]) {
    const decoded = decodeFrame(bad)
    assert.ok(!decoded.ok && decoded.kind === 'foreign', bad)
  }
})

test('another protocol version is recognised and names its origin', () => {
  assert.deepEqual(decodeFrame(JSON.stringify([FRAME_MARK, 2, 'future', 'anything at all'])), {
    ok: false,
    kind: 'version',
    origin: 'future',
    version: 2,
  })
})
