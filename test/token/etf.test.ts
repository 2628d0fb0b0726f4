import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { deflateSync } from 'node:zlib'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import { decodeTerm } from '../../src/token/etf-decode.ts'
import { encodeTerm } from '../../src/token/etf-encode.ts'
import { EtfAtom, type EtfTerm, EtfTuple } from '../../src/token/etf-term.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'))

function assertDecodeError(input: Uint8Array, pattern: RegExp, options = {}) {
  assert.throws(
    () => decodeTerm(input, options),
    (err: unknown) =>
      err instanceof CinderError &&
      err.code === 'CINDER_ERR_ETF_DECODE' &&
      pattern.test(err.message),
  )
}

describe('encodeTerm: the bytes term_to_binary writes', () => {
  test('the Phoenix.Token plaintext of protocol doc §7.2', () => {
    const term = new EtfTuple([123, 1_700_000_000_000, 86_400])
    assert.equal(hex(encodeTerm(term)), '836803617b6e06000068e5cf8b0162000151' + '80')
  })

  test('integers take the smallest form: small, int32, small big, large big', () => {
    assert.equal(hex(encodeTerm(0)), '836100')
    assert.equal(hex(encodeTerm(255)), '8361ff')
    assert.equal(hex(encodeTerm(256)), '836200000100')
    assert.equal(hex(encodeTerm(-1)), '8362ffffffff')
    assert.equal(hex(encodeTerm(2 ** 31 - 1)), '83627fffffff')
    assert.equal(hex(encodeTerm(-(2 ** 31))), '836280000000')
    assert.equal(hex(encodeTerm(2 ** 31)), '836e040000000080')
    assert.equal(hex(encodeTerm(-(2 ** 31) - 1)), '836e040101000080')
    assert.equal(hex(encodeTerm(2n ** 64n)), '836e0900000000000000000001')
    const large = encodeTerm(2n ** 2048n)
    assert.deepEqual([...large.subarray(0, 7)], [131, 111, 0, 0, 1, 1, 0])
  })

  test('floats are NEW_FLOAT_EXT; unsafe integers in a number are floats', () => {
    assert.equal(hex(encodeTerm(1.5)), '83463ff8000000000000')
    assert.equal(encodeTerm(2 ** 60)[1], 70)
  })

  test('atoms: nil, true, false, EtfAtom (latin-1 as ATOM_EXT, others UTF-8)', () => {
    assert.equal(hex(encodeTerm(null)), `836400036e696c`)
    assert.equal(hex(encodeTerm(true)), `83640004${hex(Buffer.from('true'))}`)
    assert.equal(hex(encodeTerm(new EtfAtom('ok'))), '836400026f6b')
    assert.equal(hex(encodeTerm(new EtfAtom('✓'))), '837703e29c93')
  })

  test('strings and bytes are binaries; lists of bytes are STRING_EXT, like Erlang', () => {
    assert.equal(hex(encodeTerm('hé')), '836d0000000368c3a9')
    assert.equal(hex(encodeTerm(new Uint8Array([1, 2]))), '836d000000020102')
    assert.equal(hex(encodeTerm([1, 2, 3])), '836b0003010203')
    assert.equal(hex(encodeTerm([])), '836a')
    assert.equal(hex(encodeTerm([256])), '836c000000016200000100' + '6a')
  })

  test('map keys are written in Erlang term order (UTF-8 bytes), undefined values skipped', () => {
    const encoded = encodeTerm({ name: 'ana', id: 7, gone: undefined })
    assert.equal(hex(encoded), hex(encodeTerm({ id: 7, name: 'ana' })))
    assert.equal(hex(encoded.subarray(0, 15)), '8374000000026d0000000269646107')
    const withMap = encodeTerm(new Map<EtfTerm, EtfTerm>([[1, 'x']]))
    assert.equal(hex(withMap), '837400000001' + '6101' + '6d0000000178')
  })

  test('refuses values without a term form, with a clear error', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const bad of [
      Number.NaN,
      Infinity,
      undefined,
      () => 1,
      new Date(0),
      Symbol('x'),
      cyclic,
    ]) {
      assert.throws(
        () => encodeTerm(bad as EtfTerm),
        (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_ETF_ENCODE',
      )
    }
  })
})

describe('decodeTerm', () => {
  test('reads the vectors written by Elixir', () => {
    // %{"user_id" => "u1"}, as in protocol doc §7.2
    const map = bytes('83 74 00000001 6d 00000007 757365725f6964 6d 00000002 7531')
    assert.deepEqual(decodeTerm(map), { user_id: 'u1' })
    const tokenPlaintext = bytes('836803617b6e06000068e5cf8b016200015180')
    assert.deepEqual(decodeTerm(tokenPlaintext), new EtfTuple([123, 1_700_000_000_000, 86_400]))
  })

  test('reads every atom tag; atoms other than nil/true/false become strings', () => {
    assert.equal(decodeTerm(bytes('8373026f6b')), 'ok') // SMALL_ATOM_EXT
    assert.equal(decodeTerm(bytes('837703e29c93')), '✓') // SMALL_ATOM_UTF8_EXT
    assert.equal(decodeTerm(bytes('8376000474727565')), true) // ATOM_UTF8_EXT
    assert.equal(decodeTerm(bytes('83770566616c7365')), false)
    assert.equal(decodeTerm(bytes('83640008696e66696e697479')), 'infinity')
  })

  test('reads old FLOAT_EXT, bigs, large tuples, bit binaries, compressed terms', () => {
    const oldFloat = Buffer.alloc(32)
    oldFloat[0] = 99
    oldFloat.write('1.50000000000000000000e+00', 1, 'latin1')
    assert.equal(decodeTerm(Buffer.concat([Buffer.from([131]), oldFloat])), 1.5)
    assert.equal(decodeTerm(bytes('836e0901000000000000000001')), -(2n ** 64n))
    assert.equal(decodeTerm(bytes('836e08010000000000002000')), -(2n ** 53n))
    assert.equal(decodeTerm(bytes('836e08010100000000000000')), -1)
    const large = decodeTerm(bytes(`836900000100${'6101'.repeat(256)}`))
    assert.ok(large instanceof EtfTuple && large.elements.length === 256)
    assert.equal(decodeTerm(bytes('834d00000002086869')), 'hi')
    const inner = encodeTerm({ big: 'x'.repeat(1000) }).subarray(1)
    const compressed = Buffer.alloc(5)
    compressed[0] = 80
    compressed.writeUInt32BE(inner.length, 1)
    const framed = Buffer.concat([Buffer.from([131]), compressed, deflateSync(inner)])
    assert.deepEqual(decodeTerm(framed), { big: 'x'.repeat(1000) })
  })

  test('binaries that are not UTF-8 come back as bytes; binaries: "bytes" forces bytes', () => {
    assert.deepEqual(decodeTerm(bytes('836d00000002ff00')), new Uint8Array([0xff, 0]))
    assert.deepEqual(
      decodeTerm(encodeTerm('hi'), { binaries: 'bytes' }),
      new Uint8Array([104, 105]),
    )
  })

  test('maps with non-string keys come back as a Map; duplicate keys are refused', () => {
    const decoded = decodeTerm(encodeTerm(new Map<EtfTerm, EtfTerm>([[1, 'one']])))
    assert.deepEqual(decoded, new Map([[1, 'one']]))
    assertDecodeError(bytes('837400000002 6d0000000161 6101 640001 61 6102'), /duplicate/)
  })

  test('"__proto__" keys become own properties, never the prototype', () => {
    const decoded = decodeTerm(encodeTerm(JSON.parse('{"__proto__":{"polluted":1}}') as EtfTerm))
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype)
    assert.deepEqual(Object.keys(decoded as object), ['__proto__'])
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  test('refuses executable and node-local terms', () => {
    assertDecodeError(bytes('8371 640001 61 640001 62 6100'), /executable/) // EXPORT_EXT
    assertDecodeError(bytes('8370 00000000'), /executable/) // NEW_FUN_EXT
    assertDecodeError(bytes('8358 6400016e 00000001 00000000 00000000'), /pid/)
    assertDecodeError(bytes('835a 0001 6400016e 00000000 00000001'), /reference/)
  })

  test('refuses malformed input with a message saying where', () => {
    assertDecodeError(bytes(''), /version byte 131/)
    assertDecodeError(bytes('82 61 01'), /version byte 131/)
    assertDecodeError(bytes('83'), /truncated/)
    assertDecodeError(bytes('83 6d ffffffff 00'), /truncated/)
    assertDecodeError(bytes('83 6c ffffffff 6a'), /declares 4294967295 elements/)
    assertDecodeError(bytes('83 74 80000000'), /declares/)
    assertDecodeError(bytes('83 6c 00000001 6101 6102'), /improper/)
    assertDecodeError(bytes('83 6101 00'), /trailing/)
    assertDecodeError(bytes('83 ee'), /unknown term tag 238 at offset 0/)
    assertDecodeError(bytes('83 76 0001 ff'), /UTF-8/)
    assertDecodeError(bytes('83 4d 00000001 03 ff'), /bitstrings/)
  })

  test('enforces its limits: depth, big size, inflated size', () => {
    const deep = Buffer.concat([Buffer.from([131]), Buffer.alloc(300, 0), Buffer.from([106])])
    for (let i = 1; i <= 300; i += 2) deep[i] = 104
    for (let i = 2; i <= 300; i += 2) deep[i] = 1
    assertDecodeError(deep, /deeper than maxDepth/)
    assert.ok(decodeTerm(deep, { maxDepth: 200 }) instanceof EtfTuple)
    assertDecodeError(encodeTerm(2n ** 10_000n), /exceeds maxBigBytes/)
    const bomb = Buffer.alloc(5)
    bomb[0] = 80
    bomb.writeUInt32BE(64 * 1024 * 1024, 1)
    assertDecodeError(
      Buffer.concat([Buffer.from([131]), bomb, deflateSync(Buffer.alloc(1024))]),
      /limit/,
    )
    const liar = Buffer.from(bomb)
    liar.writeUInt32BE(10, 1)
    const body = deflateSync(Buffer.alloc(5000, 0x61))
    assertDecodeError(Buffer.concat([Buffer.from([131]), liar, body]), /inflate/)
  })
})

describe('properties', () => {
  test('JSON values round-trip through encode/decode', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = JSON.parse(JSON.stringify(value)) as EtfTerm // -0 becomes 0
        assert.deepEqual(decodeTerm(encodeTerm(value as EtfTerm)), expected)
      }),
      { numRuns: 500 },
    )
  })

  test('bigints, bytes, tuples and Maps round-trip', () => {
    const term = fc.letrec<{ term: EtfTerm }>((tie) => ({
      term: fc.oneof(
        { depthSize: 'small' },
        fc.bigInt().map((n) => (n >= -(2n ** 53n) + 1n && n <= 2n ** 53n - 1n ? Number(n) : n)),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
        fc.uint8Array().map((b) => Buffer.from(b).toString('base64')),
        fc.array(tie('term'), { maxLength: 4 }).map((items) => new EtfTuple(items)),
        fc.array(fc.tuple(fc.integer(), tie('term')), { maxLength: 4 }).map((entries) => {
          const map = new Map<EtfTerm, EtfTerm>(entries)
          return map.size === 0 ? ({} as EtfTerm) : map
        }),
      ),
    }))
    fc.assert(
      fc.property(term.term, (value) => assert.deepEqual(decodeTerm(encodeTerm(value)), value)),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        const decoded = decodeTerm(encodeTerm(b), { binaries: 'bytes' })
        assert.deepEqual(decoded, new Uint8Array(b))
      }),
    )
  })

  test('random and mutated bytes never throw anything but CinderError, and never hang', () => {
    const seeds = [
      encodeTerm({ user: { roles: ['a', 'b'], n: 2n ** 70n, f: 1.5, t: new EtfTuple([1, null]) } }),
      encodeTerm([1, 2, 300, 'x', new Map<EtfTerm, EtfTerm>([[1, 2]])]),
    ]
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([131, ...b])),
      fc.uint8Array({ maxLength: 64 }),
      fc
        .tuple(
          fc.constantFrom(...seeds),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
        )
        .map(([seed, flips]) => {
          const copy = Uint8Array.from(seed)
          for (const [at, value] of flips) copy[at % copy.length] = value
          return copy
        }),
    )
    const started = Date.now()
    fc.assert(
      fc.property(input, (b) => {
        try {
          decodeTerm(b)
        } catch (err) {
          assert.ok(err instanceof CinderError, `not a CinderError: ${String(err)}`)
          assert.equal(err.code, 'CINDER_ERR_ETF_DECODE')
        }
      }),
      { numRuns: 5000 },
    )
    assert.ok(Date.now() - started < 10_000)
  })
})
