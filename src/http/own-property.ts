/**
 * Writes decoded client data into plain objects: a `__proto__` key becomes
 * an own data property (as `JSON.parse` makes it), never the prototype.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    target[key] = value
  }
}
