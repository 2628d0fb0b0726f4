/// <reference lib="dom" />
/**
 * The official `phoenix` client, typed by hand: the package ships no types, and the game hook
 * uses only these members.
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket as PhoenixSocket } from 'phoenix'

export interface Push {
  receive(status: string, callback: (response: unknown) => void): Push
}

export interface Channel {
  readonly state: string
  join(timeout?: number): Push
  leave(timeout?: number): Push
  push(event: string, payload: object, timeout?: number): Push
  on(event: string, callback: (payload: unknown) => void): number
  onError(callback: (reason: unknown) => void): void
  onClose(callback: (reason: unknown) => void): void
}

export interface Socket {
  connect(): void
  disconnect(callback?: () => void): void
  channel(topic: string, params?: object | (() => object)): Channel
  onOpen(callback: () => void): string
  onError(callback: (error: unknown) => void): string
  onClose(callback: (event: unknown) => void): string
}

export const Socket = PhoenixSocket as new (
  endpoint: string,
  options?: { params?: object | (() => object) },
) => Socket
