import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { sep } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import { encodeTerm } from '../../src/token/etf-encode.ts'
import { EtfAtom, type EtfTerm, EtfTuple } from '../../src/token/etf-term.ts'
import { deriveKey } from '../../src/token/key-generator.ts'
import { signMessage } from '../../src/token/message-verifier.ts'
import { decryptToken, encryptToken, signToken, verifyToken } from '../../src/token/token.ts'

interface Vector {
  readonly name: string
  readonly data: EtfTerm
  readonly token: string
}
// A copy of shared/vectors/phoenix-token.json, read from the sources whether
// this runs compiled (.build/test/token) or through tsx (test/token).
const vectorsFile = fileURLToPath(import.meta.url).includes(`${sep}.build${sep}`)
  ? '../../../test/fixtures/phoenix-token.json'
  : '../fixtures/phoenix-token.json'
const vectors = JSON.parse(readFileSync(new URL(vectorsFile, import.meta.url), 'utf8')) as {
  secret_key_base: string
  salt: string
  signed_at_seconds: number
  max_age_seconds: number
  signed: Vector[]
  encrypted: Vector[]
  must_fail: { salt: string; token: string; why: string }[]
}
const skb = vectors.secret_key_base
const signedAtMs = vectors.signed_at_seconds * 1000
const at = (ms: number) => () => ms

describe('Phoenix.Token vectors (phoenix 1.7.14, plug_crypto 2.1.1)', () => {
  for (const v of vectors.signed) {
    test(`signed ${v.name}: verifies, and signing the same data is byte-identical`, () => {
      assert.deepEqual(verifyToken(skb, vectors.salt, v.token, { now: at(signedAtMs + 1) }), {
        ok: true,
        data: v.data,
      })
      assert.equal(
        signToken(skb, vectors.salt, v.data, { signedAt: vectors.signed_at_seconds }),
        v.token,
      )
    })
  }

  for (const v of vectors.encrypted) {
    test(`encrypted ${v.name}: decrypts`, () => {
      const result = decryptToken(skb, vectors.salt, v.token, { now: at(signedAtMs + 1) })
      assert.deepEqual(result, { ok: true, data: v.data })
      assert.deepEqual(decryptToken(skb, 'other salt', v.token, { now: at(signedAtMs + 1) }), {
        ok: false,
        reason: 'invalid',
      })
    })
  }

  for (const v of vectors.must_fail) {
    test(`must fail: ${v.why}`, () => {
      const now = at(signedAtMs + 61_000)
      const result = verifyToken(skb, v.salt, v.token, { maxAge: 60, now })
      assert.equal(result.ok, false)
      assert.equal(!result.ok && result.reason, v.why.startsWith('expired') ? 'expired' : 'invalid')
    })
  }

  test('the protocol doc §7.2 vector', () => {
    const key = deriveKey('a'.repeat(64), 'user auth')
    assert.equal(
      key.toString('hex'),
      '31fbb3adecec68c972fd2697491c1a02763359667d5ac06901233fb98a57fb14',
    )
    assert.equal(
      signToken('a'.repeat(64), 'user auth', 123, { signedAt: 1_700_000_000 }),
      'SFMyNTY.g2gDYXtuBgAAaOXPiwFiAAFRgA.DB0NPTb1lHomGTk4GF8YTpoYzZK9wUW-YC8mDEn3aPY',
    )
  })
})

describe('age', () => {
  const t0 = 1_800_000_000_000
  const token = signToken(skb, 's', 'x', { now: at(t0), maxAge: 10 })

  test('valid up to signedAt + maxAge inclusive, expired one ms later', () => {
    assert.equal(verifyToken(skb, 's', token, { now: at(t0) }).ok, true)
    assert.equal(verifyToken(skb, 's', token, { now: at(t0 + 10_000) }).ok, true)
    assert.deepEqual(verifyToken(skb, 's', token, { now: at(t0 + 10_001) }), {
      ok: false,
      reason: 'expired',
    })
  })

  test('verify maxAge overrides the embedded one; maxAge <= 0 is always expired', () => {
    assert.equal(verifyToken(skb, 's', token, { now: at(t0 + 60_000), maxAge: 120 }).ok, true)
    assert.deepEqual(verifyToken(skb, 's', token, { now: at(t0 + 2_000), maxAge: 1 }), {
      ok: false,
      reason: 'expired',
    })
    assert.deepEqual(verifyToken(skb, 's', token, { now: at(t0), maxAge: 0 }), {
      ok: false,
      reason: 'expired',
    })
  })

  test('a future-dated token is invalid', () => {
    assert.deepEqual(verifyToken(skb, 's', token, { now: at(t0 - 1) }), {
      ok: false,
      reason: 'invalid',
    })
  })

  test('maxAge Infinity is stored as the atom infinity and never expires', () => {
    const forever = signToken(skb, 's', 1, { now: at(t0), maxAge: Number.POSITIVE_INFINITY })
    assert.ok(Buffer.from(forever.split('.')[1] ?? '', 'base64url').includes('d\x00\x08infinity'))
    assert.equal(verifyToken(skb, 's', forever, { now: at(t0 + 10 ** 12) }).ok, true)
    assert.equal(
      verifyToken(skb, 's', token, { now: at(t0 + 10 ** 12), maxAge: Infinity }).ok,
      true,
    )
  })

  test('encrypted tokens age the same way', () => {
    const sealed = encryptToken(skb, 's', { id: 1 }, { now: at(t0), maxAge: 10 })
    assert.deepEqual(decryptToken(skb, 's', sealed, { now: at(t0 + 5_000) }), {
      ok: true,
      data: { id: 1 },
    })
    assert.deepEqual(decryptToken(skb, 's', sealed, { now: at(t0 + 10_001) }), {
      ok: false,
      reason: 'expired',
    })
    assert.deepEqual(decryptToken(skb, 's', sealed, { now: at(t0 - 1) }), {
      ok: false,
      reason: 'invalid',
    })
  })

  test('legacy plaintext shapes {data, signed} and %{data:, signed:} imply 86400 s', () => {
    const key = deriveKey(skb, 's')
    const twoTuple = signMessage(encodeTerm(new EtfTuple(['old', t0])), key)
    const map = signMessage(
      encodeTerm(
        new Map<EtfTerm, EtfTerm>([
          [new EtfAtom('data'), 'm'],
          [new EtfAtom('signed'), t0],
        ]),
      ),
      key,
    )
    for (const [legacy, data] of [
      [twoTuple, 'old'],
      [map, 'm'],
    ] as const) {
      assert.deepEqual(verifyToken(skb, 's', legacy, { now: at(t0 + 86_400_000) }), {
        ok: true,
        data,
      })
      assert.equal(verifyToken(skb, 's', legacy, { now: at(t0 + 86_400_001) }).ok, false)
    }
  })
})

describe('bad tokens', () => {
  const now = at(1_800_000_000_000)
  const token = signToken(skb, 's', { user: 1 }, { now })
  const invalid = { ok: false, reason: 'invalid' }

  test('missing: null and undefined', () => {
    assert.deepEqual(verifyToken(skb, 's', null), { ok: false, reason: 'missing' })
    assert.deepEqual(decryptToken(skb, 's', undefined), { ok: false, reason: 'missing' })
  })

  test('tampered: any single character changed, in any part', () => {
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'AbZz09-_.'), (i, c) => {
        fc.pre(token[i] !== c)
        const forged = token.slice(0, i) + c + token.slice(i + 1)
        assert.deepEqual(verifyToken(skb, 's', forged, { now }), invalid)
      }),
      { numRuns: 300 },
    )
  })

  test('truncated, extended, garbage, wrong header, wrong salt or key', () => {
    for (let n = 0; n < token.length; n += 3) {
      assert.deepEqual(verifyToken(skb, 's', token.slice(0, n), { now }), invalid)
    }
    for (const forged of [
      `${token}A`,
      `${token}.`,
      'SFMyNTY..',
      'garbage',
      '',
      '....',
      token.replace('SFMyNTY', 'SFMzODQ'),
      `SFMyNTY.${'A'.repeat(10_000)}.x`,
    ]) {
      assert.deepEqual(verifyToken(skb, 's', forged, { now }), invalid, forged.slice(0, 40))
    }
    assert.deepEqual(verifyToken(skb, 'other', token, { now }), invalid)
    assert.deepEqual(verifyToken(`${skb}!`, 's', token, { now }), invalid)
  })

  test('a validly signed payload that is not a token term is invalid, not a crash', () => {
    const key = deriveKey(skb, 's')
    for (const payload of [
      new Uint8Array([1, 2, 3]),
      encodeTerm('just data'),
      encodeTerm([1, 2]),
    ]) {
      assert.deepEqual(verifyToken(skb, 's', signMessage(payload, key), { now }), invalid)
    }
    const fun = Uint8Array.from([
      131, 104, 3, 113, 100, 0, 1, 97, 100, 0, 1, 98, 97, 0, 97, 1, 97, 1,
    ])
    assert.deepEqual(verifyToken(skb, 's', signMessage(fun, key), { now }), invalid)
  })

  test('random strings never throw and are never accepted', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        assert.equal(verifyToken(skb, 's', text).ok, false)
        assert.equal(decryptToken(skb, 's', text).ok, false)
        assert.equal(decryptToken(skb, 's', `XCP.${text}`).ok, false)
        assert.equal(decryptToken(skb, 's', `QTEyOEdDTQ.${text}`).ok, false)
      }),
      { numRuns: 300 },
    )
  })

  test('tampered encrypted tokens are invalid', () => {
    const sealed = encryptToken(skb, 's', 'secret', { now })
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: sealed.length - 1 }),
        fc.constantFrom(...'AbZz09-_'),
        (i, c) => {
          fc.pre(sealed[i] !== c)
          const forged = sealed.slice(0, i) + c + sealed.slice(i + 1)
          assert.deepEqual(decryptToken(skb, 's', forged, { now }), invalid)
        },
      ),
      { numRuns: 200 },
    )
    assert.deepEqual(decryptToken(skb, 's', sealed.slice(0, -1), { now }), invalid)
  })
})

describe('options', () => {
  const now = at(1_800_000_000_000)

  test('signature digests: header names the HMAC', () => {
    for (const [digest, header] of [
      ['sha384', 'SFMzODQ'],
      ['sha512', 'SFM1MTI'],
    ] as const) {
      const token = signToken(skb, 's', 'x', { now, digest })
      assert.ok(token.startsWith(`${header}.`))
      assert.deepEqual(verifyToken(skb, 's', token, { now }), { ok: true, data: 'x' })
    }
  })

  test('key options must agree between sign and verify', () => {
    const opts = { keyIterations: 2, keyLength: 64, keyDigest: 'sha512' } as const
    const token = signToken(skb, 's', 'x', { now, ...opts })
    assert.deepEqual(verifyToken(skb, 's', token, { now, ...opts }), { ok: true, data: 'x' })
    assert.equal(verifyToken(skb, 's', token, { now }).ok, false)
  })

  test('the secret may be an object carrying secretKeyBase, or bytes', () => {
    const token = signToken({ secretKeyBase: skb }, 's', 'x', { now })
    assert.equal(verifyToken(Buffer.from(skb), 's', token, { now }).ok, true)
  })

  test('configuration errors throw CinderError', () => {
    const isConfig = (err: unknown) =>
      err instanceof CinderError && err.code === 'CINDER_ERR_TOKEN_CONFIG'
    assert.throws(() => signToken('short', 's', 1), isConfig)
    assert.throws(() => verifyToken({ secretKeyBase: 'short' }, 's', 'x'), isConfig)
    assert.throws(() => signToken(skb, 1 as unknown as string, 1), isConfig)
    assert.throws(() => signToken(skb, 's', 1, { keyIterations: 0 }), isConfig)
    assert.throws(() => encryptToken(skb, 's', 1, { keyLength: 16 }), isConfig)
    assert.throws(() => signToken(skb, 's', 1, { maxAge: Number.NaN }), isConfig)
  })

  test('sign/verify and encrypt/decrypt round-trip JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = { ok: true, data: JSON.parse(JSON.stringify(value)) }
        assert.deepEqual(
          verifyToken(skb, 's', signToken(skb, 's', value as EtfTerm, { now }), { now }),
          expected,
        )
        assert.deepEqual(
          decryptToken(skb, 's', encryptToken(skb, 's', value as EtfTerm, { now }), { now }),
          expected,
        )
      }),
      { numRuns: 100 },
    )
  })
})
