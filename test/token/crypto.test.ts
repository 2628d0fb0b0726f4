import assert from 'node:assert/strict'
import { pbkdf2Sync } from 'node:crypto'
import { describe, test } from 'node:test'
import { fromBase64Url } from '../../src/token/base64url.ts'
import { hchacha20 } from '../../src/token/hchacha20.ts'
import { deriveKey } from '../../src/token/key-generator.ts'
import { decryptMessage, encryptMessage } from '../../src/token/message-encryptor.ts'
import { signMessage, verifyMessage } from '../../src/token/message-verifier.ts'

const range = (n: number) => Uint8Array.from({ length: n }, (_, i) => i)

test('HChaCha20: the test vector of draft-irtf-cfrg-xchacha-03 §2.2.1', () => {
  const nonce = Buffer.from('000000090000004a0000000031415927', 'hex')
  assert.equal(
    Buffer.from(hchacha20(range(32), nonce)).toString('hex'),
    '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
  )
})

describe('deriveKey', () => {
  test('is PBKDF2 with Plug defaults, cached, and honours its options', () => {
    const key = deriveKey('k'.repeat(64), 'salt')
    assert.deepEqual(key, pbkdf2Sync('k'.repeat(64), 'salt', 1000, 32, 'sha256'))
    assert.equal(deriveKey('k'.repeat(64), 'salt'), key) // the same Buffer: from the cache
    assert.notEqual(deriveKey('k'.repeat(64), 'salt', { cache: false }), key)
    const other = deriveKey('k'.repeat(64), 'salt', { iterations: 3, length: 48, digest: 'sha384' })
    assert.deepEqual(other, pbkdf2Sync('k'.repeat(64), 'salt', 3, 48, 'sha384'))
  })
})

describe('base64url', () => {
  test('refuses characters outside the alphabet, padding and non-canonical text', () => {
    assert.deepEqual(fromBase64Url('aGk'), Buffer.from('hi'))
    for (const bad of ['aGk=', 'a+k', 'a/k', 'aG k', 'a', 'aGl'])
      assert.equal(fromBase64Url(bad), null)
  })
})

describe('MessageVerifier', () => {
  test('signs raw bytes and verifies them only with the same key', () => {
    const key = deriveKey('k'.repeat(64), 'signing')
    const signed = signMessage(Uint8Array.from([0, 255, 1]), key)
    assert.match(signed, /^SFMyNTY\.AP8B\.[\w-]{43}$/)
    assert.deepEqual(verifyMessage(signed, key), Buffer.from([0, 255, 1]))
    assert.equal(verifyMessage(signed, deriveKey('k'.repeat(64), 'other')), null)
  })
})

describe('MessageEncryptor', () => {
  const right = Buffer.from('abcdefgh'.repeat(4))
  const wrong = Buffer.from('12345678'.repeat(4))
  const data = Buffer.concat([Buffer.from([0]), Buffer.from('hełłoworld'), Buffer.from([0])])

  test('encrypts with a fresh iv, and decrypts only with the right key and AAD', () => {
    const a = encryptMessage(data, right, { aad: 'right aad' })
    assert.notEqual(a, encryptMessage(data, right, { aad: 'right aad' }))
    assert.match(a, /^XCP\./)
    assert.deepEqual(decryptMessage(a, right, { aad: 'right aad' }), data)
    assert.equal(decryptMessage(a, wrong, { aad: 'right aad' }), null)
    assert.equal(decryptMessage(a, right, { aad: 'wrong aad' }), null)
    assert.equal(decryptMessage(a, right), null)
  })

  // plug_crypto's test/plug/crypto/message_encryptor_test.exs, "messages from earlier versions".
  const legacy =
    'QTEyOEdDTQ.L85cCXPvSqswNJoxmP5QTopFY83qCPj9czxkwct8b0HDHdC8Qwruhkq3SWw.mmqfbc2dfaMMi6Xi.n1qvYhAUYI0r7-QB6Vw.0jV2tT3U-AQMAQSch2rNsw'

  test('decrypts the legacy A128GCM format (plug_crypto 1.x vector)', () => {
    assert.deepEqual(decryptMessage(legacy, right, { aad: 'right aad', signKey: right }), data)
    assert.equal(decryptMessage(legacy, right, { aad: 'wrong aad', signKey: right }), null)
    assert.equal(decryptMessage(legacy, wrong, { aad: 'right aad', signKey: right }), null)
    assert.equal(decryptMessage(legacy, right, { aad: 'right aad', signKey: wrong }), null)
    assert.equal(
      decryptMessage(legacy.slice(0, -2), right, { aad: 'right aad', signKey: right }),
      null,
    )
  })

  test('unknown formats are null', () => {
    assert.equal(decryptMessage('ABC.def', right), null)
    assert.equal(decryptMessage('XCP.', right), null)
  })
})
