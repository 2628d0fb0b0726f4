// assignAsync / startAsync in a mounted view: loading, ok and failed states,
// events handled while a task runs, supersede and cancel, the dead render,
// and tasks aborted when the view stops.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AsyncResult, html, type LiveView } from '../../src/extend.ts'
import { mountLive } from '../../src/testing/index.ts'
import { AsyncLive } from '../support/live-fixtures/async.ts'

const until = async (check: () => boolean, what: string, ms = 3000): Promise<void> => {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('assignAsync shows loading, then the value; clicks are answered meanwhile', async () => {
  const view = await mountLive(AsyncLive, { route: '/lv/async', path: '/lv/async?delay=150' })
  assert.equal(view.text('#org'), 'Loading…')
  const started = Date.now()
  await view.click('#inc')
  assert.ok(Date.now() - started < 100, 'the click did not wait for the task')
  assert.equal(view.text('#count'), '1')
  await until(() => view.text('#org') === 'Org: Acme (load 1)', 'the loaded org')
  await view.close()
})

test('a reload keeps the last value while loading; a throw is failed, not a crash', async () => {
  const view = await mountLive(AsyncLive, { route: '/lv/async', path: '/lv/async?delay=20' })
  await until(() => view.text('#org') === 'Org: Acme (load 1)', 'the first load')
  await view.click('#reload')
  assert.equal(view.text('#org'), 'Loading…')
  assert.equal(view.text('#org-last'), 'Acme', 'the last value stays while reloading')
  await until(() => view.text('#org') === 'Org: Acme (load 2)', 'the second load')
  await view.click('#fail')
  await until(() => view.text('#org') === 'Failed: boom', 'the failure')
  assert.equal(view.text('#org-last'), 'Acme')
  assert.equal(view.state, 'joined')
  await view.close()
})

test('a newer load supersedes an older one; cancel fails it with the reason', async () => {
  const view = await mountLive(AsyncLive, { route: '/lv/async', path: '/lv/async?delay=60' })
  await view.click('#reload') // supersedes load 1
  await until(() => view.text('#org') !== 'Loading…', 'a result')
  assert.equal(view.text('#org'), 'Org: Acme (load 2)', 'only the newest load lands')
  await view.click('#reload')
  await view.click('#cancel')
  assert.equal(view.text('#org'), 'Failed: cancelled by the user')
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(view.text('#org'), 'Failed: cancelled by the user', 'the cancelled task never lands')
  await view.close()
})

test('startAsync hands the outcome to handleAsync, in order with the events', async () => {
  const view = await mountLive(AsyncLive, { route: '/lv/async', path: '/lv/async?delay=30' })
  await view.click('#inc')
  await view.click('#start')
  assert.equal(view.text('#job'), 'running')
  await until(() => view.text('#job') === 'done: 1', 'the job')
  await view.click('#start-fail')
  await until(() => view.text('#job') === 'failed: job failed', 'the failed job')
  await view.close()
})

test('the dead render shows loading and starts nothing; a stop aborts the running tasks', async () => {
  const aborted: unknown[] = []
  let started = 0
  const Slow: LiveView<{ data: AsyncResult<number> }> = {
    name: 'SlowAsync',
    mount(_params, _session, socket) {
      socket.assignAsync('data', (signal) => {
        started++
        signal.addEventListener('abort', () => aborted.push(signal.reason))
        return new Promise<number>(() => {})
      })
    },
    render: ({ data }) => html`<p id="data">${data.loading ? 'loading' : 'done'}</p>`,
  }
  const view = await mountLive(Slow)
  assert.equal(view.text('#data'), 'loading')
  await until(() => started === 1, 'the connected task (only)')
  await view.close()
  assert.equal(started, 1, 'the dead render started no task')
  assert.deepEqual(aborted, ['cancel'])
})

test('several keys load from one task; a result without a key fails them', async () => {
  const Multi: LiveView<{ a: AsyncResult<number>; b: AsyncResult<string> }> = {
    mount(_params, _session, socket) {
      socket.assignAsync(['a', 'b'], async () => ({ a: 1, b: 'two' }))
    },
    handleEvent(_event, _value, socket) {
      socket.assignAsync(['a', 'b'], async () => ({ a: 3 }) as { a: number; b: string })
    },
    render: ({ a, b }) =>
      html`<p id="a">${a.match({ ok: String, failed: () => 'x' })}</p><p id="b">${b.match({ ok: (v) => v, failed: () => 'x' })}</p><button id="go" phx-click="go">go</button>`,
  }
  const view = await mountLive(Multi)
  await until(() => view.text('#a') === '1' && view.text('#b') === 'two', 'both keys')
  await view.click('#go')
  await until(() => view.text('#a') === 'x', 'the failure')
  assert.equal(view.text('#b'), 'x')
  await view.close()
})

test('a startAsync outcome for a view without handleAsync crashes it with a clear error', async () => {
  const NoHandler: LiveView = {
    mount(_params, _session, socket) {
      if (socket.connected) socket.startAsync('x', () => 1)
    },
    render: () => html`<p>hi</p>`,
  }
  const view = await mountLive(NoHandler)
  await until(() => view.state === 'crashed', 'the crash')
  await view.close()
})

test('AsyncResult keeps the last value through loading and failure', () => {
  const ok = AsyncResult.ok(5)
  const loading = AsyncResult.loading(ok)
  assert.deepEqual([loading.loading, loading.ok, loading.result], [true, true, 5])
  const failed = AsyncResult.failed('no', loading)
  assert.deepEqual(
    [failed.loading, failed.ok, failed.result, failed.failed],
    [false, true, 5, 'no'],
  )
  assert.equal(AsyncResult.loading<number>().match({ loading: () => 'L' }), 'L')
})
