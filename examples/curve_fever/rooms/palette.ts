/**
 * The curves' colours. Eight (a room's seats), chosen so that every pair stays apart for
 * everyone: the smallest CIEDE2000 difference between two of them is about 17 with normal
 * vision and under simulated protanopia, deuteranopia and tritanopia (palette.test.ts checks
 * ≥ 15), and each stands out from the dark arena. A room gives each curve its own: a player's
 * chosen colour when it is free, else the first free one here; bots take free ones too.
 */
export const PALETTE = [
  '#ee8800',
  '#88aaee',
  '#ffff00',
  '#aa22ff',
  '#668866',
  '#ffccaa',
  '#ccffff',
  '#aaaaaa',
] as const

const NAMES: Readonly<Record<string, string>> = {
  '#ee8800': 'orange',
  '#88aaee': 'periwinkle',
  '#ffff00': 'yellow',
  '#aa22ff': 'purple',
  '#668866': 'sage',
  '#ffccaa': 'peach',
  '#ccffff': 'ice blue',
  '#aaaaaa': 'grey',
}

/** A palette colour in words (for a player told which curve is theirs). */
export function colourName(colour: string): string {
  return NAMES[colour.toLowerCase()] ?? colour
}

/**
 * The colour a newcomer gets among the colours already `taken` in its room: its `wish` if that
 * is a palette colour nobody has, else the first free palette colour (the wish when all are
 * taken, in rooms of more than eight seats).
 */
export function pickColour(taken: Iterable<string>, wish?: string): string {
  const used = new Set([...taken].map((c) => c.toLowerCase()))
  const wished = wish?.toLowerCase()
  if (wished !== undefined && (PALETTE as readonly string[]).includes(wished) && !used.has(wished))
    return wished
  return PALETTE.find((c) => !used.has(c)) ?? wished ?? PALETTE[0]
}
