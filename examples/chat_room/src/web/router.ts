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
import type { ChatContext } from './context.ts'
import { healthController } from './controllers/health-controller.ts'
import { roomsController } from './controllers/rooms-controller.ts'
import { sessionController } from './controllers/session-controller.ts'
import { lobbyLive } from './live/lobby-live.ts'
import { roomLive } from './live/room-live.ts'

export function buildRouter(live: Live, context: ChatContext): Router {
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
      page('/', lobbyLive(context))
      page('/rooms/:room', roomLive(context))
    })
    r.post('/session', sessionController.create)
    r.post('/signout', sessionController.delete)
  })

  const rooms = roomsController(context.chat)
  router.scope('/api', { pipeThrough: ['api'] }, (r) => {
    r.get('/health', healthController.show)
    r.get('/rooms', rooms.index)
    r.get('/rooms/:room/messages', rooms.messages)
  })

  return router
}
