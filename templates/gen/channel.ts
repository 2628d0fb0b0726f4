/**
 * The `<%= topic %>:*` channel. Each join of a `<%= topic %>:…` topic runs in its own process: a
 * crash in one never touches the others, and the client rejoins by itself.
 *
 * - join: anyone may join; return `error({ reason })` to refuse;
 * - `ping`: replies with the payload it got;
 * - `shout`: broadcasts the payload to everyone on the topic, on every node, and replies `ok`.
 */
import { broadcast, type Channel, ok, reply } from 'cinder'

export const <%= camel %>Channel: Channel = {
  name: '<%= module %>Channel',
  join(_topic, _params, socket) {
    return ok(socket)
  },
  handleIn(event, payload, socket) {
    if (event === 'ping') return reply(['ok', payload], socket)
    if (event === 'shout' && !(payload instanceof Uint8Array)) {
      broadcast(socket, 'shout', payload)
      return reply('ok', socket)
    }
    return reply(['error', { reason: `unknown event: ${event}` }], socket)
  },
}
