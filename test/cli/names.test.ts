import assert from 'node:assert/strict'
import { test } from 'node:test'
import { appNames, pieceNames } from '../../src/cli/names.ts'

test('an application name gives its module and title', () => {
  assert.deepEqual(appNames('chat_room'), {
    app: 'chat_room',
    module: 'ChatRoom',
    title: 'Chat Room',
  })
  assert.deepEqual(appNames('my-app2'), { app: 'my-app2', module: 'MyApp2', title: 'My App2' })
  assert.deepEqual(appNames('demo'), { app: 'demo', module: 'Demo', title: 'Demo' })
})

test('an application name that npm or Node would trip on is refused, saying why', () => {
  for (const name of [
    'Chat',
    '2fast',
    'chat room',
    'a__b',
    'trailing_',
    '-x',
    '',
    'a'.repeat(65),
  ]) {
    assert.throws(() => appNames(name), {
      code: 'CINDER_ERR_CLI_BAD_NAME',
      message: /is not a valid application name: use lowercase letters/,
    })
  }
  assert.throws(() => appNames('cinder'), /a package the application depends on/)
  assert.throws(() => appNames('phoenix_live_view'), /a package the application depends on/)
  assert.throws(() => appNames('http'), /a Node\.js module/)
})

test('a LiveView or channel name gives every form the templates use', () => {
  assert.deepEqual(pieceNames('ChatRoom', 'channel'), {
    module: 'ChatRoom',
    camel: 'chatRoom',
    kebab: 'chat-room',
    snake: 'chat_room',
    title: 'Chat Room',
  })
  assert.equal(pieceNames('thermostat', 'LiveView').module, 'Thermostat')
  assert.equal(pieceNames('HTTPStatus', 'LiveView').kebab, 'http-status')
  assert.equal(pieceNames('Room2', 'channel').camel, 'room2')
})

test('a LiveView or channel name with other characters is refused', () => {
  for (const name of ['chat-room', 'Chat_Room', '9Lives', 'Chat Room', '']) {
    assert.throws(() => pieceNames(name, 'LiveView'), {
      code: 'CINDER_ERR_CLI_BAD_NAME',
      message: /is not a valid LiveView name: use letters and digits/,
    })
  }
})
