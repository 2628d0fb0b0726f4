/**
 * Text widths for Vega's layout without a canvas. Vega's own fallback guesses
 * 0.8 em for every character, which is about half again too wide for
 * Helvetica or Arial: the charts got wide empty margins and loose labels.
 * This uses Helvetica's advance widths instead (AFM, 1/1000 em).
 */

// Printable ASCII from space (32) to tilde (126).
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
  556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
  611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
  667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
  222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]
const OTHER: Record<string, number> = { '·': 278, '×': 584, µ: 556, '◆': 800, '–': 556, '—': 1000 }

/** Width in pixels of `text` at `fontSize`, a bold weight about 8% wider. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    units += (code >= 32 && code <= 126 ? ASCII[code - 32] : OTHER[char]) ?? 556
  }
  return (units / 1000) * fontSize * (bold ? 1.08 : 1)
}

/** The part of a Vega scenegraph text item that sets its width. */
export interface TextItem {
  readonly text?: unknown
  readonly fontSize?: number
  readonly fontWeight?: string | number
}

/** A replacement for `vega.textMetrics.width`: Vega calls it with the item and, at times, a line. */
export function itemWidth(item: TextItem, text?: unknown): number {
  const value = text ?? item.text
  const line = Array.isArray(value) ? value.join(' ') : String(value ?? '')
  const weight = item.fontWeight
  const bold = weight === 'bold' || (typeof weight === 'number' && weight >= 600)
  // A few per cent to spare: a viewer without Helvetica or Arial substitutes a wider face.
  return textWidth(line, item.fontSize ?? 11, bold) * 1.04
}
