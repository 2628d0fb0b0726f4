import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { connectLive, mountLive } from 'cinder/testing'
import type { StartedApplication } from '../../../src/application.ts'
import { homeLive } from '../../../src/web/live/home-live.ts'
import { startTestApplication } from '../../support.ts'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(() => app.stop())

test('the count goes up on each click', async () => {
  const view = await mountLive(homeLive(<% if presence %>app<% end %>))
  assert.equal(view.text('#count'), '0')
  await view.click('#inc')
  await view.click('#inc')
  assert.equal(view.text('#count'), '2')
  await view.close()
})

test('the page connects over /live, as in a browser', async () => {
  const view = await connectLive(app.url)
  assert.equal(view.title, '<%= title %>')
  await view.click('#inc')
  assert.equal(view.text('#count'), '1')
<% if presence %>
  assert.match(view.text('#online') ?? '', /Open in 1 window\b/)
<% end %>
  await view.close()
})
