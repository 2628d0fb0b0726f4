/// <reference lib="dom" />
/**
 * The notices beside the arena, of two kinds, so that none says something no longer true:
 * - the **status**: one line about what holds now ("Lost the room: rejoining…", "Watching: the
 *   game is full", "This game is over"), shown until it is replaced or cleared;
 * - **passing** lines about what just happened (a death, a round won, "You are in"), each shown
 *   for `PASSING_MS`, at most `MAX_PASSING` at once.
 */

/** How long a passing notice stays: long enough to read a line, short enough not to go stale. */
export const PASSING_MS = 8000
const MAX_PASSING = 4

export class Notices {
  readonly #el: HTMLElement | null
  readonly #status: HTMLElement | null
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(el: HTMLElement | null) {
    this.#el = el
    this.#status = el === null ? null : document.createElement('div')
    if (this.#status !== null) {
      this.#status.className = 'status'
      this.#status.hidden = true
      el?.append(this.#status)
    }
  }

  /** Sets the status line (with a link, if given), or clears it with null. */
  status(line: string | null, link?: { href: string; id: string; text: string }): void {
    const status = this.#status
    if (status === null) return
    status.replaceChildren()
    status.hidden = line === null
    if (line === null) return
    const text = document.createElement('div')
    text.textContent = line
    status.append(text)
    if (link === undefined) return
    const a = document.createElement('a')
    a.href = link.href
    a.id = link.id
    a.textContent = link.text
    status.append(a)
  }

  /** Shows a passing line, removed after `PASSING_MS`. */
  pass(line: string): void {
    const el = this.#el
    if (el === null) return
    const p = document.createElement('div')
    p.className = 'passing'
    p.textContent = line
    el.append(p)
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      p.remove()
    }, PASSING_MS)
    this.#timers.add(timer)
    while (el.querySelectorAll('.passing').length > MAX_PASSING)
      el.querySelector('.passing')?.remove()
  }

  destroy(): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
