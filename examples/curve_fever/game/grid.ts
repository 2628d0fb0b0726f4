/**
 * The occupancy grid: one byte per cell, 0 when free, else the owner's seat + 1. Collision is a
 * few array reads per curve per tick instead of a test against every trail segment.
 */

export class TrailGrid {
  readonly columns: number
  readonly rows: number
  readonly cellSize: number
  readonly cells: Uint8Array

  constructor(width: number, height: number, cellSize: number) {
    this.cellSize = cellSize
    this.columns = Math.ceil(width / cellSize)
    this.rows = Math.ceil(height / cellSize)
    this.cells = new Uint8Array(this.columns * this.rows)
  }

  clear(): void {
    this.cells.fill(0)
  }

  /** The cell index holding (x, y), or -1 outside the grid. */
  indexAt(x: number, y: number): number {
    const col = Math.floor(x / this.cellSize)
    const row = Math.floor(y / this.cellSize)
    if (col < 0 || row < 0 || col >= this.columns || row >= this.rows) return -1
    return row * this.columns + col
  }

  /** Owner (seat + 1) of the cell at (x, y); 0 when free or outside. */
  ownerAt(x: number, y: number): number {
    const index = this.indexAt(x, y)
    return index < 0 ? 0 : (this.cells[index] ?? 0)
  }

  /**
   * Marks the free cells whose centres lie within `radius` of (x, y) as `owner`'s; cells already
   * taken keep their first owner. Records each newly taken cell in `recent` at `tick`.
   */
  paintDisc(
    x: number,
    y: number,
    radius: number,
    owner: number,
    recent: RecentCells,
    tick: number,
  ): void {
    const size = this.cellSize
    const c0 = Math.max(0, Math.floor((x - radius) / size))
    const c1 = Math.min(this.columns - 1, Math.floor((x + radius) / size))
    const r0 = Math.max(0, Math.floor((y - radius) / size))
    const r1 = Math.min(this.rows - 1, Math.floor((y + radius) / size))
    const limit = radius * radius
    for (let row = r0; row <= r1; row++) {
      const dy = (row + 0.5) * size - y
      for (let col = c0; col <= c1; col++) {
        const dx = (col + 0.5) * size - x
        const index = row * this.columns + col
        if (dx * dx + dy * dy > limit || this.cells[index] !== 0) continue
        this.cells[index] = owner
        recent.add(index, tick)
      }
    }
  }
}

/**
 * The cells a curve painted in its last few ticks, in a ring. The head always overlaps them, so
 * they must not count as a collision with its own trail; older own cells do.
 */
export class RecentCells {
  readonly #cells: Int32Array
  readonly #ticks: Int32Array
  #next = 0

  constructor(capacity: number) {
    this.#cells = new Int32Array(capacity).fill(-1)
    this.#ticks = new Int32Array(capacity).fill(-1)
  }

  add(cell: number, tick: number): void {
    this.#cells[this.#next] = cell
    this.#ticks[this.#next] = tick
    this.#next = (this.#next + 1) % this.#cells.length
  }

  /** True when `cell` was painted at `since` or later. */
  has(cell: number, since: number): boolean {
    const cells = this.#cells
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] === cell && (this.#ticks[i] ?? -1) >= since) return true
    }
    return false
  }

  clear(): void {
    this.#cells.fill(-1)
    this.#ticks.fill(-1)
    this.#next = 0
  }
}
