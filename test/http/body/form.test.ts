// The sliced urlencoded decoder against decodeQuery (the rules it must keep):
// long names and values are decoded 16 KB at a time, so the property runs
// over bodies with parts far longer than that, escaped and raw UTF-8 mixed.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { FormDecoder } from '../../../src/http/body/form.ts'
import { decodeQuery, type Params } from '../../../src/http/query.ts'

type Outcome = { ok: true; value: Params } | { ok: false; code: string }

function sliced(text: string, params = 1_000_000): Outcome {
  try {
    const decoder = new FormDecoder(Buffer.from(text), { params })
    while (!decoder.run(-1)) {}
    return { ok: true, value: decoder.result }
  } catch (error) {
    return { ok: false, code: (error as { code: string }).code }
  }
}

function whole(text: string, params = 1_000_000): Outcome {
  try {
    return { ok: true, value: decodeQuery(text, { params }) }
  } catch (error) {
    return { ok: false, code: (error as { code: string }).code }
  }
}

/** A component encoded one of the ways clients do (or malformed now and then). */
const component = fc
  .tuple(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.constantFrom('uri', 'plus', 'raw', 'broken'),
  )
  .map(([text, times, how]) => {
    const long = text.repeat(text.length > 0 ? Math.ceil(times / text.length) : 0)
    if (how === 'uri') return encodeURIComponent(long)
    if (how === 'plus') return encodeURIComponent(long).replaceAll('%20', '+')
    const raw = long.replace(/[%&=+]/g, (c) => encodeURIComponent(c))
    return how === 'raw' ? raw : `${raw}%${raw.length % 2 === 0 ? 'C3' : 'zz'}`
  })

const form = fc
  .array(fc.tuple(component, fc.option(component), fc.constantFrom('', '[]', '[a][b]')), {
    maxLength: 8,
  })
  .map((pairs) =>
    pairs
      .map(([name, value, suffix]) => `${name}${suffix}${value === null ? '' : `=${value}`}`)
      .join('&'),
  )

describe('the sliced urlencoded decoder', () => {
  test('property: the same params as decodeQuery, or the same refusal', () => {
    fc.assert(
      fc.property(form, (text) => {
        assert.deepEqual(sliced(text), whole(text))
      }),
      { numRuns: 300 },
    )
  })

  test('a long value of multi-byte escapes is cut between characters', () => {
    for (const unit of ['%C3%A9', '%F0%9F%98%80', 'é', '😀', 'a%2541+']) {
      for (const extra of ['', 'x', 'xy', 'xyz']) {
        const text = `k=${extra}${unit.repeat(20_000)}&z=1`
        assert.deepEqual(sliced(text), whole(text), `${unit} after ${JSON.stringify(extra)}`)
      }
    }
  })

  test('counts every &-separated part against the params limit, empty ones too', () => {
    assert.deepEqual(sliced('a=1&&b=2', 3), { ok: true, value: { a: '1', b: '2' } })
    assert.deepEqual(sliced('a=1&&b=2', 2), { ok: false, code: 'CINDER_ERR_TOO_MANY_PARAMS' })
    assert.deepEqual(whole('a=1&&b=2', 2), { ok: false, code: 'CINDER_ERR_TOO_MANY_PARAMS' })
  })
})
