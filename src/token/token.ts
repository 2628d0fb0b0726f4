/**
 * Phoenix.Token: data signed (readable, tamper-proof) or encrypted (opaque),
 * with a timestamp and a max age. The plaintext is
 * `term_to_binary({data, signed_at_ms, max_age_s})`, keys come from
 * `deriveKey(secretKeyBase, salt)`, so tokens cross between Cinder and
 * Phoenix in both directions.
 */
import { CinderError, describe } from '../errors.ts'
import { decodeTerm } from './etf-decode.ts'
import { encodeTerm } from './etf-encode.ts'
import { atom, type EtfTerm, EtfTuple } from './etf-term.ts'
import { deriveKey, type KeyDigest } from './key-generator.ts'
import { decryptMessage, encryptMessage } from './message-encryptor.ts'
import { type SignDigest, signMessage, verifyMessage } from './message-verifier.ts'

/** The endpoint's secret key base, or anything that carries one (an endpoint, a conn, a socket). */
export type TokenSecret = string | Uint8Array | { readonly secretKeyBase: string | Uint8Array }

export interface TokenKeyOptions {
  /** PBKDF2 iterations for the derived key. Default 1000. */
  readonly keyIterations?: number
  /** Derived key length in bytes. Default 32 (encryption needs 32). */
  readonly keyLength?: number
  /** PBKDF2 digest. Default `'sha256'`. */
  readonly keyDigest?: KeyDigest
}

export interface MintTokenOptions extends TokenKeyOptions {
  /** When the token was made, in **seconds** since the epoch. Default: now. */
  readonly signedAt?: number
  /** Max age in seconds stored in the token (verify may override). Default 86400; `Infinity`: never expires. */
  readonly maxAge?: number
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number
}

export interface SignTokenOptions extends MintTokenOptions {
  /** HMAC digest of the signature. Default `'sha256'` (the `SFMyNTY` header). */
  readonly digest?: SignDigest
}

export interface VerifyTokenOptions extends TokenKeyOptions {
  /** Max age in seconds, overriding the one in the token; `Infinity` skips the check. */
  readonly maxAge?: number
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number
}

/**
 * The outcome of verifying or decrypting a token: never an exception for a bad
 * token. `invalid` covers forged, tampered, malformed and future-dated tokens.
 */
export type TokenResult =
  | { readonly ok: true; readonly data: EtfTerm }
  | { readonly ok: false; readonly reason: 'invalid' | 'expired' | 'missing' }

const DEFAULT_MAX_AGE = 86_400
const INVALID: TokenResult = Object.freeze({ ok: false, reason: 'invalid' })
const EXPIRED: TokenResult = Object.freeze({ ok: false, reason: 'expired' })
const MISSING: TokenResult = Object.freeze({ ok: false, reason: 'missing' })

/** Signs `data` into a URL-safe token anyone can read but nobody can alter (Phoenix.Token.sign). */
export function signToken(
  secret: TokenSecret,
  salt: string,
  data: EtfTerm,
  options: SignTokenOptions = {},
): string {
  return signMessage(plaintext(data, options), tokenKey(secret, salt, options), options.digest)
}

/** Verifies a token from `signToken` or Phoenix.Token.sign and returns its data. */
export function verifyToken(
  secret: TokenSecret,
  salt: string,
  token: string | null | undefined,
  options: VerifyTokenOptions = {},
): TokenResult {
  const key = tokenKey(secret, salt, options)
  if (token == null) return MISSING
  if (typeof token !== 'string') return INVALID
  const message = verifyMessage(token, key)
  return message ? openPlaintext(message, options) : INVALID
}

/** Encrypts `data` into an opaque token (Phoenix.Token.encrypt; XChaCha20-Poly1305). */
export function encryptToken(
  secret: TokenSecret,
  salt: string,
  data: EtfTerm,
  options: MintTokenOptions = {},
): string {
  return encryptMessage(plaintext(data, options), tokenKey(secret, salt, options))
}

/** Decrypts a token from `encryptToken` or Phoenix.Token.encrypt (legacy AES-GCM ones too). */
export function decryptToken(
  secret: TokenSecret,
  salt: string,
  token: string | null | undefined,
  options: VerifyTokenOptions = {},
): TokenResult {
  const key = tokenKey(secret, salt, options)
  if (token == null) return MISSING
  if (typeof token !== 'string') return INVALID
  // Phoenix.Token passes an empty sign secret: legacy wrapped keys were sealed with it.
  const message = decryptMessage(token, key, { signKey: new Uint8Array(0) })
  return message ? openPlaintext(message, options) : INVALID
}

function tokenKey(secret: TokenSecret, salt: string, options: TokenKeyOptions): Buffer {
  const base =
    typeof secret === 'object' && 'secretKeyBase' in secret ? secret.secretKeyBase : secret
  if (typeof base !== 'string' && !(base instanceof Uint8Array)) {
    throw new CinderError(
      'CINDER_ERR_TOKEN_CONFIG',
      `expected a secretKeyBase, got ${describe(base)}`,
    )
  }
  if (Buffer.byteLength(base) < 20) {
    throw new CinderError(
      'CINDER_ERR_TOKEN_CONFIG',
      `expected a secretKeyBase of at least 20 bytes, got ${Buffer.byteLength(base)}`,
    )
  }
  if (typeof salt !== 'string') {
    throw new CinderError(
      'CINDER_ERR_TOKEN_CONFIG',
      `expected a salt string, got ${describe(salt)}`,
    )
  }
  return deriveKey(base, salt, {
    ...(options.keyIterations === undefined ? {} : { iterations: options.keyIterations }),
    ...(options.keyLength === undefined ? {} : { length: options.keyLength }),
    ...(options.keyDigest === undefined ? {} : { digest: options.keyDigest }),
  })
}

function plaintext(data: EtfTerm, options: MintTokenOptions): Uint8Array {
  const signedAtMs =
    options.signedAt === undefined
      ? Math.trunc((options.now ?? Date.now)())
      : Math.trunc(options.signedAt * 1000)
  const maxAge = options.maxAge ?? DEFAULT_MAX_AGE
  if (Number.isNaN(maxAge)) throw new CinderError('CINDER_ERR_TOKEN_CONFIG', 'maxAge is NaN')
  const storedMaxAge = maxAge === Number.POSITIVE_INFINITY ? atom('infinity') : maxAge
  return encodeTerm(new EtfTuple([data, signedAtMs, storedMaxAge]))
}

function openPlaintext(message: Uint8Array, options: VerifyTokenOptions): TokenResult {
  let term: EtfTerm
  try {
    term = decodeTerm(message)
  } catch {
    return INVALID
  }
  const parts = tokenParts(term)
  if (!parts) return INVALID
  const maxAge = options.maxAge ?? parts.maxAge
  return checkAge(parts.signedAt, maxAge, options.now ?? Date.now) ?? { ok: true, data: parts.data }
}

interface TokenParts {
  readonly data: EtfTerm
  readonly signedAt: number
  readonly maxAge: number
}

/** `{data, signed, max_age}`, or the legacy `{data, signed}` and `%{data: _, signed: _}`. */
function tokenParts(term: EtfTerm): TokenParts | null {
  let data: EtfTerm | undefined
  let signed: EtfTerm | undefined
  let maxAge: EtfTerm | undefined = DEFAULT_MAX_AGE
  if (term instanceof EtfTuple && (term.elements.length === 3 || term.elements.length === 2)) {
    ;[data, signed] = term.elements
    if (term.elements.length === 3) maxAge = term.elements[2]
  } else if (isRecord(term) && Object.keys(term).length === 2 && 'data' in term) {
    data = term.data
    signed = term.signed
  }
  if (data === undefined || typeof signed !== 'number') return null
  if (maxAge === 'infinity') maxAge = Number.POSITIVE_INFINITY
  if (typeof maxAge !== 'number') return null
  return { data, signedAt: signed, maxAge }
}

function isRecord(term: EtfTerm): term is { readonly [key: string]: EtfTerm | undefined } {
  return (
    typeof term === 'object' && term !== null && Object.getPrototypeOf(term) === Object.prototype
  )
}

/** Plug.Crypto's validate_age: null when the age is fine. */
function checkAge(signedAt: number, maxAge: number, now: () => number): TokenResult | null {
  if (maxAge === Number.POSITIVE_INFINITY) return null
  if (!(maxAge > 0)) return EXPIRED
  const nowMs = now()
  if (signedAt > nowMs) return INVALID
  if (signedAt + Math.trunc(maxAge * 1000) < nowMs) return EXPIRED
  return null
}
