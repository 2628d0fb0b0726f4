/** Strict unpadded base64url, as Elixir's `Base.url_decode64(padding: false)`. */

const ALPHABET = /^[A-Za-z0-9_-]*$/

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/**
 * Decodes unpadded base64url, or returns null. Node's own decoder skips bad
 * characters silently; this one refuses them, and refuses non-canonical text
 * (stray bits in the last character), so one token has exactly one spelling.
 */
export function fromBase64Url(text: string): Buffer | null {
  if (text.length % 4 === 1 || !ALPHABET.test(text)) return null
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}
