/**
 * What the tests share: the application on a free port, and the official `phoenix` client in
 * Node (over `ws`), connecting as a browser does.
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket } from 'phoenix'
import WebSocket from 'ws'
import { type StartedApplication, startApplication } from '../src/application.ts'
import { readConfig } from '../src/config.ts'

/** The application with its development settings, on a free port; `stop()` it after. */
export function startTestApplication(): Promise<StartedApplication> {
  return startApplication({ ...readConfig({}), port: 0 })
}

/** The members of the `phoenix` client the tests use. */
export interface PhxPush {
  receive(status: string, callback: (response: unknown) => void): PhxPush
}
export interface PhxChannel {
  join(): PhxPush
  push(event: string, payload: object): PhxPush
  on(event: string, callback: (payload: unknown) => void): number
}
export interface PhxSocket {
  channel(topic: string, params?: object): PhxChannel
  connect(): void
  disconnect(callback?: () => void): void
  onOpen(callback: () => void): void
  onError(callback: (error: unknown) => void): void
}

const sockets = new Set<PhxSocket>()

/** A client connected to the app's `/socket`; `closeSockets()` closes it. */
export function openSocket(app: StartedApplication, params: object = {}): Promise<PhxSocket> {
  const socket: PhxSocket = new Socket(`${app.url.replace(/^http/, 'ws')}/socket`, {
    transport: WebSocket,
    params,
    reconnectAfterMs: () => 60_000,
  })
  sockets.add(socket)
  return new Promise((resolve, reject) => {
    socket.onOpen(() => resolve(socket))
    socket.onError(() => reject(new Error('the socket was refused')))
    socket.connect()
  })
}

/** Closes every client `openSocket` opened; resolves once their connections are closed. */
export async function closeSockets(): Promise<void> {
  const closing = [...sockets].map((socket) => new Promise<void>((done) => socket.disconnect(done)))
  sockets.clear()
  await Promise.all(closing)
}

/** Joins `topic`; rejects unless the join is accepted. */
export async function joinChannel(socket: PhxSocket, topic: string): Promise<PhxChannel> {
  const channel = socket.channel(topic, {})
  const [status, response] = await outcome(channel.join())
  if (status !== 'ok') throw new Error(`joining ${topic}: ${status} ${JSON.stringify(response)}`)
  return channel
}

/** `[status, response]` of a join or a push. */
export function outcome(push: PhxPush): Promise<[string, unknown]> {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout'])
      push.receive(status, (response) => resolve([status, response]))
  })
}
