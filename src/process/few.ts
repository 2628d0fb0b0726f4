/**
 * @internal A collection that nearly always holds none, one or two members:
 * a process's links and exit hooks, a subscriber's topics. One member is
 * held bare, a few in an array, more in a Set. An empty `Set` costs about
 * 170 bytes (its hash table), an array of two about 50; three such Sets per
 * joined socket were a tenth of Cinder's memory per socket. Supervisors and
 * busy processes still get a Set once they pass `ARRAY_MAX` members.
 *
 * `T` must never be an array or a Set itself.
 */
export type Few<T> = T | T[] | Set<T> | null

const ARRAY_MAX = 8

/** `few` with `member` added (once); returns the holder to store back. */
export function fewAdd<T>(few: Few<T>, member: T): Few<T> {
  if (few === null) return member
  if (few instanceof Set) return few.add(member)
  if (Array.isArray(few)) {
    if (few.includes(member)) return few
    if (few.length >= ARRAY_MAX) return new Set([...few, member])
    const next = exactArray<T>(few.length + 1)
    for (let i = 0; i < few.length; i++) next[i] = few[i] as T
    next[few.length] = member
    return next
  }
  return few === member ? few : [few, member]
}

/** `few` without `member`; returns the holder to store back. */
export function fewDelete<T>(few: Few<T>, member: T): Few<T> {
  if (few === null) return null
  if (few instanceof Set) {
    few.delete(member)
    return few.size === 0 ? null : few
  }
  if (Array.isArray(few)) {
    if (!few.includes(member)) return few
    if (few.length === 2) return (few[0] === member ? few[1] : few[0]) as T
    const rest = exactArray<T>(few.length - 1)
    let at = 0
    for (const m of few) if (m !== member) rest[at++] = m
    return rest
  }
  return few === member ? null : few
}

/**
 * An array whose store holds exactly `length` slots. A literal, a spread, a
 * push or a filter leave V8 room to grow: 19 slots, 170 bytes, for two members.
 */
function exactArray<T>(length: number): T[] {
  return new Array<T>(length)
}

export function fewSize<T>(few: Few<T>): number {
  if (few === null) return 0
  if (few instanceof Set) return few.size
  return Array.isArray(few) ? few.length : 1
}

/** The members, as an array that later changes to `few` do not affect. */
export function fewMembers<T>(few: Few<T>): T[] {
  if (few === null) return []
  if (few instanceof Set || Array.isArray(few)) return [...few]
  return [few]
}
