// Stateful live components driven by the official client: phx-target by
// myself and by selector, forms inside components, sendUpdate, and the
// cids_will_destroy / cids_destroyed round trip when one leaves the page.
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

type Sent = { event: string; cid?: number }

test('a click targeted at a component reaches it alone, and only its diff comes back', async () => {
  const { page, frames, errors } = await env.open('/lv/components')
  const cidA = Number(await page.getAttribute('#likes-a', 'data-phx-component'))
  assert.ok(cidA >= 1, 'the client marked the component root with its cid')
  await page.click('#like-a')
  await waitText(page, '#count-a', '1')
  await page.click('#like-a')
  await waitText(page, '#count-a', '2')
  assert.equal(await textOf(page, '#count-b'), '0')
  const sent = messages(frames, 'sent').filter((m) => m[3] === 'event')
  const click = sent.at(-1)?.[4] as Sent
  assert.equal(click.event, 'like')
  assert.equal(click.cid, cidA)
  const reply = messages(frames, 'received').find((m) => m[1] === sent.at(-1)?.[1])
  assert.ok(reply, 'the click was answered')
  const diff = (reply[4] as { response: { diff: Record<string, unknown> } }).response.diff
  assert.deepEqual(Object.keys(diff), ['c'], 'the view itself did not re-render')
  assert.deepEqual(Object.keys(diff.c as object), [String(cidA)])
  assert.deepEqual(errors, [])
})

test('a selector phx-target and a targeted form reach the right component', async () => {
  const { page, frames, errors } = await env.open('/lv/components')
  await page.click('#like-b-from-parent')
  await waitText(page, '#count-b', '1')
  await page.fill('#note-form-c input[name="note"]', 'hi there')
  await waitText(page, '#note-c', 'hi there')
  assert.equal(await textOf(page, '#note-b'), '')
  const cidC = Number(await page.getAttribute('#likes-c', 'data-phx-component'))
  const change = messages(frames, 'sent')
    .filter((m) => m[3] === 'event')
    .map((m) => m[4] as Sent & { type: string })
    .find((e) => e.type === 'form')
  assert.equal(change?.cid, cidC)
  assert.deepEqual(errors, [])
})

test('sendUpdate from the view updates the component', async () => {
  const { page, errors } = await env.open('/lv/components')
  await page.click('#like-a')
  await waitText(page, '#count-a', '1')
  await page.click('#bonus')
  await waitText(page, '#count-a', '11')
  assert.deepEqual(errors, [])
})

test('a removed component is destroyed on the server; placed again it mounts afresh', async () => {
  const { page, frames, errors } = await env.open('/lv/components')
  await page.click('#like-a')
  await page.click('#like-b')
  await waitText(page, '#count-a', '1')
  await waitText(page, '#count-b', '1')
  const cidA = Number(await page.getAttribute('#likes-a', 'data-phx-component'))
  await page.click('#remove-a')
  await page.waitForSelector('#likes-a', { state: 'detached' })
  // The client asks the server to drop the cid, then confirms.
  await waitForMessage(
    frames,
    'sent',
    (m) => m[3] === 'cids_destroyed' && (m[4] as { cids: number[] }).cids.includes(cidA),
    'cids_destroyed for the removed component',
  )
  assert.ok(messages(frames, 'sent').some((m) => m[3] === 'cids_will_destroy'))
  await page.click('#restore')
  await page.waitForSelector('#likes-a')
  assert.equal(await textOf(page, '#count-a'), '0', 'a fresh instance')
  assert.equal(await textOf(page, '#count-b'), '1', 'the others keep their state')
  const newCid = Number(await page.getAttribute('#likes-a', 'data-phx-component'))
  assert.notEqual(newCid, cidA, 'cids are not reused')
  await page.click('#like-a')
  await waitText(page, '#count-a', '1')
  assert.deepEqual(errors, [])
})
