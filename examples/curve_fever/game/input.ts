/** Validation of everything a client may send into the simulation. */
import type { PlayerInit, Turn } from './player.ts'

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = <T = never>(reason: string): Result<T> => ({ ok: false, reason })

export const MAX_NAME_LENGTH = 24
export const MAX_ID_BYTES = 64

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

/** Accepts exactly -1, 0 or 1 (numbers); rejects everything else with the reason. */
export function parseTurn(value: unknown): Result<Turn> {
  if (value === -1 || value === 0 || value === 1) return ok(value)
  return fail(`input must be -1 (left), 0 (straight) or 1 (right), got ${show(value)}`)
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length

// C0/C1 controls, bidi overrides and zero-width spaces make names unreadable or deceptive
// (zero-width joiners stay: emoji sequences need them).
const UNPRINTABLE = /[\p{Cc}\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u

/** Checks a joining player's id, name and colour (the room escapes names when it renders them). */
export function validatePlayerInit(init: PlayerInit): Result<PlayerInit> {
  const { id, name, colour } = init
  if (typeof id !== 'string' || id.length === 0 || utf8Length(id) > MAX_ID_BYTES) {
    return fail(
      `player id must be a non-empty string of at most ${MAX_ID_BYTES} bytes, got ${show(id)}`,
    )
  }
  if (
    typeof name !== 'string' ||
    name.trim().length === 0 ||
    [...name.trim()].length > MAX_NAME_LENGTH
  ) {
    return fail(`name must have 1 to ${MAX_NAME_LENGTH} characters, got ${show(name)}`)
  }
  if (UNPRINTABLE.test(name))
    return fail(`name must not contain control or invisible characters, got ${show(name)}`)
  if (typeof colour !== 'string' || !/^#[0-9a-f]{6}$/i.test(colour)) {
    return fail(`colour must look like #rrggbb, got ${show(colour)}`)
  }
  return ok(init)
}
