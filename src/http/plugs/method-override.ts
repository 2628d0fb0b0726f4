/**
 * HTML forms can only GET and POST. A POST carrying `_method=PUT|PATCH|DELETE`
 * (in the body, so it needs the body parsers first) is routed as that method.
 */
import type { Conn } from '../conn.ts'

const OVERRIDABLE = new Set(['PUT', 'PATCH', 'DELETE'])

/**
 * @example
 * pipeline([parsers(), methodOverride(), router.plug])
 */
export function methodOverride() {
  return function methodOverridePlug(conn: Conn): Conn {
    if (conn.method !== 'POST') return conn
    const wanted = conn.bodyParams._method
    if (typeof wanted === 'string' && OVERRIDABLE.has(wanted.toUpperCase())) {
      conn.method = wanted.toUpperCase()
    }
    return conn
  }
}
