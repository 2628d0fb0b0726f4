import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type Conn,
  inject,
  logger,
  pipeline,
  type RequestLog,
  requestId,
} from '../../../src/http/index.ts'

test('one line per request with method, path, status, duration and request id', async () => {
  const lines: Array<[string, RequestLog]> = []
  const app = pipeline([
    requestId(),
    logger({ log: (line, entry) => lines.push([line, entry]) }),
    (conn: Conn) => conn.sendResp(201, 'made'),
  ])
  const res = await inject(app, { method: 'POST', url: '/things?x=1' })
  assert.equal(lines.length, 1)
  const [line, entry] = lines[0] ?? ['', undefined]
  assert.match(line, /^POST \/things 201 in \d+(\.\d)?(ms|µs) \[[A-Za-z0-9_-]{20}\]$/)
  assert.equal(entry?.status, 201)
  assert.equal(entry?.requestId, res.headers.get('x-request-id'))
})

test('error responses are logged with their status', async () => {
  const lines: string[] = []
  const app = pipeline([
    logger({ log: (line) => lines.push(line) }),
    () => {
      throw new Error('boom')
    },
  ])
  await inject(app, '/x', { onError() {} })
  assert.equal(lines.length, 1)
  assert.match(lines[0] ?? '', /^GET \/x 500 /)
})
