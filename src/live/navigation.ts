/**
 * Live navigation: links the client intercepts, and the URL bookkeeping of
 * patches and navigations (protocol notes §5).
 *
 * - a **patch** keeps the view and its state; only `handleParams` runs
 *   (`live_patch` on the channel);
 * - a **navigate** mounts another LiveView of the same live_session in the
 *   same container, over the same connection (a join with `redirect`);
 * - a **redirect** is a plain page load.
 *
 * ```ts
 * html`${liveLink({ patch: '/items?page=2', id: 'next' }, html`Next`)}
 *      ${liveLink({ navigate: '/items/new' }, 'New item')}`
 * ```
 */
import { CinderError, describe } from '../errors.ts'
import { html, type Template } from './html.ts'
import type { Navigation } from './live-view.ts'

export interface LinkOptions {
  /** Patch the current LiveView to this path (same view: `handleParams` runs). */
  readonly patch?: string
  /** Mount the LiveView at this path without a page load (same live_session). */
  readonly navigate?: string
  /** A plain link. */
  readonly href?: string
  /** Replace the history entry instead of pushing one. */
  readonly replace?: boolean
  readonly id?: string
  readonly class?: string
}

/** An `<a>` that the official client turns into a live patch or navigation (`<.link>` in HEEx). */
export function liveLink(options: LinkOptions, inner: unknown): Template {
  const { patch, navigate, href, replace, id } = options
  const kind = patch !== undefined ? 'patch' : navigate !== undefined ? 'redirect' : undefined
  const to = patch ?? navigate ?? href
  if (typeof to !== 'string') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveLink needs one of patch, navigate or href (a path), got: ${describe(options)}`,
    )
  }
  const state = kind === undefined ? undefined : replace === true ? 'replace' : 'push'
  return html`<a href=${to} id=${id} class=${options.class} data-phx-link=${kind} data-phx-link-state=${state}>${inner}</a>`
}

/** Resolves a path (or URL) against the view's current URL: the absolute URL the client would send. */
export function absoluteUrl(to: string, base: string | undefined): URL {
  return new URL(to, base ?? 'http://localhost/')
}

/** The `live_patch`, `live_redirect` or `redirect` payload of a navigation. */
export function navigationPayload(
  navigation: Navigation,
  flash: string | undefined,
): Record<string, unknown> {
  if (navigation.kind === 'redirect') {
    return flash === undefined ? { to: navigation.to } : { to: navigation.to, flash }
  }
  const kind = navigation.replace ? 'replace' : 'push'
  if (navigation.kind === 'patch' || flash === undefined) return { to: navigation.to, kind }
  return { to: navigation.to, kind, flash }
}

/** The wire event (and reply key) of a navigation. */
export function navigationEvent(
  navigation: Navigation,
): 'live_patch' | 'live_redirect' | 'redirect' {
  if (navigation.kind === 'patch') return 'live_patch'
  return navigation.kind === 'navigate' ? 'live_redirect' : 'redirect'
}
