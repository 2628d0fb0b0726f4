/**
 * The routes. A request matches a route, goes through its scope's pipelines, then to a
 * LiveView or a controller action:
 *
 * - `browser`: pages, with the session, flash messages, CSRF protection, secure headers and
 *   the LiveView dead render;
 * - `api`: JSON.
 */
import {
  accepts,
  fetchFlash,
  fetchSession,
  type Live,
  liveSession,
  protectFromForgery,
  putSecureBrowserHeaders,
  Router,
} from 'cinder'
import { healthController } from './controllers/health-controller.ts'
import { type HomeContext, homeLive } from './live/home-live.ts'

export function buildRouter(live: Live, context: HomeContext): Router {
  const router = new Router({ name: 'ChatRoom' })
    .pipeline('browser', [
      accepts(['html']),
      fetchSession,
      fetchFlash,
      protectFromForgery(),
      putSecureBrowserHeaders(),
      live.plug,
    ])
    .pipeline('api', [accepts(['json'])])

  router.scope('/', { pipeThrough: ['browser'] }, (r) => {
    liveSession(r, 'default', (page) => {
      page('/', homeLive(context))
    })
  })

  router.scope('/api', { pipeThrough: ['api'] }, (r) => {
    r.get('/health', healthController.show)
  })

  return router
}
