// Public API of token/ (re-exported from src/index.ts).

export { type DecodeTermOptions, decodeTerm } from './etf-decode.ts'
export { type EncodeTermOptions, encodeTerm } from './etf-encode.ts'
export { EtfAtom, type EtfTerm, EtfTuple } from './etf-term.ts'
export { type DeriveKeyOptions, deriveKey, type KeyDigest } from './key-generator.ts'
export {
  type DecryptOptions,
  decryptMessage,
  type EncryptOptions,
  encryptMessage,
} from './message-encryptor.ts'
export { type SignDigest, signMessage, verifyMessage } from './message-verifier.ts'
export {
  decryptToken,
  encryptToken,
  type MintTokenOptions,
  type SignTokenOptions,
  signToken,
  type TokenKeyOptions,
  type TokenResult,
  type TokenSecret,
  type VerifyTokenOptions,
  verifyToken,
} from './token.ts'
