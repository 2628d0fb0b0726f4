// Checklist 1, 2 and 6 from the server's side: what connect receives from the
// official client (query params nested the Rack way, vsn, the auth token).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type ConnectInfo,
  channel,
  createEndpoint,
  defineSocket,
  ok,
  type Params,
} from '../../src/extend.ts'
import { openClient, quietLogger } from './support.ts'

test('connect gets the params (nested, vsn last), the auth token and the transport', async () => {
  const seen: Array<{ params: Params; info: ConnectInfo }> = []
  const endpoint = createEndpoint({
    port: 0,
    logger: quietLogger(),
    sockets: [
      {
        path: '/socket',
        websocket: { checkOrigin: false },
        socket: defineSocket({
          channels: [channel('room:*', { join: (_t, _p, s) => ok(s) })],
          connect(params, socket, info) {
            seen.push({ params, info })
            return socket
          },
        }),
      },
    ],
  })
  await endpoint.start()
  try {
    const socket = await openClient(`ws://127.0.0.1:${endpoint.port}/socket`, {
      params: { token: 'abc', a: { b: 1 }, list: ['x', 'y'] },
      authToken: 's3cr3t',
    })
    socket.disconnect()
    const [{ params, info }] = seen as [(typeof seen)[0]]
    assert.deepEqual(params, {
      token: 'abc',
      a: { b: '1' },
      list: { '0': 'x', '1': 'y' },
      vsn: '2.0.0',
    })
    assert.equal(Object.keys(params).at(-1), 'vsn')
    assert.match(info.uri, /vsn=2\.0\.0$/)
    assert.equal(info.authToken, 's3cr3t')
    assert.equal(info.transport, 'websocket')
    assert.equal(info.peer.address, '127.0.0.1')
    const protocols = String(info.headers['sec-websocket-protocol']).split(/,\s*/)
    assert.deepEqual(protocols, ['phoenix', 'base64url.bearer.phx.czNjcjN0'])
  } finally {
    await endpoint.stop()
  }
})
