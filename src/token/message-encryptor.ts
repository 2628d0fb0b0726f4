/**
 * Plug.Crypto.MessageEncryptor: authenticated encryption of raw bytes.
 *
 * - Current format (plug_crypto >= 2.0): XChaCha20-Poly1305,
 *   `"XCP." + b64url(iv[24] ‖ tag[16] ‖ ciphertext)`.
 * - Legacy format (plug_crypto 1.x), decrypt only: AES-GCM with a wrapped
 *   content key, `"QTEyOEdDTQ." + b64url(wrappedKey) . iv . ciphertext . tag`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { CinderError } from '../errors.ts'
import { fromBase64Url, toBase64Url } from './base64url.ts'
import { hchacha20 } from './hchacha20.ts'

/** Additional authenticated data Plug uses unless told otherwise. */
export const DEFAULT_AAD = 'A128GCM'

export interface EncryptOptions {
  /** Additional authenticated data. Default `"A128GCM"`, as Plug. */
  readonly aad?: string | Uint8Array
}

export interface DecryptOptions extends EncryptOptions {
  /** Only for legacy `QTEyOEdDTQ.` tokens: the secret that authenticated the wrapped key. */
  readonly signKey?: Uint8Array
}

/** Encrypts raw bytes with a 32-byte `key` (e.g. from `deriveKey`). */
export function encryptMessage(
  plaintext: Uint8Array,
  key: Uint8Array,
  options: EncryptOptions = {},
): string {
  if (key.length !== 32) {
    throw new CinderError(
      'CINDER_ERR_TOKEN_CONFIG',
      `expected a 32-byte key, got ${key.length} bytes`,
    )
  }
  const iv = randomBytes(24)
  const cipher = createCipheriv(
    'chacha20-poly1305',
    hchacha20(key, iv.subarray(0, 16)),
    nonce(iv),
    {
      authTagLength: 16,
    },
  )
  cipher.setAAD(Buffer.from(options.aad ?? DEFAULT_AAD), { plaintextLength: plaintext.length })
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return `XCP.${toBase64Url(Buffer.concat([iv, cipher.getAuthTag(), body]))}`
}

/** Decrypts a message from `encryptMessage` or Plug; null when it is not authentic. */
export function decryptMessage(
  encrypted: string,
  key: Uint8Array,
  options: DecryptOptions = {},
): Buffer | null {
  const aad = Buffer.from(options.aad ?? DEFAULT_AAD)
  if (encrypted.startsWith('XCP.')) return decryptXChaCha(encrypted.slice(4), key, aad)
  if (encrypted.startsWith('QTEyOEdDTQ.')) {
    return decryptLegacy(encrypted.slice(11), key, options.signKey ?? new Uint8Array(0), aad)
  }
  return null
}

function decryptXChaCha(text: string, key: Uint8Array, aad: Buffer): Buffer | null {
  const raw = fromBase64Url(text)
  if (!raw || raw.length < 40 || key.length !== 32) return null
  const iv = raw.subarray(0, 24)
  return openAead('chacha20-poly1305', hchacha20(key, iv.subarray(0, 16)), nonce(iv), {
    aad,
    tag: raw.subarray(24, 40),
    body: raw.subarray(40),
  })
}

function decryptLegacy(text: string, key: Uint8Array, signKey: Uint8Array, aad: Buffer) {
  const parts = text.split('.').map(fromBase64Url)
  if (parts.length !== 4) return null
  const [wrapped, iv, body, tag] = parts
  if (!wrapped || !iv || !body || !tag || iv.length !== 12 || tag.length !== 16) return null
  // The wrapped key is cek ‖ tag[16] ‖ iv[12], sealed with the secret under AAD = signKey.
  const cekLength = wrapped.length - 28
  if (![16, 24, 32].includes(cekLength)) return null
  const cek = openAead(aesGcm(key.length), key, wrapped.subarray(cekLength + 16), {
    aad: signKey,
    tag: wrapped.subarray(cekLength, cekLength + 16),
    body: wrapped.subarray(0, cekLength),
  })
  if (!cek) return null
  return openAead(aesGcm(cek.length), cek, iv, { aad, tag, body })
}

function aesGcm(keyLength: number): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | null {
  if (keyLength === 16) return 'aes-128-gcm'
  if (keyLength === 24) return 'aes-192-gcm'
  if (keyLength === 32) return 'aes-256-gcm'
  return null
}

interface Sealed {
  readonly aad: Uint8Array
  readonly tag: Uint8Array
  readonly body: Uint8Array
}

function openAead(
  algorithm: 'chacha20-poly1305' | 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | null,
  key: Uint8Array,
  iv: Uint8Array,
  { aad, tag, body }: Sealed,
): Buffer | null {
  if (!algorithm) return null
  try {
    const decipher =
      algorithm === 'chacha20-poly1305'
        ? createDecipheriv(algorithm, key, iv, { authTagLength: 16 })
        : createDecipheriv(algorithm, key, iv, { authTagLength: 16 })
    decipher.setAAD(aad, { plaintextLength: body.length })
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(body), decipher.final()])
  } catch {
    return null // a wrong key, AAD or tag: not authentic
  }
}

/** XChaCha20's 12-byte ChaCha20 nonce: four zero bytes, then the last 8 bytes of the iv. */
function nonce(iv: Uint8Array): Buffer {
  return Buffer.concat([Buffer.alloc(4), iv.subarray(16, 24)])
}
