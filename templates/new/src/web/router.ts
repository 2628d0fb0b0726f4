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
import { <% if presence %>type HomeContext, <% end %>homeLive } from './live/home-live.ts'

export function buildRouter(live: Live<% if presence %>, context: HomeContext<% end %>): Router {
  const router = new Router({ name: '<%= module %>' })
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
      page('/', homeLive(<% if presence %>context<% end %>))
    })
  })

  router.scope('/api', { pipeThrough: ['api'] }, (r) => {
    r.get('/health', healthController.show)
  })

  return router
}
