/**
 * <%= title %> (`<%= route %>`), a LiveView. Its state lives in its process on the server: an
 * event changes the assigns, and the page receives only the parts of `render` that changed.
 */
import { html, type LiveView } from 'cinder'

interface <%= module %>Assigns {
  value: number
  pageTitle: string
}

export const <%= camel %>Live: LiveView<<%= module %>Assigns> = {
  name: '<%= module %>',
  mount(_params, _session, socket) {
    socket.assign({ value: 0, pageTitle: '<%= title %>' })
  },
  handleEvent(event, _value, socket) {
    if (event === 'up') socket.update('value', (value) => value + 1)
    if (event === 'down') socket.update('value', (value) => value - 1)
  },
  render: ({ value }) => html`<main id="<%= kebab %>">
  <h1><%= title %></h1>
  <p id="<%= kebab %>-value">${value}</p>
  <button id="<%= kebab %>-down" phx-click="down">−</button>
  <button id="<%= kebab %>-up" phx-click="up">+</button>
</main>`,
}
