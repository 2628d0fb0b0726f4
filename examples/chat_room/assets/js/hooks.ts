/// <reference lib="dom" />
/**
 * The pages' hooks (`phx-hook`):
 *
 * - `ScrollDown`: keeps the messages scrolled to the newest one;
 * - `MessageForm`: empties the input once the server took the message (its `sent` event), as
 *   the client leaves a focused input alone.
 */
interface Hook {
  el: HTMLElement
  handleEvent(event: string, callback: (payload: unknown) => void): void
}

const ScrollDown = {
  mounted(this: Hook) {
    this.el.scrollTop = this.el.scrollHeight
  },
  updated(this: Hook) {
    this.el.scrollTop = this.el.scrollHeight
  },
}

const MessageForm = {
  mounted(this: Hook) {
    this.handleEvent('sent', () => {
      const input = this.el.querySelector('input[name=body]')
      if (input instanceof HTMLInputElement) input.value = ''
    })
  },
}

export const hooks = { ScrollDown, MessageForm }
