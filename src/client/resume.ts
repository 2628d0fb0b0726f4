/**
 * `cinder/client/resume`: resume durable channels across reconnects with the
 * official `phoenix` client, which stays unchanged.
 *
 * `resumable(socket, topic, params)` is `socket.channel(topic, params)` with
 * join params that are a function: each join (the first, and every rejoin
 * the client makes by itself after a reconnect) sends the last position seen
 * on the channel as `resume`. Positions come from the join reply
 * (`position`) and from the `ref` of each durable broadcast; the server then
 * sends what the client missed, in order, exactly once, or replies
 * `recovered: false` when it cannot (reload the state then).
 *
 * It imports nothing: it works on any object shaped like the client's
 * Socket and Channel.
 *
 * @example
 * import { Socket } from 'phoenix'
 * import { resumable } from 'cinder/client/resume'
 *
 * const socket = new Socket('/socket')
 * socket.connect()
 * const lobby = resumable(socket, 'lobby:chat', { name: 'ada' })
 * lobby.on('msg', (payload) => show(payload))
 * lobby.join().receive('ok', (reply) => { if (!reply.recovered) reloadChat(reply) })
 */

/** What the helper needs of a `phoenix` Channel. */
export interface ResumableChannel {
  onMessage(event: string, payload: unknown, ref?: unknown, joinRef?: unknown): unknown
}

/** What the helper needs of a `phoenix` Socket. */
export interface ResumableSocket<C extends ResumableChannel> {
  channel(topic: string, params?: object | (() => object)): C
}

/** A position as the server sends it: `<epoch>:<offset>`. */
const POSITION = /^[^:]+:\d+$/

const positions = new WeakMap<ResumableChannel, { last: string | undefined }>()

/** Joins `topic` as `socket.channel(topic, params)` would, passing the last position on each rejoin. */
export function resumable<C extends ResumableChannel>(
  socket: ResumableSocket<C>,
  topic: string,
  params: object | (() => object) = {},
): C {
  const state: { last: string | undefined } = { last: undefined }
  const joinParams = (): object => {
    const base = typeof params === 'function' ? params() : params
    return state.last === undefined ? base : { ...base, resume: state.last }
  }
  const channel = socket.channel(topic, joinParams)
  positions.set(channel, state)
  const onMessage = channel.onMessage.bind(channel)
  channel.onMessage = (event, payload, ref, joinRef) => {
    if (event === 'phx_reply') {
      const position = joinPosition(payload)
      if (position !== undefined) state.last = position
    } else if (typeof ref === 'string' && POSITION.test(ref)) {
      state.last = ref
    }
    return onMessage(event, payload, ref, joinRef)
  }
  return channel
}

/** The last position `channel` (made by `resumable`) saw, if any. */
export function lastPosition(channel: ResumableChannel): string | undefined {
  return positions.get(channel)?.last
}

/** The `position` of an ok join reply of a durable topic. */
function joinPosition(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const { status, response } = payload as { status?: unknown; response?: unknown }
  if (status !== 'ok' || typeof response !== 'object' || response === null) return undefined
  const { position, recovered } = response as { position?: unknown; recovered?: unknown }
  if (typeof position !== 'string' || typeof recovered !== 'boolean') return undefined
  return POSITION.test(position) ? position : undefined
}
