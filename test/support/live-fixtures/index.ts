/**
 * The LiveView fixture pages of the conformance server (the browser tests and
 * the benchmarks use them; keep them stable):
 *
 * - `/lv/counter`, `/lv/form`, `/lv/chat`, `/lv/list?n=300`, `/lv/nav`,
 *   `/lv/components`, `/lv/upload`, `/lv/nested`, `/lv/login`, `/lv/whoami`,
 *   `/lv/async`, `/lv/js`, `/lv/signup`, `/lv/uploads-more` in the
 *   live_session `fixtures`; `/lv/guarded` in the live_session `guarded`
 *   (declared with options: guarded.ts); `/lv/plain` outside any live_session; `POST
 *   /lv/session` (the HTTP end of `/lv/login`'s `phx-trigger-action`); `POST
 *   /lv/fake-storage` (the object storage of `/lv/uploads-more`'s external uploader);
 * - `/live` — the LiveView socket; `/assets/app.js` — the client bundle
 *   (test/support/client/app.ts, built in memory with scripts/build-client.mjs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  type Conn,
  createHandler,
  createLive,
  fetchFlash,
  fetchSession,
  liveSession,
  parsers,
  pipeline,
  protectFromForgery,
  Router,
  type SessionOptions,
  type SocketMount,
  session,
} from '../../../src/extend.ts'
import { AsyncLive } from './async.ts'
import { ChatLive } from './chat.ts'
import { ComponentsLive } from './components.ts'
import { CounterLive } from './counter.ts'
import { FormLive } from './form.ts'
import { GuardedLive, guardedSession } from './guarded.ts'
import { JsLive } from './js.ts'
import { ListLive } from './list.ts'
import { createSession, LoginLive, WhoamiLive } from './login.ts'
import { NavLive, PlainLive } from './nav.ts'
import { NestedLive } from './nested.ts'
import { SignupLive } from './signup.ts'
import { UploadLive } from './upload.ts'
import { fakeStorage, UploadsMoreLive } from './uploads-more.ts'

/** A fixed development secret: tokens survive a restart of the server (reconnect tests). */
const SECRET_KEY_BASE = 'cinder-conformance-fixtures-secret-key-base-0123456789-abcdefghijklmnop'

export const sessionOptions: SessionOptions = {
  key: '_cinder_fixtures',
  secretKeyBase: SECRET_KEY_BASE,
  signingSalt: 'fixtures-session',
}

export interface LiveFixtures {
  /** Serves `/lv/*` and `/assets/*`; anything else goes to `fallback`. */
  handler(
    fallback: (req: IncomingMessage, res: ServerResponse) => void,
  ): (req: IncomingMessage, res: ServerResponse) => void
  /** The `/live` socket mount. */
  readonly socket: SocketMount
}

export function liveFixtures(): LiveFixtures {
  const live = createLive({
    secretKeyBase: SECRET_KEY_BASE,
    signingSalt: 'fixtures-live',
    session: sessionOptions,
    title: 'Cinder fixtures',
  })
  const router = new Router({ name: 'LiveFixtures' })
    .pipeline('browser', [fetchSession, fetchFlash, protectFromForgery(), live.plug])
    .get('/assets/app.js', serveClient)
    .post('/lv/fake-storage', fakeStorage)
    .scope('/lv', { pipeThrough: ['browser'] }, (r) => {
      liveSession(r, 'fixtures', (route) => {
        route('/counter', CounterLive)
        route('/form', FormLive)
        route('/chat', ChatLive)
        route('/list', ListLive)
        route('/nav', NavLive)
        route('/components', ComponentsLive)
        route('/upload', UploadLive)
        route('/nested', NestedLive)
        route('/login', LoginLive)
        route('/whoami', WhoamiLive)
        route('/async', AsyncLive)
        route('/js', JsLive)
        route('/signup', SignupLive)
        route('/uploads-more', UploadsMoreLive)
      })
      liveSession(r, 'guarded', guardedSession, (route) => {
        route('/guarded', GuardedLive)
      })
      r.live('/plain', PlainLive)
      r.post('/session', createSession)
    })
  const http = createHandler(pipeline([parsers(), session(sessionOptions), router.plug]))
  return {
    handler: (fallback) => (req, res) => {
      const path = req.url ?? '/'
      if (path.startsWith('/lv/') || path.startsWith('/assets/')) http(req, res)
      else fallback(req, res)
    },
    socket: { path: '/live', socket: live.socket(router), websocket: { checkOrigin: false } },
  }
}

let bundle: Promise<string> | undefined

/** The client bundle, built once per process from test/support/client/app.ts. */
export function clientBundle(): Promise<string> {
  bundle ??= (async () => {
    const script = join(repoRoot(), 'scripts', 'build-client.mjs')
    const { buildClient } = (await import(pathToFileURL(script).href)) as {
      buildClient: () => Promise<string>
    }
    return buildClient()
  })()
  return bundle
}

export async function serveClient(conn: Conn): Promise<Conn> {
  const code = await clientBundle()
  return conn
    .putRespContentType('text/javascript')
    .putRespHeader('cache-control', 'no-cache')
    .sendResp(200, code)
}

/** The repository root, from the sources or from the compiled copy in .build/. */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const inBuild = here.includes(`${sep}.build${sep}`)
  return resolve(here, ...(inBuild ? ['..', '..', '..', '..'] : ['..', '..', '..']))
}
