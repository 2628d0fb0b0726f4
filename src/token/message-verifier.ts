/**
 * Plug.Crypto.MessageVerifier: `protected.payload.signature`, where
 * `protected` names the HMAC digest (base64url of "HS256", "HS384", "HS512"),
 * and the HMAC covers the literal `protected.payload` text.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { CinderError } from '../errors.ts'
import { fromBase64Url, toBase64Url } from './base64url.ts'

export type SignDigest = 'sha256' | 'sha384' | 'sha512'

const PROTECTED = { sha256: 'SFMyNTY', sha384: 'SFMzODQ', sha512: 'SFM1MTI' } as const
const DIGEST_OF: ReadonlyMap<string, SignDigest> = new Map([
  ['SFMyNTY', 'sha256'],
  ['SFMzODQ', 'sha384'],
  ['SFM1MTI', 'sha512'],
])

/** Signs raw bytes with `key` (e.g. from `deriveKey`). The payload stays readable. */
export function signMessage(
  payload: Uint8Array,
  key: Uint8Array,
  digest: SignDigest = 'sha256',
): string {
  const header = PROTECTED[digest]
  if (!header) throw new CinderError('CINDER_ERR_TOKEN_CONFIG', `unknown digest ${String(digest)}`)
  checkKey(key)
  const plainText = `${header}.${toBase64Url(payload)}`
  return `${plainText}.${createHmac(digest, key).update(plainText).digest('base64url')}`
}

/** Returns the signed payload when the signature is valid for `key`, else null. */
export function verifyMessage(signed: string, key: Uint8Array): Buffer | null {
  checkKey(key)
  const parts = signed.split('.')
  if (parts.length !== 3) return null
  const [header = '', encodedPayload = '', encodedSignature = ''] = parts
  const digest = DIGEST_OF.get(header)
  const payload = fromBase64Url(encodedPayload)
  const signature = fromBase64Url(encodedSignature)
  if (!digest || !payload || !signature) return null
  const challenge = createHmac(digest, key).update(`${header}.${encodedPayload}`).digest()
  if (challenge.length !== signature.length || !timingSafeEqual(challenge, signature)) return null
  return payload
}

function checkKey(key: Uint8Array): void {
  if (key.length === 0) throw new CinderError('CINDER_ERR_TOKEN_CONFIG', 'expected a non-empty key')
}
