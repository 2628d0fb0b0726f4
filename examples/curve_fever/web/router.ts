/** Routes: the three live pages, and the two plain requests that write and clear the session. */
import {
  accepts,
  clearSession,
  configureSession,
  fetchFlash,
  fetchSession,
  type Live,
  liveSession,
  protectFromForgery,
  putFlash,
  putSecureBrowserHeaders,
  putSession,
  Router,
  redirect,
} from 'cinder'
import type { WebContext } from './context.ts'
import { gameLive } from './game-live.ts'
import { lobbyLive } from './lobby-live.ts'
import { signInLive } from './sign-in-live.ts'

export function buildRouter(web: WebContext, live: Live): Router {
  const router = new Router({ name: 'CurveFever' }).pipeline('browser', [
    accepts(['html']),
    fetchSession,
    fetchFlash,
    protectFromForgery(),
    putSecureBrowserHeaders(),
    live.plug,
  ])
  router.scope('/', { pipeThrough: ['browser'] }, (r) => {
    r.get('/session/:ticket', (conn, { ticket }) => {
      const user = web.readTicket(ticket)
      if (user === undefined) return redirect(putFlash(conn, 'error', 'Please sign in again.'), '/')
      configureSession(conn, { renew: true })
      return redirect(putSession(conn, 'user', { ...user }), '/lobby')
    })
    r.get('/signout', (conn) => redirect(clearSession(conn), '/'))
    liveSession(r, 'curve_fever', (page) => {
      page('/', signInLive(web))
      page('/lobby', lobbyLive(web))
      page('/game/:id', gameLive(web))
    })
  })
  return router
}
