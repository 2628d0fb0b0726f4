import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, messages, startBrowserEnv, textOf, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('the dead render carries one main container, its tokens and the CSRF meta tag', async () => {
  const { page } = await env.open('/lv/counter')
  const containers = await page.$$eval(
    '[data-phx-main][data-phx-session][data-phx-static]',
    (els) => els.map((el) => ({ id: el.id, root: el.getAttribute('data-phx-root-id') })),
  )
  assert.equal(containers.length, 1)
  const [container] = containers
  assert.match(container?.id ?? '', /^phx-[A-Za-z0-9_-]{12}$/)
  assert.equal(container?.root, container?.id)
  const csrf = await page.getAttribute('meta[name="csrf-token"]', 'content')
  assert.ok(csrf !== null && csrf.length > 20)
})

test('the join carries url, session, static and _mounts 0, and the reply is rendered + version', async () => {
  const { frames } = await env.open('/lv/counter')
  const join = messages(frames, 'sent').find((m) => m[3] === 'phx_join')
  assert.ok(join, 'a phx_join was sent')
  const payload = join[4] as Record<string, unknown>
  assert.match(String(join[2]), /^lv:phx-/)
  assert.equal(typeof payload.url, 'string')
  assert.equal(typeof payload.session, 'string')
  assert.equal(typeof payload.static, 'string')
  assert.equal((payload.params as Record<string, unknown>)._mounts, 0)
  const reply = messages(frames, 'received').find((m) => m[1] === join[1])
  const response = reply?.[4] as { status: string; response: Record<string, unknown> }
  assert.equal(response.status, 'ok')
  assert.equal(response.response.liveview_version, '1.2.12')
  assert.equal(typeof response.response.rendered, 'object')
})

test('clicking #inc and #dec updates #count through the official client', async () => {
  const { page, frames, errors } = await env.open('/lv/counter')
  assert.equal(await textOf(page, '#count'), '0')
  await page.click('#inc')
  await waitText(page, '#count', '1')
  await page.click('#inc')
  await waitText(page, '#count', '2')
  await page.click('#dec')
  await waitText(page, '#count', '1')
  const click = messages(frames, 'sent').find((m) => m[3] === 'event')
  assert.deepEqual(click?.[4], { type: 'click', event: 'inc', value: { step: '1', value: '' } })
  assert.deepEqual(errors, [])
})

test("a hook's pushEvent resolves with the server's reply, and pushed events reach hooks", async () => {
  const { page } = await env.open('/lv/counter')
  await page.click('#inc')
  await waitText(page, '#count', '1')
  await page.click('#ping')
  await page.waitForFunction("document.querySelector('#ping')?.getAttribute('data-reply')")
  assert.deepEqual(JSON.parse((await page.getAttribute('#ping', 'data-reply')) ?? 'null'), {
    pong: 1,
    at: 'ping',
  })
  await page.click('#highlight-btn')
  await page.waitForFunction("document.querySelector('#highlight')?.getAttribute('data-highlight')")
  assert.deepEqual(
    JSON.parse((await page.getAttribute('#highlight', 'data-highlight')) ?? 'null'),
    {
      count: 1,
    },
  )
})

test('a crash shows phx-error, then the client rejoins with _mounts 1 and a fresh mount', async () => {
  const { page, frames } = await env.open('/lv/counter')
  await page.click('#inc')
  await waitText(page, '#count', '1')
  await page.click('#crash')
  await page.waitForSelector('[data-phx-main].phx-error', { timeout: 5000 })
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 10_000 })
  await waitText(page, '#count', '0')
  const received = messages(frames, 'received')
  assert.ok(
    received.some((m) => m[3] === 'phx_error'),
    'the server sent phx_error',
  )
  const joins = messages(frames, 'sent').filter((m) => m[3] === 'phx_join')
  assert.equal(joins.length, 2)
  const rejoin = joins[1]?.[4] as { params: Record<string, unknown> }
  assert.equal(rejoin.params._mounts, 1)
  // the remounted view works
  await page.click('#inc')
  await waitText(page, '#count', '1')
})

test('a tampered session token answers stale once: the page reloads and joins, no loop', async () => {
  const { page, frames, documents } = await env.open('/lv/counter', {
    join: false,
    async setup(page) {
      // Before the client reads it, corrupt the container's token, on the first load only.
      await page.addInitScript({
        content: `if (sessionStorage.getItem('tampered') === null) {
          sessionStorage.setItem('tampered', '1')
          new MutationObserver((_records, observer) => {
            const main = document.querySelector('[data-phx-main]')
            const token = main && main.getAttribute('data-phx-session')
            if (!token) return
            main.setAttribute('data-phx-session', token.slice(0, -4) + 'AAAA')
            observer.disconnect()
          }).observe(document, { childList: true, subtree: true })
        }`,
      })
    },
  })
  await page.waitForFunction("document.querySelector('[data-phx-main].phx-connected')", null, {
    timeout: 10_000,
  })
  // give a looping client time to show itself
  await new Promise((resolve) => setTimeout(resolve, 1000))
  assert.equal(documents.length, 2, `expected one reload, got ${documents.join(', ')}`)
  const replies = messages(frames, 'received').filter((m) => m[3] === 'phx_reply')
  const stale = replies.filter((m) => JSON.stringify(m[4]).includes('"reason":"stale"'))
  assert.equal(stale.length, 1)
  await page.click('#inc')
  await waitText(page, '#count', '1')
})
