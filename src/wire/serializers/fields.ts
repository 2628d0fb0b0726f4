/** Checks shared by the serializers: what a decoded field must be, and the errors. */
import { CinderError, describe } from '../../errors.ts'
import type { JsonObject } from '../message.ts'

export function badFrame(message: string): CinderError {
  return new CinderError('CINDER_ERR_BAD_FRAME', message)
}

export function refField(value: unknown, name: string): string | null {
  if (value === null || typeof value === 'string') return value
  throw badFrame(`expected ${name} to be a string or null, got ${describe(value)}`)
}

export function stringField(value: unknown, name: string): string {
  if (typeof value === 'string') return value
  throw badFrame(`expected ${name} to be a string, got ${describe(value)}`)
}

export function objectPayload(value: unknown): JsonObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as JsonObject
  }
  throw badFrame(`expected payload to be a JSON object, got ${describe(value)}`)
}

/** Parses JSON text (a string, or UTF-8 bytes of a text frame). */
export function parseJson(frame: string | Uint8Array): unknown {
  const text =
    typeof frame === 'string'
      ? frame
      : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    throw badFrame(`expected a JSON text frame, got ${describe(text)}`)
  }
}
