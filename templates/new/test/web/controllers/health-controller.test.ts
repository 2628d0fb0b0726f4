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

test('GET / renders the home page', async () => {
  const response = await fetch(app.url)
  assert.equal(response.status, 200)
  assert.match(await response.text(), /Welcome to <%= title %>/)
})

test('an unknown path is a 404', async () => {
  const response = await fetch(`${app.url}/api/nothing-here`)
  assert.equal(response.status, 404)
})
