// The sliced JSON decoder against JSON.parse: the same value for every valid
// text, a refusal for every invalid one, with pieces shrunk to a few bytes so
// that runs, materialized containers, long strings and whitespace gaps all
// occur in small texts. Then its own limits, and that it really slices.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { JsonDecoder, type JsonSizes, MAX_DEPTH, MAX_TOKEN } from '../../../src/http/body/json.ts'
import { runSliced } from '../../../src/http/body/slice.ts'

type Outcome = { ok: true; value: unknown } | { ok: false; message: string }

function sliced(bytes: Buffer, sizes: JsonSizes, topLevelKeys?: number): Outcome {
  try {
    const limits = topLevelKeys === undefined ? {} : { topLevelKeys }
    const decoder = new JsonDecoder(bytes, limits, sizes)
    // A deadline in the past: every call does one clock period of work and stops.
    while (!decoder.run(-1)) {}
    return { ok: true, value: decoder.result }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

function native(bytes: Buffer): Outcome {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

/** JSON text with whitespace of every size between all tokens. */
function spaced(value: unknown, pad: () => string): string {
  if (Array.isArray(value)) {
    return `${pad()}[${value.map((v) => spaced(v, pad)).join(`${pad()},`)}${pad()}]${pad()}`
  }
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([k, v]) => `${pad()}${JSON.stringify(k)}${pad()}:${spaced(v, pad)}`,
    )
    return `${pad()}{${members.join(',')}${pad()}}${pad()}`
  }
  return `${pad()}${JSON.stringify(value)}${pad()}`
}

const pads = fc.array(fc.constantFrom('', ' ', '\n', '\t\r ', '      ', ' '.repeat(12)), {
  minLength: 16,
  maxLength: 16,
})
const sizes = fc.record({
  piece: fc.integer({ min: 1, max: 48 }),
  gap: fc.integer({ min: 1, max: 8 }),
})
const validText = fc.tuple(fc.jsonValue({ maxDepth: 5 }), pads).map(([value, padding]) => {
  let i = 0
  return spaced(value, () => padding[i++ % padding.length] as string)
})

describe('the sliced JSON decoder', () => {
  test('property: every valid text decodes to what JSON.parse gives, keys in the same order', () => {
    fc.assert(
      fc.property(validText, sizes, (text, size) => {
        const bytes = Buffer.from(text)
        const expected = native(bytes)
        const got = sliced(bytes, size)
        assert.ok(got.ok, `refused ${JSON.stringify(text)}: ${got.ok ? '' : got.message}`)
        assert.ok(expected.ok)
        assert.deepEqual(got.value, expected.value)
        if (typeof expected.value === 'object' && expected.value !== null) {
          assert.deepEqual(Object.keys(got.value as object), Object.keys(expected.value))
        }
      }),
      { numRuns: 1500 },
    )
  })

  test('property: a text with one character changed is refused exactly when JSON.parse refuses it', () => {
    const edits = fc.constantFrom(
      '',
      ',',
      ':',
      '[',
      ']',
      '{',
      '}',
      '"',
      '\\',
      'x',
      '1',
      ' ',
      '\u0001',
      'é',
      '\ud83d',
    )
    fc.assert(
      fc.property(
        validText,
        sizes,
        fc.nat(),
        edits,
        fc.boolean(),
        (text, size, at, edit, replace) => {
          const p = at % (text.length + 1)
          const bytes = Buffer.from(text.slice(0, p) + edit + text.slice(p + (replace ? 1 : 0)))
          const expected = native(bytes)
          if (bytes.toString().trim() === '') return // the parsers plug answers {} before either runs
          const got = sliced(bytes, size)
          assert.equal(
            got.ok,
            expected.ok,
            `${JSON.stringify(bytes.toString())}: ${got.ok ? 'accepted' : got.message}`,
          )
          if (got.ok && expected.ok) assert.deepEqual(got.value, expected.value)
        },
      ),
      { numRuns: 3000 },
    )
  })

  test('long strings are decoded in pieces without splitting escapes or UTF-8 characters', () => {
    const value = {
      s: 'é😀"\\\n\u0001\ud83d'.repeat(50),
      [`k${'ß'.repeat(40)}`]: ['x'.repeat(300)],
    }
    for (let piece = 1; piece < 24; piece++) {
      const got = sliced(Buffer.from(JSON.stringify(value)), { piece, gap: 4 })
      assert.ok(got.ok)
      assert.deepEqual(got.value, value)
    }
    // Invalid bytes become U+FFFD exactly as in a whole-text decode.
    const bytes = Buffer.concat([
      Buffer.from('["'),
      Buffer.from([0xe2, 0x82, 0x80, 0x80, 0xff, 0xf0, 0x9f]),
      Buffer.from('x"]'),
    ])
    for (let piece = 1; piece < 12; piece++) {
      assert.deepEqual(sliced(bytes, { piece, gap: 4 }), native(bytes))
    }
  })

  test('a __proto__ key is data, in runs and in containers built by hand', () => {
    const text = '{"__proto__": {"polluted": 1}, "a": {"__proto__": [1, 2, 3, 4, 5, 6, 7, 8]}}'
    const got = sliced(Buffer.from(text), { piece: 4, gap: 2 })
    assert.ok(got.ok)
    const value = got.value as Record<string, Record<string, unknown>>
    assert.equal(Object.getPrototypeOf(value), Object.prototype)
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { polluted: 1 })
    assert.deepEqual(
      Object.getOwnPropertyDescriptor(value.a, '__proto__')?.value,
      [1, 2, 3, 4, 5, 6, 7, 8],
    )
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  test('refuses a number over MAX_TOKEN characters and nesting over MAX_DEPTH, with what was wrong', () => {
    const long = sliced(Buffer.from(`[1${'0'.repeat(MAX_TOKEN)}]`), { piece: 64, gap: 8 })
    assert.ok(!long.ok && /longer than 1000 characters/.test(long.message))
    assert.ok(sliced(Buffer.from(`[1${'0'.repeat(MAX_TOKEN - 2)}]`), { piece: 64, gap: 8 }).ok)
    const deep = sliced(Buffer.from('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1)), {
      piece: 64,
      gap: 8,
    })
    assert.ok(!deep.ok && /deeper than 1000 levels/.test(deep.message))
    assert.ok(
      sliced(Buffer.from('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)), { piece: 64, gap: 8 }).ok,
    )
  })

  test('counts the keys of the top-level object, also when it is built run by run', () => {
    const object = JSON.stringify(
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])),
    )
    assert.ok(sliced(Buffer.from(object), { piece: 16, gap: 4 }, 50).ok)
    const refused = sliced(Buffer.from(object), { piece: 16, gap: 4 }, 49)
    assert.ok(!refused.ok && /more than 49 keys/.test(refused.message))
    // Nested objects are not top-level params.
    assert.ok(sliced(Buffer.from(`{"a":${object}}`), { piece: 16, gap: 4 }, 1).ok)
  })

  test('slices: a past deadline stops each call after a little work, and the work adds up', () => {
    const value = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n${i}` }))
    const decoder = new JsonDecoder(Buffer.from(JSON.stringify(value)))
    let calls = 1
    while (!decoder.run(-1)) calls++
    assert.ok(calls > 20, `${calls} calls`)
    assert.deepEqual(decoder.result, value)
  })

  test('runSliced returns at once when a task ends in its first slice, else a promise', async () => {
    const small = runSliced(new JsonDecoder(Buffer.from('{"a":[1,2]}')))
    assert.deepEqual(small, { a: [1, 2] })
    const big = Buffer.from(JSON.stringify(Array.from({ length: 200_000 }, (_, i) => [i])))
    const pending = runSliced(new JsonDecoder(big), 0)
    assert.ok(pending instanceof Promise)
    assert.equal(((await pending) as unknown[]).length, 200_000)
  })
})
