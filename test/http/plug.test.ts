import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import { type Conn, inject, type ModulePlug, pipeline } from '../../src/http/index.ts'

function mark(name: string) {
  return function markPlug(conn: Conn): Conn {
    const seen = (conn.assigns.seen as string[] | undefined) ?? []
    return conn.assign('seen', [...seen, name])
  }
}

const finish = (conn: Conn) => conn.sendResp(200, ((conn.assigns.seen as string[]) ?? []).join(','))

test('pipeline runs plugs in order, mixing sync and async', async () => {
  const asyncPlug = async (conn: Conn) => mark('async')(conn)
  const res = await inject(pipeline([mark('a'), asyncPlug, mark('b'), finish]))
  assert.equal(res.text, 'a,async,b')
})

test('pipeline stops after a plug halts', async () => {
  const stop = (conn: Conn) => conn.sendResp(401, 'no').halt()
  const res = await inject(pipeline([mark('a'), stop, mark('never'), finish]))
  assert.equal(res.status, 401)
  assert.equal(res.text, 'no')
  assert.deepEqual(res.conn.assigns.seen, ['a'])
})

test('module plugs: init runs once, call gets its result', async () => {
  let inits = 0
  const greeter: ModulePlug<{ greeting: string }, { name: string }> = {
    name: 'greeter',
    init(opts) {
      inits++
      return { greeting: `hello ${opts.name}` }
    },
    call(conn, opts) {
      return conn.sendResp(200, opts.greeting)
    },
  }
  const app = pipeline([[greeter, { name: 'ada' }]])
  assert.equal((await inject(app)).text, 'hello ada')
  assert.equal((await inject(app)).text, 'hello ada')
  assert.equal(inits, 1)
})

test('function plugs receive the options of a [plug, opts] entry', async () => {
  const say = (conn: Conn, opts: { word: string }) => conn.sendResp(200, opts.word)
  assert.equal((await inject(pipeline([[say, { word: 'hi' }]]))).text, 'hi')
})

test('a plug returning something else is named in the error', async () => {
  function sloppy(_conn: Conn) {
    return { not: 'a conn' } as unknown as Conn
  }
  const errors: unknown[] = []
  const res = await inject(pipeline([sloppy]), '/', { onError: (e) => errors.push(e) })
  assert.equal(res.status, 500)
  const error = errors[0]
  assert.ok(error instanceof CinderError)
  assert.equal(error.code, 'CINDER_ERR_BAD_RETURN')
  assert.equal(error.message, 'expected plug sloppy to return a Conn, got: {"not":"a conn"}')
})

test('an async plug resolving to a wrong value is caught too', async () => {
  const lazy = async function lazyPlug() {
    return undefined as unknown as Conn
  }
  const errors: unknown[] = []
  await inject(pipeline([lazy]), '/', { onError: (e) => errors.push(e) })
  assert.match(
    (errors[0] as Error).message,
    /expected plug lazyPlug to return a Conn, got: undefined/,
  )
})

test('something that is not a plug is refused when the pipeline is built', () => {
  assert.throws(() => pipeline([42 as never]), /expected a plug/)
})
