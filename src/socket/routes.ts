/**
 * Channel routes: topic patterns mapped to channels, first match wins.
 * `room:*` matches any topic starting with `room:`; a pattern without a
 * trailing `*` matches exactly (Phoenix's `channel "room:*", RoomChannel`).
 */
import type { Channel } from '../channel/channel.ts'
import { CinderError, describe } from '../errors.ts'

/** One route, as `channel(pattern, Channel)` builds it. */
export interface ChannelRoute {
  readonly pattern: string
  // biome-ignore lint/suspicious/noExplicitAny: routes hold channels of any assigns shape
  readonly channel: Channel<any>
}

/**
 * Routes topics matching `pattern` to `channel`.
 *
 * **Example**
 * ```ts
 * defineSocket({ channels: [channel('room:*', RoomChannel)] })
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a route accepts a channel of any assigns shape
export function channel(pattern: string, handler: Channel<any>): ChannelRoute {
  if (typeof pattern !== 'string' || pattern === '' || !validStar(pattern)) {
    throw new CinderError(
      'CINDER_ERR_SOCKET_OPTIONS',
      `a channel pattern is a topic such as 'room:lobby' or a prefix ending in '*' such as 'room:*'; got: ${describe(pattern)}`,
    )
  }
  if (typeof handler !== 'object' || handler === null || typeof handler.join !== 'function') {
    throw new CinderError(
      'CINDER_ERR_SOCKET_OPTIONS',
      `channel(${describe(pattern)}, …) expects a channel object with a join function; got: ${describe(handler)}`,
    )
  }
  return { pattern, channel: handler }
}

/** A `*` may only end a pattern. */
function validStar(pattern: string): boolean {
  const star = pattern.indexOf('*')
  return star === -1 || star === pattern.length - 1
}

/** Compiled routes: exact topics in a Map, then prefixes in declaration order. */
export class Router {
  readonly #routes: readonly ChannelRoute[]
  readonly #exact = new Map<string, ChannelRoute>()

  constructor(routes: readonly ChannelRoute[]) {
    if (!Array.isArray(routes)) {
      throw new CinderError(
        'CINDER_ERR_SOCKET_OPTIONS',
        `channels must be a list of channel(pattern, Channel) routes; got: ${describe(routes)}`,
      )
    }
    this.#routes = routes
    for (const route of routes) {
      if (!route.pattern.endsWith('*') && !this.#exact.has(route.pattern)) {
        this.#exact.set(route.pattern, route)
      }
    }
  }

  /** The first route matching `topic`, in declaration order. */
  match(topic: string): ChannelRoute | undefined {
    const exact = this.#exact.get(topic)
    for (const route of this.#routes) {
      if (route === exact) return route
      const { pattern } = route
      if (pattern.endsWith('*') && topic.startsWith(pattern.slice(0, -1))) return route
    }
    return undefined
  }
}
