/**
 * The dead render of a page's nested LiveViews (`liveRender`): each child
 * mounts disconnected (its `onMount` hooks, then `mount` with the session
 * it was placed with) and its HTML goes inside its container, so the first
 * response already shows it, as Phoenix's does. The child's own children
 * are rendered the same way, down to `MAX_DEPTH`.
 *
 * `renderToString` is synchronous and a child's `mount` may not be, so the
 * containers are rendered with a marker inside, and each marker is then
 * replaced by its child's HTML.
 */
import { randomBytes } from 'node:crypto'
import { CinderError, describe } from '../errors.ts'
import { raw } from './escape.ts'
import { runOnMount } from './hooks.ts'
import { html, isTemplate, type Template } from './html.ts'
import { LiveComponents } from './live-component.ts'
import type { LiveConfig } from './live-config.ts'
import { mountHooks } from './live-route.ts'
import { type LiveSocket, type LiveView, LiveSocket as Socket, settle } from './live-view.ts'
import { type LiveRenderCall, NestedContainers } from './nested.ts'
import { renderToString } from './render-to-string.ts'

/** How deep nested views may nest in one page (a view placing itself would never end). */
const MAX_DEPTH = 8

/**
 * Renders `template` to HTML with its live components (of `socket`, if
 * given) and its nested views' dead renders. `parentId` is the container
 * of the view the template belongs to, null for the layout.
 */
export async function renderWithChildren(
  template: Template,
  parentId: string | null,
  socket: LiveSocket<object> | undefined,
  config: LiveConfig,
  depth = 0,
): Promise<string> {
  const components = socket === undefined ? undefined : new LiveComponents(socket, undefined)
  const containers = new NestedContainers(parentId, config.tokens)
  const nonce = randomBytes(6).toString('hex')
  const placed: LiveRenderCall[] = []
  const marker = (id: string) => `<!--cinder-nested:${nonce}:${id}-->`
  let out = renderToString(template, {
    ...(components === undefined ? {} : { resolveComponent: (call) => components.resolve(call) }),
    resolveNested: (call) => {
      placed.push(call)
      const empty = renderToString(containers.resolve(call))
      return html`${raw(`${empty.slice(0, -'</div>'.length)}${marker(call.id)}</div>`)}`
    },
  })
  for (const call of placed) {
    const inner = await renderChild(call, config, depth + 1)
    out = out.replace(marker(call.id), () => inner)
  }
  return out
}

async function renderChild(
  call: LiveRenderCall,
  config: LiveConfig,
  depth: number,
): Promise<string> {
  const view = call.view as LiveView<object>
  const name = view.name ?? 'LiveView'
  if (depth > MAX_DEPTH) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveRender(${name}, { id: ${describe(call.id)} }) nests more than ${MAX_DEPTH} views deep (does a view place itself?)`,
    )
  }
  const socket = new Socket<object>({ id: call.id, view, connected: false, uri: undefined })
  const session = call.session
  const halted = await runOnMount(mountHooks(undefined, view), {}, session, socket, name)
  if (!halted && view.mount !== undefined) {
    settle(`${name}.mount`, await view.mount({}, session, socket), socket, false)
  }
  const template = view.render(socket.assigns)
  if (!isTemplate(template)) {
    throw new CinderError(
      'CINDER_ERR_BAD_RETURN',
      `${name}.render must return an html\`…\` template, got: ${describe(template)}`,
    )
  }
  return renderWithChildren(template, call.id, socket, config, depth)
}
