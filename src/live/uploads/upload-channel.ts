/**
 * The `lvu:<entry ref>` channel: one per uploading file. The client joins
 * with the token `allow_upload` gave it, then pushes the file as binary
 * `chunk` events, each acknowledged before the next; the bytes go to the
 * entry's slot (upload-registry.ts). The view closes the channel once the
 * entry is consumed or cancelled (the client never leaves it itself).
 */
import type { Channel } from '../../channel/channel.ts'
import { type ChannelSocket, channelLink } from '../../channel/channel-socket.ts'
import { error, ok } from '../../channel/results.ts'
import { noreply, reply, stop } from '../../process/behaviour.ts'
import type { UploadRegistry, UploadSlot } from './upload-registry.ts'

const CLOSE = Symbol('cinder.upload.close')
type UploadSocket = ChannelSocket<Record<string, unknown>>

export function uploadChannel(registry: UploadRegistry): Channel<Record<string, unknown>> {
  const slots = new WeakMap<UploadSocket, UploadSlot>()

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
      try {
        await slot.write(payload)
      } catch {
        return reply(['error', { reason: 'writer_error' }], socket)
      }
      return reply(['ok', {}], socket)
    },

    handleInfo(message, socket) {
      if (message === CLOSE) return stop('normal', socket)
      return noreply(socket)
    },

    terminate(_reason, socket) {
      const slot = slots.get(socket)
      if (slot !== undefined) slot.channel = undefined
    },
  }
}
