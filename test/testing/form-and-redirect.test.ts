// view.form (checked against the rendered form) and view.followRedirect,
// in process and over a real connection.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Endpoint } from '../../src/index.ts'
import { connectLive, mountLive } from '../../src/testing/index.ts'
import { startConformanceServer } from '../support/conformance-server.ts'
import { CounterLive } from '../support/live-fixtures/counter.ts'
import { NavLive } from '../support/live-fixtures/nav.ts'
import { SignupLive } from '../support/live-fixtures/signup.ts'

let endpoint: Endpoint
before(async () => {
  endpoint = await startConformanceServer({ port: 0, logger: { info() {}, warn() {}, error() {} } })
})
after(() => endpoint.stop())

test('form() sends every field with _unused_ markers, and refuses a field the form lacks', async () => {
  const view = await mountLive(SignupLive)
  await view.form('#signup-form', { user: { name: 'Jo' } }).change()
  assert.equal(view.text('#name-errors'), 'must be at least 3 characters')
  assert.equal(view.text('#email-errors'), '', 'email is unused: no error yet')
  assert.throws(
    () => view.form('#signup-form', { user: { nickname: 'x' } }),
    /the form "#signup-form" has no field "user\[nickname\]"; its fields: user\[name\], user\[email\], user\[terms\]/,
  )
  await view
    .form('#signup-form', { user: { name: 'Joe', email: 'joe@x.io', terms: true } })
    .submit()
  assert.equal(view.text('#saved'), 'Joe joe@x.io')
  await view.close()
})

test('followRedirect mounts the page a redirect or a live navigation went to, with its flash', async () => {
  const routes = { '/lv/counter': CounterLive }
  for (const button of ['#redirect', '#push-navigate']) {
    const view = await mountLive(NavLive, { route: '/lv/nav', routes })
    await view.click(button)
    const next = await view.followRedirect()
    assert.equal(next.text('#count'), '0')
    assert.match(next.text('#flash-info') ?? '', /(Redirected|Navigated) here/)
    await next.close()
  }
  const plain = await mountLive(NavLive, { route: '/lv/nav' })
  await assert.rejects(plain.followRedirect(), /did not redirect \(no navigation\)/)
  await plain.close()
})

test('followRedirect over a real connection carries the flash cookie', async () => {
  const view = await connectLive(`http://127.0.0.1:${endpoint.port}/lv/nav`)
  await view.click('#redirect')
  const next = await view.followRedirect()
  assert.equal(next.text('#flash-info'), 'Redirected here')
  await next.close()
})
