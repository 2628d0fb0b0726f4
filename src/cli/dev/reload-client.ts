/**
 * The script `cinder dev` adds to every page (the layout loads it from CINDER_LIVE_RELOAD):
 * it listens to the live-reload server's event stream and
 *
 * - `reload`: reloads the page (the server restarted, or a bundle changed);
 * - `css`: swaps the page's stylesheets whose path is listed (all if none is) for fresh
 *   copies, keeping the old one until the new one has loaded: no reload, no flash;
 * - `hello`: names the dev session; a new name after a reconnect means `cinder dev` itself
 *   restarted, so the page reloads.
 *
 * Plain ES2020, no dependencies; `window.cinderLiveReload` counts what it did (for tests).
 */
export const RELOAD_CLIENT = `;(() => {
  const origin = new URL(document.currentScript.src).origin
  const state = { session: null, reloads: 0, cssSwaps: 0 }
  window.cinderLiveReload = state
  const events = new EventSource(origin + '/events')
  events.addEventListener('hello', (event) => {
    if (state.session !== null && state.session !== event.data) window.location.reload()
    state.session = event.data
  })
  events.addEventListener('reload', () => {
    state.reloads += 1
    window.location.reload()
  })
  events.addEventListener('css', (event) => {
    const paths = JSON.parse(event.data)
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href)
      if (paths.length > 0 && !paths.includes(url.pathname)) continue
      url.searchParams.set('cinder-reload', String(Date.now()))
      const fresh = link.cloneNode()
      fresh.href = url.href
      fresh.addEventListener('load', () => link.remove())
      fresh.addEventListener('error', () => fresh.remove())
      link.after(fresh)
      state.cssSwaps += 1
    }
  })
})()
`
