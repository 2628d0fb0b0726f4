import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  type Conn,
  inject,
  json,
  redirect,
  sendDownload,
  sendHtml,
  text,
} from '../../src/http/index.ts'

test('json, html and text set type and status, keeping an earlier putStatus', async () => {
  const j = await inject((conn) => json(conn.putStatus(201), { ok: true }))
  assert.equal(j.status, 201)
  assert.equal(j.headers.get('content-type'), 'application/json; charset=utf-8')
  assert.deepEqual(j.json(), { ok: true })
  const h = await inject((conn) => sendHtml(conn, '<p>hi</p>', 202))
  assert.equal(h.status, 202)
  assert.match(h.headers.get('content-type') ?? '', /^text\/html/)
  assert.equal(
    (await inject((conn) => text(conn, 'plain'))).headers.get('content-type'),
    'text/plain; charset=utf-8',
  )
})

test('redirect: local paths, explicit external URLs, and open redirects refused', async () => {
  const local = await inject((conn) => redirect(conn, '/home?x="1"'))
  assert.equal(local.status, 302)
  assert.equal(local.headers.get('location'), '/home?x="1"')
  assert.match(local.text, /href="\/home\?x=&quot;1&quot;"/)
  const external = await inject((conn) =>
    redirect(conn.putStatus(301), { external: 'https://example.com/' }),
  )
  assert.equal(external.status, 301)
  assert.equal(external.headers.get('location'), 'https://example.com/')
  for (const sneaky of ['//evil.com', 'https://evil.com', '/\\evil.com']) {
    const errors: unknown[] = []
    const res = await inject((conn: Conn) => redirect(conn, sneaky), '/', {
      onError: (e) => errors.push(e),
    })
    assert.equal(res.status, 500, sneaky)
    assert.match((errors[0] as Error).message, /local path/)
  }
})

test('sendDownload: files and bytes, with a safe content-disposition', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cinder-dl-'))
  try {
    await writeFile(join(dir, 'report.csv'), 'a,b\n1,2\n')
    const file = await inject((conn) => sendDownload(conn, { file: join(dir, 'report.csv') }))
    assert.equal(file.text, 'a,b\n1,2\n')
    assert.equal(file.headers.get('content-type'), 'text/csv; charset=utf-8')
    assert.equal(
      file.headers.get('content-disposition'),
      `attachment; filename="report.csv"; filename*=UTF-8''report.csv`,
    )
    const bytes = await inject((conn) =>
      sendDownload(
        conn,
        { binary: Buffer.from([1, 2, 3]) },
        { filename: 'résumé "v2".bin', disposition: 'inline' },
      ),
    )
    assert.deepEqual([...bytes.body], [1, 2, 3])
    assert.equal(
      bytes.headers.get('content-disposition'),
      `inline; filename="r_sum_ _v2_.bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.bin`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
