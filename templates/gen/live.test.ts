import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mountLive } from 'cinder/testing'
import { <%= camel %>Live } from '<%= up %>src/web/live/<%= kebab %>-live.ts'

test('<%= title %> renders, and its buttons change the value', async () => {
  const view = await mountLive(<%= camel %>Live, { route: '<%= route %>' })
  assert.equal(view.title, '<%= title %>')
  assert.equal(view.text('#<%= kebab %>-value'), '0')
  await view.click('#<%= kebab %>-up')
  await view.click('#<%= kebab %>-up')
  await view.click('#<%= kebab %>-down')
  assert.equal(view.text('#<%= kebab %>-value'), '1')
  await view.close()
})
