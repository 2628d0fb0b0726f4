import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CinderError } from '../../../src/errors.ts'
import {
  type Conn,
  inject,
  json,
  NoRouteError,
  pipeline,
  Router,
  text,
} from '../../../src/http/index.ts'
import { putLiveHandler } from '../../../src/http/router/live.ts'

const tag = (name: string) =>
  function tagPlug(conn: Conn): Conn {
    const trail = (conn.assigns.trail as string[] | undefined) ?? []
    return conn.assign('trail', [...trail, name])
  }

function buildRouter(): Router {
  const router = new Router({ name: 'TestRouter' })
  router
    .pipeline('browser', [tag('browser')])
    .pipeline('api', [tag('api')])
    .pipeline('auth', [
      (conn: Conn) =>
        conn.getReqHeader('authorization') ? conn : conn.sendResp(401, 'who?').halt(),
    ])
  router.get('/', (conn) => text(conn, 'home'))
  router.scope('/', { pipeThrough: ['browser'] }, (r) => {
    r.get('/users/:id', (conn, { id }) => json(conn, { id, trail: conn.assigns.trail }), {
      as: 'user',
    })
    r.get('/users/new', (conn) => text(conn, 'new user form'))
    r.get('/files/*path', (conn, { path }) => json(conn, { path }))
  })
  router.scope('/api', { as: 'api' }, (r) => {
    r.pipeThrough('api')
    r.post('/users', (conn, params) => json(conn, { created: params.name }, 201), { as: 'users' })
    r.scope('/admin', (admin) => {
      admin.pipeThrough('auth')
      admin.delete('/users/:id', (conn, { id }) => json(conn, { deleted: id }))
    })
    r.match('*', '/anything', (conn) => text(conn, `any ${conn.method}`))
    r.match(['PUT', 'PATCH'], '/users/:id', (conn) => text(conn, `update ${conn.method}`))
  })
  return router
}

describe('Router', () => {
  const router = buildRouter()

  test('static route', async () => {
    const res = await inject(router.plug, '/')
    assert.equal(res.text, 'home')
  })

  test('path params are decoded and merged into params, pipelines ran', async () => {
    const res = await inject(router.plug, '/users/caf%C3%A9')
    assert.deepEqual(res.json(), { id: 'café', trail: ['browser'] })
  })

  test('a static route beats a param one, whatever the declaration order', async () => {
    const res = await inject(router.plug, '/users/new')
    assert.equal(res.text, 'new user form')
  })

  test('globs capture the rest as a list (possibly empty)', async () => {
    assert.deepEqual((await inject(router.plug, '/files/a/b%2Fc/d.txt')).json(), {
      path: ['a', 'b/c', 'd.txt'],
    })
    assert.deepEqual((await inject(router.plug, '/files')).json(), { path: [] })
  })

  test('scopes prefix paths and nest; pipeThrough halts with the pipeline', async () => {
    const created = await inject(router.plug, { method: 'POST', url: '/api/users?name=ada' })
    assert.equal(created.status, 201)
    assert.deepEqual(created.json(), { created: 'ada' })
    assert.deepEqual(created.conn.assigns.trail, ['api'])
    const refused = await inject(router.plug, { method: 'DELETE', url: '/api/admin/users/7' })
    assert.equal(refused.status, 401)
    const allowed = await inject(router.plug, {
      method: 'DELETE',
      url: '/api/admin/users/7',
      headers: { authorization: 'yes' },
    })
    assert.deepEqual(allowed.json(), { deleted: '7' })
  })

  test('match: any verb, or a list of verbs', async () => {
    assert.equal(
      (await inject(router.plug, { method: 'OPTIONS', url: '/api/anything' })).text,
      'any OPTIONS',
    )
    assert.equal(
      (await inject(router.plug, { method: 'PATCH', url: '/api/users/1' })).text,
      'update PATCH',
    )
  })

  test('no route is a 404 naming method and path; a wrong method is a 404 too', async () => {
    const errors: unknown[] = []
    const missing = await inject(router.plug, '/nowhere', {
      debugErrors: true,
      onError: (e) => errors.push(e),
    })
    assert.equal(missing.status, 404)
    assert.match(missing.text, /no route found for GET \/nowhere \(TestRouter\)/)
    assert.match(missing.text, /Available routes/)
    assert.match(missing.text, /GET \/users\/:id/)
    assert.equal(errors.length, 0, '404s are not logged as errors')
    const wrongVerb = await inject(router.plug, { method: 'POST', url: '/' })
    assert.equal(wrongVerb.status, 404)
    const prod = await inject(router.plug, '/nowhere')
    assert.ok(!prod.text.includes('Available routes'))
  })

  test('NoRouteError is a CinderError with code CINDER_ERR_NO_ROUTE', async () => {
    const error = new NoRouteError('GET', '/x', 'R', [])
    assert.ok(error instanceof CinderError)
    assert.equal(error.code, 'CINDER_ERR_NO_ROUTE')
  })

  test('HEAD is served by the GET route, without a body', async () => {
    const res = await inject(router.plug, { method: 'HEAD', url: '/users/1' })
    assert.equal(res.status, 200)
    assert.equal(res.text, '')
    assert.match(res.headers.get('content-type') ?? '', /json/)
  })

  test('malformed percent-encoding in the path is a 400', async () => {
    const res = await inject(router.plug, '/users/%E0%A4%A')
    assert.equal(res.status, 400)
  })

  test('path helpers build paths from route names', () => {
    assert.equal(router.path('user', { id: 'a b' }), '/users/a%20b')
    assert.equal(router.path('api_users', {}, { page: 2 }), '/api/users?page=2')
    assert.throws(() => router.path('user'), /needs the param "id"/)
    assert.throws(() => router.path('nope'), /no route named "nope"/)
  })

  test('routes lists what was declared', () => {
    const listed = router.routes.map((r) => `${r.verb} ${r.path}`)
    assert.ok(listed.includes('GET /users/:id'))
    assert.ok(listed.includes('DELETE /api/admin/users/:id'))
    assert.deepEqual(router.routes.find((r) => r.path === '/api/admin/users/:id')?.pipelines, [
      'api',
      'auth',
    ])
  })
})

describe('Router forward', () => {
  test('forwards under a prefix to another router, moving the prefix to scriptName', async () => {
    const admin = new Router({ name: 'Admin' })
    admin.get('/stats/:id', (conn, { id }) =>
      json(conn, { id, pathInfo: conn.pathInfo, scriptName: conn.scriptName }),
    )
    const main = new Router()
    main.scope('/backoffice', (r) => r.forward('/admin', admin))
    main.forward('/plain', (conn: Conn) => text(conn, `plain ${conn.pathInfo.join('/')}`))
    const res = await inject(main.plug, '/backoffice/admin/stats/9')
    assert.deepEqual(res.json(), {
      id: '9',
      pathInfo: ['stats', '9'],
      scriptName: ['backoffice', 'admin'],
    })
    assert.deepEqual(
      res.conn.pathInfo,
      ['backoffice', 'admin', 'stats', '9'],
      'restored afterwards',
    )
    assert.equal((await inject(main.plug, { method: 'PUT', url: '/plain/x/y' })).text, 'plain x/y')
    assert.equal((await inject(main.plug, '/backoffice/admin/nope')).status, 404)
  })
})

describe('Router live routes', () => {
  test('a live route calls the live handler its pipeline put on the conn', async () => {
    const View = { name: 'CounterLive', render: () => '' }
    const router = new Router()
    router.scope('/live', (r) => r.live('/counter/:id', View, { action: 'show', as: 'counter' }))
    const before = await inject(router.plug, '/live/counter/3', { debugErrors: true, onError() {} })
    assert.equal(before.status, 500)
    assert.match(before.text, /no LiveView plug ran before it/)
    const withHandler = (conn: Conn): Conn => {
      putLiveHandler(conn, (c, route) =>
        json(c, {
          view: (route.view as typeof View).name,
          action: route.action,
          path: route.path,
          id: c.params.id,
        }),
      )
      return conn
    }
    const serving = pipeline([withHandler, router.plug])
    const res = await inject(serving, '/live/counter/3')
    assert.deepEqual(res.json(), {
      view: 'CounterLive',
      action: 'show',
      path: '/live/counter/:id',
      id: '3',
    })
    assert.equal(router.path('counter', { id: 3 }), '/live/counter/3')
  })
})

describe('Router declaration errors', () => {
  test('duplicate routes, bad paths, unknown pipelines and verbs are refused clearly', async () => {
    assert.throws(
      () => new Router().get('/a/:x', (c) => c).get('/a/:y', (c) => c),
      /route GET \/a\/:y conflicts with GET \/a\/:x/,
    )
    assert.throws(() => new Router().get('no-slash', (c) => c), /must start with "\/"/)
    assert.throws(() => new Router().get('/a/*rest/b', (c) => c), /glob must be the last/)
    assert.throws(() => new Router().get('/a/x:y', (c) => c), /whole segment/)
    assert.throws(() => new Router().match('FETCH', '/a', (c) => c), /unknown HTTP verb/)
    const missing = new Router()
    missing.scope('/', { pipeThrough: ['ghost'] }, (r) => r.get('/', (c) => c))
    const errors: unknown[] = []
    await inject(missing.plug, '/', { onError: (e) => errors.push(e) })
    assert.match((errors[0] as Error).message, /pipes through "ghost", which is not declared/)
  })
})
