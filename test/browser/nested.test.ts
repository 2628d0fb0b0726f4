// Nested LiveViews (liveRender) through the official client: the child joins
// after its parent on its own topic, keeps its state across the parent's
// renders, leaves when the parent drops it, and a sticky child joins as a root.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  type BrowserEnv,
  messages,
  startBrowserEnv,
  textOf,
  waitForMessage,
  waitText,
} from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('the child joins after its parent with the token from the parent render, and renders', async () => {
  const { page, frames, errors } = await env.open('/lv/nested')
  await waitText(page, '#child .child-label', 'from-parent')
  assert.equal(await textOf(page, '#child .child-count'), '0')
  const parentId = await page.getAttribute('[data-phx-main]', 'id')
  assert.equal(await page.getAttribute('#child', 'data-phx-parent-id'), parentId)
  const joins = messages(frames, 'sent').filter((m) => m[3] === 'phx_join')
  const topics = joins.map((m) => m[2])
  assert.ok(topics.indexOf('lv:child') > topics.indexOf(`lv:${parentId}`), 'parent first')
  const childJoin = joins.find((m) => m[2] === 'lv:child')?.[4] as Record<string, unknown>
  assert.equal(childJoin.url, undefined, 'a nested join is not routed')
  assert.equal(typeof childJoin.session, 'string')
  assert.deepEqual(errors, [])
})

test("child and parent events go to their own views; the parent's renders keep the child", async () => {
  const { page, frames, errors } = await env.open('/lv/nested')
  await waitText(page, '#child .child-count', '0')
  await page.click('#child .child-inc')
  await waitText(page, '#child .child-count', '1')
  assert.equal(await textOf(page, '#parent-count'), '0')
  await page.click('#parent-inc')
  await waitText(page, '#parent-count', '1')
  assert.equal(await textOf(page, '#child .child-count'), '1', 'the child kept its state')
  const click = messages(frames, 'sent').find((m) => m[3] === 'event' && m[2] === 'lv:child')
  assert.ok(click, 'the child click went over lv:child')
  assert.deepEqual(errors, [])
})

test('a child the parent stops rendering leaves; rendered again it mounts afresh', async () => {
  const { page, frames, errors } = await env.open('/lv/nested')
  await waitText(page, '#child .child-count', '0')
  await page.click('#child .child-inc')
  await waitText(page, '#child .child-count', '1')
  await page.click('#toggle-child')
  await page.waitForSelector('#child', { state: 'detached' })
  await waitForMessage(
    frames,
    'sent',
    (m) => m[2] === 'lv:child' && m[3] === 'phx_leave',
    'the client leaves the dropped child',
  )
  await page.click('#toggle-child')
  await waitText(page, '#child .child-count', '0')
  await page.click('#child .child-inc')
  await waitText(page, '#child .child-count', '1')
  assert.deepEqual(errors, [])
})

test('a sticky child joins as a root view, with its own session', async () => {
  const { page, frames, errors } = await env.open('/lv/nested')
  await waitText(page, '#sticky-child .child-label', 'sticky')
  assert.equal(await page.getAttribute('#sticky-child', 'data-phx-parent-id'), null)
  const join = messages(frames, 'sent').find(
    (m) => m[3] === 'phx_join' && m[2] === 'lv:sticky-child',
  )
  assert.ok(join, 'the sticky child joined')
  assert.equal((join[4] as { sticky?: boolean }).sticky, true)
  await page.click('#sticky-child .child-inc')
  await waitText(page, '#sticky-child .child-count', '1')
  assert.deepEqual(errors, [])
})
