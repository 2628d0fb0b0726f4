/** What the pages and channels need from the application. */
import type { Presence } from 'cinder'
import type { Chat } from '../chat/chat.ts'

export interface ChatContext {
  readonly chat: Chat
  readonly presence: Presence
}
