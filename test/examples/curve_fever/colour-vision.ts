/**
 * How far apart two colours look, with normal vision and for the common colour blindnesses:
 * the simulations of Machado, Oliveira and Fernandes (2009, severity 1) on linear sRGB, and the
 * CIEDE2000 difference in CIELAB (D65). Around 2 is barely visible; above 10, clearly distinct.
 */

/** Row-major 3×3 matrices on linear RGB; `normal` changes nothing. */
export const VISIONS = {
  normal: null,
  protanopia: [
    0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998,
  ],
  deuteranopia: [
    0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881,
  ],
  tritanopia: [
    1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.3039,
  ],
} as const satisfies Record<string, readonly number[] | null>

export type Vision = keyof typeof VISIONS
type Triple = readonly [number, number, number]

const linear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)

function linearRgb(hex: string): Triple {
  const n = Number.parseInt(hex.slice(1), 16)
  return [linear(((n >> 16) & 255) / 255), linear(((n >> 8) & 255) / 255), linear((n & 255) / 255)]
}

function simulate(rgb: Triple, vision: Vision): Triple {
  const m = VISIONS[vision]
  if (m === null) return rgb
  const clamp = (v: number): number => Math.min(1, Math.max(0, v))
  const [r, g, b] = rgb
  return [
    clamp(m[0] * r + m[1] * g + m[2] * b),
    clamp(m[3] * r + m[4] * g + m[5] * b),
    clamp(m[6] * r + m[7] * g + m[8] * b),
  ]
}

function lab([r, g, b]: Triple): Triple {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116)
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
}

const RAD = Math.PI / 180
const hue = (b: number, a: number): number => {
  if (a === 0 && b === 0) return 0
  const d = Math.atan2(b, a) / RAD
  return d < 0 ? d + 360 : d
}

/** CIEDE2000 (Sharma, Wu and Dalal 2005) between two CIELAB colours. */
export function ciede2000([L1, a1, b1]: Triple, [L2, a2, b2]: Triple): number {
  const cBar = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2
  const g = 0.5 * (1 - Math.sqrt(cBar ** 7 / (cBar ** 7 + 25 ** 7)))
  const ap1 = (1 + g) * a1
  const ap2 = (1 + g) * a2
  const c1 = Math.hypot(ap1, b1)
  const c2 = Math.hypot(ap2, b2)
  const h1 = hue(b1, ap1)
  const h2 = hue(b2, ap2)
  let dh = 0
  if (c1 * c2 !== 0) {
    dh = h2 - h1
    if (dh > 180) dh -= 360
    else if (dh < -180) dh += 360
  }
  const dL = L2 - L1
  const dC = c2 - c1
  const dH = 2 * Math.sqrt(c1 * c2) * Math.sin((dh / 2) * RAD)
  const lBar = (L1 + L2) / 2
  const cpBar = (c1 + c2) / 2
  let hBar = h1 + h2
  if (c1 * c2 !== 0) {
    if (Math.abs(h1 - h2) > 180) hBar = hBar < 360 ? hBar + 360 : hBar - 360
    hBar /= 2
  }
  const t =
    1 -
    0.17 * Math.cos((hBar - 30) * RAD) +
    0.24 * Math.cos(2 * hBar * RAD) +
    0.32 * Math.cos((3 * hBar + 6) * RAD) -
    0.2 * Math.cos((4 * hBar - 63) * RAD)
  const theta = 30 * Math.exp(-(((hBar - 275) / 25) ** 2))
  const rc = 2 * Math.sqrt(cpBar ** 7 / (cpBar ** 7 + 25 ** 7))
  const sl = 1 + (0.015 * (lBar - 50) ** 2) / Math.sqrt(20 + (lBar - 50) ** 2)
  const sc = 1 + 0.045 * cpBar
  const sh = 1 + 0.015 * cpBar * t
  const rt = -Math.sin(2 * theta * RAD) * rc
  return Math.sqrt((dL / sl) ** 2 + (dC / sc) ** 2 + (dH / sh) ** 2 + rt * (dC / sc) * (dH / sh))
}

/** The CIEDE2000 difference of two '#rrggbb' colours as seen with `vision`. */
export function difference(a: string, b: string, vision: Vision): number {
  return ciede2000(lab(simulate(linearRgb(a), vision)), lab(simulate(linearRgb(b), vision)))
}

/** The closest pair of `colours` over every vision: the one a palette must keep apart. */
export function closestPair(colours: readonly string[]) {
  let worst = { distance: Number.POSITIVE_INFINITY, vision: 'normal' as Vision, a: '', b: '' }
  for (const vision of Object.keys(VISIONS) as Vision[]) {
    for (let i = 0; i < colours.length; i++) {
      for (let j = i + 1; j < colours.length; j++) {
        const a = colours[i] ?? ''
        const b = colours[j] ?? ''
        const distance = difference(a, b, vision)
        if (distance < worst.distance) worst = { distance, vision, a, b }
      }
    }
  }
  return worst
}
