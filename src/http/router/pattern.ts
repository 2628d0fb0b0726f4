/**
 * Route path patterns: `/users/:id/files/*path`. A `:name` fills one whole
 * segment, a `*name` glob takes the rest (zero or more segments) and ends the
 * pattern. Parsed once, at declaration, with errors that show the fix.
 */
import { CinderError, describe } from '../../errors.ts'

export type Token =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'glob'; readonly name: string }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Parses a path pattern into tokens. */
export function parsePattern(path: string): Token[] {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `a route path must start with "/", got: ${describe(path)}`,
    )
  }
  const tokens: Token[] = []
  const segments = path.split('/').filter((s) => s !== '')
  segments.forEach((segment, index) => {
    const token = parseSegment(segment, path)
    if (token.kind === 'glob' && index !== segments.length - 1) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `a glob must be the last segment of a route, in ${describe(path)}`,
      )
    }
    tokens.push(token)
  })
  return tokens
}

function parseSegment(segment: string, path: string): Token {
  const sigil = segment[0]
  if (sigil === ':' || sigil === '*') {
    const name = segment.slice(1)
    if (!NAME.test(name)) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `invalid param name ${describe(segment)} in ${describe(path)}: use letters, digits and _ (e.g. ":user_id")`,
      )
    }
    return sigil === ':' ? { kind: 'param', name } : { kind: 'glob', name }
  }
  if (segment.includes(':') || segment.includes('*')) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `a path param must fill a whole segment, got ${describe(segment)} in ${describe(path)}`,
    )
  }
  return { kind: 'static', value: segment }
}

/** The shape of a pattern, param names erased: two routes with one shape and verb conflict. */
export function shapeOf(tokens: readonly Token[]): string {
  return tokens
    .map((t) => (t.kind === 'static' ? `/${t.value}` : t.kind === 'param' ? '/:' : '/*'))
    .join('')
}

/** Names of the params and glob, in order. */
export function paramNames(tokens: readonly Token[]): string[] {
  return tokens.flatMap((t) => (t.kind === 'static' ? [] : [t.name]))
}

/** Joins a prefix and a path into one normalized pattern string. */
export function joinPaths(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`
    .split('/')
    .filter((s) => s !== '')
    .join('/')
  return `/${joined}`
}
