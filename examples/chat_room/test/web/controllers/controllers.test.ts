import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { StartedApplication } from '../../../src/application.ts'
import { startTestApplication } from '../../support.ts'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(() => app.stop())

test('GET /api/health answers JSON', async () => {
  const response = await fetch(`${app.url}/api/health`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
  const body = (await response.json()) as { status?: unknown }
  assert.equal(body.status, 'ok')
})

test('GET / renders the lobby, asking for a name', async () => {
  const response = await fetch(app.url)
  assert.equal(response.status, 200)
  assert.match(await response.text(), /<form id="sign-in" action="\/session" method="post"/)
})

test('GET /api/rooms lists the rooms, and /api/rooms/:room/messages their messages', async () => {
  const rooms = (await (await fetch(`${app.url}/api/rooms`)).json()) as {
    rooms: { name: string }[]
  }
  assert.ok(rooms.rooms.some((room) => room.name === 'general'))
  const general = await fetch(`${app.url}/api/rooms/general/messages`)
  assert.equal(general.status, 200)
  assert.deepEqual(((await general.json()) as { room: string }).room, 'general')
  assert.equal((await fetch(`${app.url}/api/rooms/nowhere/messages`)).status, 404)
})

test('signing in sets the session; a post without the CSRF token is refused', async () => {
  const page = await fetch(app.url)
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const token = /name="_csrf_token" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    redirect: 'manual' as const,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  const forged = await fetch(`${app.url}/session`, form({ name: 'Mallory' }))
  assert.equal(forged.status, 403)
  const signedIn = await fetch(`${app.url}/session`, form({ name: 'Ada', _csrf_token: token }))
  assert.equal(signedIn.status, 302)
  const session = signedIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const lobby = await (await fetch(app.url, { headers: { cookie: session } })).text()
  assert.match(lobby, /<span class="me">Ada<\/span>/)
})

test('an unknown path is a 404', async () => {
  const response = await fetch(`${app.url}/api/nothing-here`)
  assert.equal(response.status, 404)
})
