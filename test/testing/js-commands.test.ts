// cinder/testing runs a binding's JS commands as the client would: pushes
// (with their value and target), patches and navigation.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mountLive } from '../../src/testing/index.ts'
import { JsLive } from '../support/live-fixtures/js.ts'

test("a JS push sends its event with the command's value; DOM-only commands do nothing here", async () => {
  const view = await mountLive(JsLive, { route: '/lv/js' })
  await view.click('#push-hide')
  assert.equal(view.text('#count'), '5')
  await view.click('#open') // show: nothing to send
  assert.equal(view.text('#count'), '5')
  await view.close()
})

test('JS patch runs handleParams; JS navigate is reported as a live redirect', async () => {
  const view = await mountLive(JsLive, { route: '/lv/js' })
  await view.click('#patch')
  assert.equal(view.text('#tab'), '2')
  await view.click('#navigate')
  assert.deepEqual(view.redirected, { kind: 'live_redirect', to: '/lv/counter' })
  await view.close()
})
