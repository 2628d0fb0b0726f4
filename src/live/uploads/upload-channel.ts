/**
 * The `lvu:<entry ref>` channel: one per uploading file. The client joins
 * with the token `allow_upload` gave it, then pushes the file as binary
 * `chunk` events, each acknowledged before the next; the bytes go to the
 * entry's slot (upload-registry.ts). The view closes the channel once the
 * entry is consumed or cancelled (the client never leaves it itself).
 *
 * A channel that receives no chunk for the upload's `chunkTimeout` (from
 * its join, then from each chunk) stops (`{shutdown: 'chunk_timeout'}`):
 * a stalled upload does not hold its file open forever. The client then
 * reports the entry failed.
 */
import type { Channel } from '../../channel/channel.ts'
import { type ChannelSocket, channelLink } from '../../channel/channel-socket.ts'
import { error, ok } from '../../channel/results.ts'
import { noreply, reply, stop } from '../../process/behaviour.ts'
import type { UploadRegistry, UploadSlot } from './upload-registry.ts'

const CLOSE = Symbol('cinder.upload.close')
/** A chunk timer's message: the channel is stalled unless a chunk came since (`at` is stale). */
class ChunkTimeout {
  readonly at: number
  constructor(at: number) {
    this.at = at
  }
}
type UploadSocket = ChannelSocket<Record<string, unknown>>

export function uploadChannel(registry: UploadRegistry): Channel<Record<string, unknown>> {
  const slots = new WeakMap<UploadSocket, UploadSlot>()
  /** The number of the last chunk (or 0 for the join) per channel, and its timer. */
  const timers = new WeakMap<UploadSocket, { at: number; timer: ReturnType<typeof setTimeout> }>()
  const arm = (socket: UploadSocket, slot: UploadSlot): void => {
    const previous = timers.get(socket)
    if (previous !== undefined) clearTimeout(previous.timer)
    const at = (previous?.at ?? 0) + 1
    const link = channelLink(socket)
    const timer = setTimeout(() => link.deliver(new ChunkTimeout(at)), slot.chunkTimeout)
    timer.unref?.()
    timers.set(socket, { at, timer })
  }

  return {
    name: 'LiveUploadChannel',

    join(topic, params, socket) {
      const slot = registry.byToken(params.token)
      const entryRef = topic.slice('lvu:'.length)
      if (slot === undefined || !slot.key.endsWith(`\u0000${entryRef}`)) {
        return error({ reason: 'invalid_token' })
      }
      if (slot.channel !== undefined) return error({ reason: 'already_registered' })
      const link = channelLink(socket)
      slot.channel = { close: () => link.deliver(CLOSE) }
      slots.set(socket, slot)
      arm(socket, slot)
      return ok(socket)
    },

    async handleIn(event, payload, socket) {
      const slot = slots.get(socket)
      if (event !== 'chunk' || slot === undefined) {
        return reply(['error', { reason: `unknown event ${event}` }], socket)
      }
      if (!(payload instanceof Uint8Array)) {
        return reply(['error', { reason: 'a chunk is a binary frame' }], socket)
      }
      const total = slot.received + payload.byteLength
      if (total > slot.maxFileSize || total > slot.declaredSize) {
        return reply(
          [
            'error',
            {
              reason: 'file_size_limit_exceeded',
              limit: Math.min(slot.maxFileSize, slot.declaredSize),
            },
          ],
          socket,
        )
      }
      arm(socket, slot)
      try {
        await slot.write(payload)
      } catch {
        return reply(['error', { reason: 'writer_error' }], socket)
      }
      return reply(['ok', {}], socket)
    },

    handleInfo(message, socket) {
      if (message === CLOSE) return stop('normal', socket)
      if (message instanceof ChunkTimeout && message.at === timers.get(socket)?.at) {
        return stop({ shutdown: 'chunk_timeout' }, socket)
      }
      return noreply(socket)
    },

    terminate(_reason, socket) {
      const slot = slots.get(socket)
      if (slot !== undefined) slot.channel = undefined
      const timer = timers.get(socket)
      if (timer !== undefined) clearTimeout(timer.timer)
    },
  }
}
