/**
 * `/lv/chat`: a form `#chat-form` with input `body`; every open `/lv/chat`
 * page shows each message in `#messages` (a stream), through PubSub.
 */
import { each, html, type LiveStream, type LiveView } from '../../../src/index.ts'

interface Message {
  readonly id: number
  readonly body: string
}

type Assigns = { messages: LiveStream<Message>; body: string; pageTitle: string }

const TOPIC = 'fixtures:chat'
const KEEP = 50
/** The last messages, so a page opened later shows them too. */
const history: Message[] = []
let lastId = 0

export const ChatLive: LiveView<Assigns> = {
  name: 'ChatLive',
  mount(_params, _session, socket) {
    if (socket.connected) socket.subscribe(TOPIC)
    socket.assign({ body: '', pageTitle: 'Chat' })
    socket.stream('messages', history, { domId: (m: Message) => `message-${m.id}` })
  },
  handleEvent(event, value, socket) {
    const body = typeof value.body === 'string' ? value.body : ''
    if (event === 'typing') {
      socket.assign({ body })
      return
    }
    if (event !== 'send') throw new Error(`ChatLive has no event ${event}`)
    socket.assign({ body: '' })
    if (body.trim() === '') return
    const message = { id: ++lastId, body: body.slice(0, 500) }
    history.push(message)
    if (history.length > KEEP) history.shift()
    socket.broadcast(TOPIC, { type: 'chat', message })
  },
  handleInfo(info, socket) {
    const { message } = info as { message: Message }
    socket.stream('messages', [message], { limit: -KEEP })
  },
  render: ({ messages, body }) => html`<ul id="messages" phx-update="stream">${each(
    messages,
    (m, id) => html`<li id=${id}>${m.body}</li>`,
  )}</ul>
<form id="chat-form" phx-change="typing" phx-submit="send">
  <input type="text" id="chat-body" name="body" value=${body} autocomplete="off">
  <button type="submit" id="send">Send</button>
</form>`,
}
