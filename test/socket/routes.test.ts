import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Channel } from '../../src/channel/channel.ts'
import { ok } from '../../src/channel/results.ts'
import { channel, Router } from '../../src/socket/routes.ts'

const make = (name: string): Channel => ({ name, join: (_t, _p, socket) => ok(socket) })

test('first match in declaration order wins; * is a prefix; plain patterns match exactly', () => {
  const [a, b, c] = [make('a'), make('b'), make('c')]
  const router = new Router([channel('room:*', a), channel('room:lobby', b), channel('lobby', c)])
  assert.equal(router.match('room:lobby')?.channel, a)
  assert.equal(router.match('room:')?.channel, a)
  assert.equal(router.match('lobby')?.channel, c)
  assert.equal(router.match('lobby:1'), undefined)
  assert.equal(router.match('roo'), undefined)
  const exactFirst = new Router([channel('room:lobby', b), channel('room:*', a)])
  assert.equal(exactFirst.match('room:lobby')?.channel, b)
  assert.equal(exactFirst.match('room:1')?.channel, a)
})

test('a bare * matches every topic; bad patterns and channels are refused', () => {
  const any = make('any')
  assert.equal(new Router([channel('*', any)]).match('x:y')?.channel, any)
  assert.throws(() => channel('room:*:x', any), { code: 'CINDER_ERR_SOCKET_OPTIONS' })
  assert.throws(() => channel('', any), { code: 'CINDER_ERR_SOCKET_OPTIONS' })
  assert.throws(() => channel('room:*', {} as never), { code: 'CINDER_ERR_SOCKET_OPTIONS' })
})
