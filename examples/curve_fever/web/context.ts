/** What the pages need from the application, and the signed tickets they hand out. */
import { signToken, verifyToken } from 'cinder'
import { type User, userFrom, userToken } from '../auth/user.ts'
import type { Lobby } from '../lobby/lobby.ts'
import { type RateLimit, RateLimiter } from '../rooms/rate-limit.ts'
import type { Rooms } from '../rooms/rooms.ts'

const TICKET_SALT = 'curve fever sign-in ticket'
/** A sign-in ticket only has to survive one redirect. */
const TICKET_MAX_AGE_S = 60

export interface WebContext {
  readonly rooms: Rooms
  readonly lobby: Lobby
  /** Development: the crash control is offered. */
  readonly dev: boolean
  /** Games each user may start from the lobby. */
  readonly newGames: RateLimiter
  /** A minute-long signed ticket carrying a validated user, for `/session/:ticket`. */
  signInTicket(user: User): string
  readTicket(ticket: unknown): User | undefined
  /** The token the game socket verifies on connect. */
  socketToken(user: User): string
}

export function webContext(options: {
  readonly secretKeyBase: string
  readonly rooms: Rooms
  readonly lobby: Lobby
  readonly dev: boolean
  readonly newGames: RateLimit
}): WebContext {
  const { secretKeyBase: secret, rooms, lobby, dev } = options
  return {
    rooms,
    lobby,
    dev,
    newGames: new RateLimiter(options.newGames),
    signInTicket: (user) =>
      signToken(secret, TICKET_SALT, { ...user }, { maxAge: TICKET_MAX_AGE_S }),
    readTicket(ticket) {
      if (typeof ticket !== 'string') return undefined
      const result = verifyToken(secret, TICKET_SALT, ticket, { maxAge: TICKET_MAX_AGE_S })
      return result.ok ? userFrom(result.data) : undefined
    },
    socketToken: (user) => userToken(secret, user),
  }
}
